//! HTTPS server: accept loop, per-connection TLS + HTTP/1.1/HTTP/2 (hyper-util auto), and the
//! top-level axum router that splits traffic between Graph, the token endpoints, metadata and
//! the `/_sim` control endpoints (stats, scripted faults, client certificates): unauthenticated
//! like the rest of the simulator, which only listens on 127.0.0.1.

use crate::faults::ScriptedFault;
use crate::state::SimState;
use crate::{graph, metadata, seed, token_endpoint, SimInfo, SimOptions, SimSecrets};
use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// Ids every response carries (`request-id`, `client-request-id`) and Graph errors repeat in
/// `innerError`. Set by the `request_ids` middleware as a request extension.
#[derive(Clone, Debug)]
pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) client_request_id: String,
}

/// Lets a handler drop its whole TCP connection with a reset (fault injection).
#[derive(Clone)]
pub(crate) struct ConnKill {
    notify: Arc<Notify>,
    reset: Arc<AtomicBool>,
}

impl ConnKill {
    pub(crate) fn kill(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

pub(crate) struct ServerHandle {
    task: JoinHandle<()>,
}

impl ServerHandle {
    pub(crate) fn abort(&self) {
        self.task.abort();
    }

    pub(crate) async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

pub(crate) async fn start(
    opts: SimOptions,
    secrets: SimSecrets,
) -> anyhow::Result<(Arc<SimState>, ServerHandle, PathBuf)> {
    let listener = TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", opts.port))?;
    let port = listener.local_addr()?.port();
    let tls = crate::tls::generate()?;
    let ca_dir = crate::state::context_dir()?;
    let ca_file = ca_dir.join("ca.pem");
    std::fs::write(&ca_file, &tls.ca_pem)
        .with_context(|| format!("writing {}", ca_file.display()))?;

    let base = format!("https://127.0.0.1:{port}");
    let info = SimInfo {
        graph_endpoint: base.clone(),
        authority_host: base,
        ca_file: ca_file.to_string_lossy().into_owned(),
        tenant_id: uuid::Uuid::new_v4().to_string(),
        client_id: uuid::Uuid::new_v4().to_string(),
        client_secret: crate::state::generate_client_secret(),
    };
    let mut store = crate::store::Store::default();
    if let Some(dir) = &opts.seed_dir {
        seed::load(dir, &mut store)?;
    }
    let state = Arc::new(SimState {
        info,
        ca_pem: tls.ca_pem.clone(),
        keys: crate::auth::Keys::generate()?,
        store: Mutex::new(store),
        stats: Default::default(),
        faults: Default::default(),
        throttle: crate::throttle::Throttle::new(
            opts.ca_rate_limit,
            opts.time_scale.unwrap_or(1.0),
        ),
        client_certs: Default::default(),
        oidc_request_token: secrets
            .oidc_request_token
            .unwrap_or_else(|| crate::state::random_token(40)),
        msi_identity_header: secrets
            .msi_identity_header
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        sp_object_id: uuid::Uuid::new_v4().to_string(),
        user_object_id: uuid::Uuid::new_v4().to_string(),
        tokens: Default::default(),
        opts,
    });

    let router = router(state.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config);
    let task = tokio::spawn(accept_loop(listener, acceptor, router));
    Ok((state, ServerHandle { task }, ca_dir))
}

pub(crate) fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/_sim/stats", get(stats))
        .route("/_sim/stats/reset", post(reset_stats))
        .route(
            "/_sim/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route(
            "/_sim/clients/{client_id}/certificates",
            post(token_endpoint::register_certificate),
        )
        .route("/_sim/oidc/token", get(token_endpoint::oidc_token))
        .route("/_sim/ado/oidctoken", post(token_endpoint::ado_oidc_token))
        .route("/_sim/msi/token", get(token_endpoint::msi_token))
        .route("/metadata/endpoints", get(metadata::endpoints))
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint::token))
        .route("/v1.0/{*rest}", any(graph::entry))
        .route("/beta/{*rest}", any(graph::entry))
        .fallback(not_found)
        .layer(middleware::from_fn(request_ids))
        .with_state(state)
}

async fn stats(State(state): State<Arc<SimState>>) -> Response {
    axum::Json(state.stats.to_json()).into_response()
}

async fn reset_stats(State(state): State<Arc<SimState>>) -> Response {
    state.stats.reset();
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn list_faults(State(state): State<Arc<SimState>>) -> Response {
    axum::Json(state.faults.pending()).into_response()
}

/// One rule or an array of rules, as JSON (see [`crate::faults::ScriptedFault`]). All or
/// nothing: a bad rule in an array adds none, so a test never runs half-scripted.
async fn add_faults(State(state): State<Arc<SimState>>, body: axum::body::Bytes) -> Response {
    let parsed = serde_json::from_slice::<serde_json::Value>(&body).and_then(|v| match v {
        serde_json::Value::Array(_) => serde_json::from_value::<Vec<ScriptedFault>>(v),
        v => serde_json::from_value::<ScriptedFault>(v).map(|r| vec![r]),
    });
    let rules =
        match parsed {
            Ok(r) => r,
            Err(e) => return (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(
                    serde_json::json!({"error": {"code": "BadRequest", "message": e.to_string()}}),
                ),
            )
                .into_response(),
        };
    for rule in rules {
        state.faults.push(rule);
    }
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Response {
    state.faults.clear();
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn not_found(req: Request) -> Response {
    let ids = req.extensions().get::<RequestIds>().cloned();
    let ids = ids.unwrap_or_else(|| RequestIds {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_request_id: uuid::Uuid::new_v4().to_string(),
    });
    graph::GraphResponse::error_with_ids(
        axum::http::StatusCode::NOT_FOUND,
        "NotFound",
        &format!("No route for {} {}", req.method(), req.uri().path()),
        &ids,
    )
    .into_response()
}

/// Give every request a `request-id`, echo (or invent) `client-request-id`, and put both on
/// every response, as Graph does.
async fn request_ids(mut req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = header_str(req.headers(), "client-request-id")
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let ids = RequestIds {
        request_id,
        client_request_id,
    };
    req.extensions_mut().insert(ids.clone());
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key("request-id") {
        if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
            h.insert("request-id", v);
        }
    }
    if !h.contains_key("client-request-id") {
        if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
            h.insert("client-request-id", v);
        }
    }
    resp
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn accept_loop(listener: TcpListener, acceptor: tokio_rustls::TlsAcceptor, router: Router) {
    // Connection tasks live in this JoinSet: aborting the accept loop drops it, which aborts
    // every connection, so `shutdown` really stops serving.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                conns.spawn(serve_connection(tcp, acceptor.clone(), router.clone()));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

async fn serve_connection(tcp: TcpStream, acceptor: tokio_rustls::TlsAcceptor, router: Router) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = ResettableTcp {
        inner: tcp,
        reset: reset.clone(),
    };
    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(io)).await
    else {
        return;
    };
    let kill = ConnKill {
        notify: Arc::new(Notify::new()),
        reset,
    };
    let notify = kill.notify.clone();
    let service = router.map_request(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(kill.clone());
        req.map(axum::body::Body::new)
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // writev(false): hyper flattens head + body into one buffer, so each response goes out in
    // one write (one TLS record, one TCP segment for small bodies).
    builder.http1().keep_alive(true).writev(false);
    let conn = builder.serve_connection(TokioIo::new(tls), TowerToHyperService::new(service));
    tokio::select! {
        _ = conn => {}
        // Dropping the connection drops the socket; ResettableTcp turns that into an RST.
        _ = notify.notified() => {}
    }
}

/// A TCP stream that closes with RST (SO_LINGER 0) instead of FIN when a handler asked for a
/// connection reset; normal closes stay graceful.
struct ResettableTcp {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableTcp {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
