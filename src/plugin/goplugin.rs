//! go-plugin's side services that every plugin serves next to the provider: the controller
//! (Terraform's "please exit"), stdio forwarding and the connection broker. Without the
//! controller Terraform waits two seconds and kills each provider process.

use super::proto::goplugin as pb;
use std::pin::Pin;
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// A stream that yields nothing and ends when the plugin shuts down: the sender is held by a
/// task until then, and dropping it ends the stream.
fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        shutdown.cancelled().await;
        drop(tx);
    });
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))
}

/// Terraform's "please exit": answers, then cancels `shutdown`.
pub struct Controller {
    /// Cancelled to stop serving.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        // Answer first, then stop serving: cancelling the token ends the server loop.
        let token = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            token.cancel();
        });
        Ok(Response::new(pb::Empty {}))
    }
}

/// The stdio forwarding stream Terraform opens; idle, as nothing is forwarded.
pub struct Stdio {
    /// Ends the stream when the plugin shuts down.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    /// We never write to stdout after the handshake and log to stderr directly, so there is
    /// nothing to forward; the stream stays open until shutdown as go-plugin's does.
    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<BoxStream<pb::StdioData>>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// The connection broker Terraform opens; idle, as no extra connections are brokered.
pub struct Broker {
    /// Ends the stream when the plugin shuts down.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_broker_server::GrpcBroker for Broker {
    /// Terraform opens the broker stream on every connection but providers never broker
    /// extra connections; keep the stream open and idle.
    async fn start_stream(
        &self,
        _: Request<Streaming<pb::ConnInfo>>,
    ) -> Result<Response<BoxStream<pb::ConnInfo>>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}
