//! How long each RPC takes, logged at debug level (`rpc`, with the method and milliseconds).
//! Terraform waits on the provider for exactly these spans, so the benchmark adds them up to
//! tell the provider's share of a run's wall time from Terraform's and Graph's.

use crate::log;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tonic::codegen::http;

/// Wraps every gRPC service of the server.
#[derive(Clone, Copy, Default)]
pub(crate) struct TimedLayer;

impl<S> tower::Layer<S> for TimedLayer {
    type Service = Timed<S>;

    fn layer(&self, inner: S) -> Timed<S> {
        Timed(inner)
    }
}

/// A service whose every call is timed and logged.
#[derive(Clone)]
pub(crate) struct Timed<S>(S);

impl<S, B> tower::Service<http::Request<B>> for Timed<S>
where
    S: tower::Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        // "/tfplugin6.Provider/ReadResource" -> "ReadResource"
        let method = req
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let started = Instant::now();
        let answer = self.0.call(req);
        Box::pin(async move {
            let out = answer.await;
            let micros = started.elapsed().as_micros().to_string();
            log::debug("rpc", &[("method", &method), ("elapsed_us", &micros)]);
            out
        })
    }
}
