//! Serving gRPC to Terraform: the go-plugin handshake, then tonic over the (TLS-wrapped) unix
//! socket, or TCP on 127.0.0.1 on Windows, until the shutdown token is cancelled.

use super::log::Level;
use std::convert::Infallible;
use std::fmt::Display;
use std::future::Future;
use std::io::{self, Write as _};
#[cfg(windows)]
use std::net::Ipv4Addr;
#[cfg(unix)]
use std::path::Path;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
// go-plugin listens on a unix socket everywhere but Windows, where it uses TCP on 127.0.0.1 (and
// Terraform connects to either). Only `bind` and the handshake address differ.
#[cfg(windows)]
use tokio::net::{TcpListener as Listener, TcpStream as Stream};
#[cfg(unix)]
use tokio::net::{UnixListener as Listener, UnixStream as Stream};
#[cfg(unix)]
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt as _;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::server::Connected;
use tonic::transport::Server;
use tonic_health::ServingStatus;

#[cfg(windows)]
use super::handshake::PortRange;
use super::handshake::{handshake_line, HandshakeConfig, PluginAddr, PROTOCOL_VERSION};
#[cfg(unix)]
use super::handshake::{socket_dir_from_env, SocketDir};
use super::tls::{server_config, ServerIdentity};

/// Our source address, the key of `TF_REATTACH_PROVIDERS` in debug mode.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/entra-iac/entra";

/// The health service name every go-plugin server reports as SERVING.
const HEALTH_SERVICE_NAME: &str = "plugin";

/// A client that connects but never finishes the TLS handshake must not hold a task forever.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Pings detect a vanished Terraform (e.g. SIGKILLed) so its connection does not linger.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// After shutdown, tonic waits for every connection to close, but Terraform may keep a stream
/// (e.g. stdio) open. Terraform SIGKILLs us 2 s after `Shutdown`, so stop waiting before that.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// `accept` failing (e.g. out of file descriptors) would otherwise spin the loop.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `routes` to the Terraform process that started us: reads the handshake environment,
/// ignores SIGINT (Terraform drives shutdown), prints the handshake line on stdout and serves
/// until `shutdown` is cancelled. Check the magic cookie before calling this.
pub async fn serve(routes: Routes, shutdown: CancellationToken) -> Result<()> {
    ignore_sigint().context("installing the SIGINT handler")?;
    // The build's version in the log, as in the artefact names and the Graph user agent.
    super::log::info("starting", &[("version", env!("CARGO_PKG_VERSION"))]);
    let config = HandshakeConfig::from_env()?;
    tokio::spawn(stop_when_orphaned(shutdown.clone()));
    serve_with(config, routes, shutdown, print_handshake_line).await
}

/// How often we look whether Terraform is still our parent.
const PARENT_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// A Terraform that exits normally stops us through go-plugin; one killed outright (SIGKILL,
/// an OOM kill, a cancelled CI job) cannot, and we would live on holding sockets and tokens.
/// Our parent changing (we were re-parented to init or a subreaper) means it is gone.
#[cfg(unix)]
async fn stop_when_orphaned(shutdown: CancellationToken) {
    let parent = std::os::unix::process::parent_id();
    stop_when_parent_gone(shutdown, || std::os::unix::process::parent_id() != parent).await;
}

/// As on unix, but Windows does not re-parent orphans: we hold a handle to the parent process,
/// opened at start-up, and it is gone once that handle is signalled. If the parent cannot be
/// found or opened, nothing is watched (and a Terraform killed outright leaves us running).
#[cfg(windows)]
async fn stop_when_orphaned(shutdown: CancellationToken) {
    match parent_process::ParentProcess::open() {
        Ok(Some(parent)) => stop_when_parent_gone(shutdown, || parent.has_exited()).await,
        // It exited before we looked: stop at the first check, as if we had seen it go.
        Ok(None) => stop_when_parent_gone(shutdown, || true).await,
        Err(e) => log(
            Level::Warn,
            format_args!("cannot watch Terraform's process, so we outlive it if it is killed: {e}"),
        ),
    }
}

/// Checks `parent_gone` every [`PARENT_CHECK_INTERVAL`] until it says so (then stops serving) or
/// until `shutdown` is cancelled.
async fn stop_when_parent_gone(shutdown: CancellationToken, mut parent_gone: impl FnMut() -> bool) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(PARENT_CHECK_INTERVAL) => {}
        }
        if parent_gone() {
            log(
                Level::Warn,
                "Terraform is gone (our parent process exited): stopping",
            );
            shutdown.cancel();
            return;
        }
    }
}

/// Our parent process on Windows, where std has no parent process id: its id from a Toolhelp
/// snapshot, then a handle to it. The handle keeps that id from being reused while we hold it,
/// and a process handle is signalled once the process exits.
#[cfg(windows)]
mod parent_process {
    use std::io;
    use std::os::windows::io::{AsRawHandle as _, FromRawHandle as _, OwnedHandle, RawHandle};

    use windows_sys::Win32::Foundation::{
        ERROR_INVALID_PARAMETER, FILETIME, INVALID_HANDLE_VALUE, WAIT_OBJECT_0,
    };
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, PROCESSENTRY32W,
        TH32CS_SNAPPROCESS,
    };
    use windows_sys::Win32::System::Threading::{
        GetCurrentProcess, GetProcessTimes, OpenProcess, WaitForSingleObject,
        PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE,
    };

    pub(super) struct ParentProcess(OwnedHandle);

    impl ParentProcess {
        /// Our parent, or `None` if it has already exited.
        pub(super) fn open() -> io::Result<Option<Self>> {
            let id = parent_id()?;
            if id == 0 {
                // Only the idle process has id 0; Wine reports it for a process that a unix
                // process started.
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the parent process id is 0",
                ));
            }
            // SAFETY: no pointer arguments; the handle returned, if not null, is ours to close.
            let raw = unsafe {
                OpenProcess(
                    PROCESS_SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
                    0,
                    id,
                )
            };
            if raw.is_null() {
                let error = io::Error::last_os_error();
                // No process has that id any more.
                if error.raw_os_error() == Some(ERROR_INVALID_PARAMETER as i32) {
                    return Ok(None);
                }
                return Err(error);
            }
            // SAFETY: `raw` is an open handle that only this `OwnedHandle` closes.
            let parent = unsafe { OwnedHandle::from_raw_handle(raw) };
            // Between the snapshot and `OpenProcess` our parent may have exited and its id gone
            // to a new process: our parent started before us, so a younger process is not it.
            // SAFETY: `GetCurrentProcess` returns a pseudo handle that needs no closing.
            let us = created(unsafe { GetCurrentProcess() })?;
            if created(parent.as_raw_handle())? > us {
                return Ok(None);
            }
            Ok(Some(Self(parent)))
        }

        pub(super) fn has_exited(&self) -> bool {
            // SAFETY: a process handle we hold open, with SYNCHRONIZE access; a zero timeout
            // only looks at its state.
            let status = unsafe { WaitForSingleObject(self.0.as_raw_handle(), 0) };
            status == WAIT_OBJECT_0
        }
    }

    /// The parent process id in our own entry of a snapshot of all processes.
    fn parent_id() -> io::Result<u32> {
        // SAFETY: no pointer arguments; the handle returned, if valid, is ours to close.
        let raw = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
        if raw == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is an open handle that only this `OwnedHandle` closes.
        let snapshot = unsafe { OwnedHandle::from_raw_handle(raw) };
        let us = std::process::id();
        let mut entry = PROCESSENTRY32W {
            dwSize: std::mem::size_of::<PROCESSENTRY32W>() as u32,
            ..PROCESSENTRY32W::default()
        };
        // SAFETY: a process snapshot handle, and a writable entry with `dwSize` set.
        let mut found = unsafe { Process32FirstW(snapshot.as_raw_handle(), &mut entry) };
        while found != 0 {
            if entry.th32ProcessID == us {
                return Ok(entry.th32ParentProcessID);
            }
            // SAFETY: as for `Process32FirstW`.
            found = unsafe { Process32NextW(snapshot.as_raw_handle(), &mut entry) };
        }
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            "our process is not in the process snapshot",
        ))
    }

    /// When `process` started, in 100 ns units since 1601.
    fn created(process: RawHandle) -> io::Result<u64> {
        let [mut creation, mut exit, mut kernel, mut user] = [FILETIME::default(); 4];
        // SAFETY: a process handle with query access (or the current-process pseudo handle),
        // and four writable `FILETIME`s.
        let ok =
            unsafe { GetProcessTimes(process, &mut creation, &mut exit, &mut kernel, &mut user) };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(u64::from(creation.dwHighDateTime) << 32 | u64::from(creation.dwLowDateTime))
    }
}

/// [`serve`] with the environment passed in and the handshake line handed to `on_ready` instead
/// of stdout, so tests can run it in-process. Adds the go-plugin health service to `routes`.
pub async fn serve_with(
    config: HandshakeConfig,
    routes: Routes,
    shutdown: CancellationToken,
    on_ready: impl FnOnce(&str) -> io::Result<()>,
) -> Result<()> {
    let tls = config
        .client_cert_pem
        .as_deref()
        .map(auto_mtls)
        .transpose()?;
    #[cfg(unix)]
    let listener = bind(config.socket_dir.as_deref())?;
    #[cfg(windows)]
    let listener = bind(config.ports).await?;
    let routes = with_health(routes).await;
    let cert_der = tls.as_ref().map(|(der, _)| der.as_slice());
    on_ready(&handshake_line(&listener.addr, cert_der)).context("writing the handshake line")?;
    let mode = if tls.is_some() {
        "AutoMTLS"
    } else {
        "plaintext"
    };
    let addr = &listener.addr;
    log(
        Level::Debug,
        format_args!("serving plugin protocol {PROTOCOL_VERSION} on {addr} ({mode})"),
    );
    let acceptor = tls.map(|(_, acceptor)| acceptor);
    serve_on(listener, acceptor, routes, shutdown).await
}

/// `--debug` mode: the user starts the provider by hand and points Terraform at it with
/// `TF_REATTACH_PROVIDERS`. Reattached providers get no AutoMTLS, so this serves plaintext. It
/// keeps serving across Terraform runs until Ctrl-C or `shutdown`.
pub async fn serve_debug(routes: Routes, shutdown: CancellationToken) -> Result<()> {
    let stop = shutdown.child_token();
    stop_on_ctrl_c(stop.clone());
    #[cfg(unix)]
    let listener = bind(socket_dir_from_env().as_deref())?;
    #[cfg(windows)]
    let listener = bind(PortRange::from_env()?).await?;
    let routes = with_health(routes).await;
    print_reattach_instructions(&listener.addr);
    serve_on(listener, None, routes, stop).await
}

/// The `TF_REATTACH_PROVIDERS` value for a debug server. `Test: true` is required for protocol 6:
/// without it go-plugin reads the version as 5, and kills `pid` when Terraform finishes.
pub fn reattach_config(pid: u32, addr: &PluginAddr) -> String {
    let mut providers = serde_json::Map::new();
    providers.insert(
        PROVIDER_ADDRESS.to_owned(),
        serde_json::json!({
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": addr.network(), "String": addr.to_string()},
        }),
    );
    serde_json::Value::Object(providers).to_string()
}

/// Plain stderr lines with a level prefix, which go-plugin re-logs at that level.
fn log(level: Level, message: impl Display) {
    super::log::log(level, &message.to_string(), &[]);
}

fn print_handshake_line(line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

fn print_reattach_instructions(addr: &PluginAddr) {
    let config = reattach_config(std::process::id(), addr);
    println!("Provider started in debug mode. Terraform attaches to it when its environment has");
    println!("TF_REATTACH_PROVIDERS={config}\n");
    println!("In a POSIX shell:\n\n    export TF_REATTACH_PROVIDERS='{config}'\n");
    #[cfg(windows)]
    println!("In PowerShell:\n\n    $env:TF_REATTACH_PROVIDERS='{config}'\n");
    println!("Ctrl-C stops the provider.");
}

/// A terminal Ctrl-C reaches the whole process group, provider included. Dying then could lose
/// an object just created remotely, so like go-plugin we ignore it and let Terraform stop us.
/// `signal()` registers synchronously, so SIGINT is covered before the handshake line is out.
#[cfg(unix)]
fn ignore_sigint() -> io::Result<()> {
    let mut sigint = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        while sigint.recv().await.is_some() {
            log(
                Level::Debug,
                "ignoring SIGINT; Terraform will stop the provider",
            );
        }
    });
    Ok(())
}

/// Windows' SIGINT: Ctrl-C and Ctrl-Break reach every process on the console, and by default
/// they end it. Ignored like SIGINT on unix (go-plugin's `os.Interrupt` is both on Windows); the
/// handlers are registered before this returns, so before the handshake line is out.
#[cfg(windows)]
fn ignore_sigint() -> io::Result<()> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    let (mut ctrl_c, mut ctrl_break) = (ctrl_c()?, ctrl_break()?);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = ctrl_c.recv() => {}
                Some(()) = ctrl_break.recv() => {}
                else => return,
            }
            log(
                Level::Debug,
                "ignoring Ctrl-C; Terraform will stop the provider",
            );
        }
    });
    Ok(())
}

fn stop_on_ctrl_c(stop: CancellationToken) {
    tokio::spawn(async move {
        tokio::select! {
            signalled = tokio::signal::ctrl_c() => {
                if signalled.is_ok() {
                    stop.cancel();
                }
            }
            () = stop.cancelled() => {}
        }
    });
}

/// Our certificate (for the handshake line) and a TLS acceptor pinning Terraform's certificate.
fn auto_mtls(client_cert_pem: &str) -> Result<(Vec<u8>, TlsAcceptor)> {
    let identity = ServerIdentity::generate().context("generating the server certificate")?;
    let config = server_config(&identity, client_cert_pem).context("setting up AutoMTLS")?;
    Ok((identity.cert_der().to_vec(), TlsAcceptor::from(config)))
}

/// The listener and the address the handshake line announces.
struct PluginListener {
    listener: Listener,
    addr: PluginAddr,
    /// Removes the socket and its directory once the listener (declared first) is closed.
    #[cfg(unix)]
    _socket_dir: SocketDir,
}

impl PluginListener {
    async fn accept(&self) -> io::Result<Stream> {
        let (stream, _) = self.listener.accept().await?;
        // Go disables Nagle on every TCP connection; small gRPC frames would otherwise wait for
        // delayed acknowledgements. Only an optimisation, so a failure is ignored.
        #[cfg(windows)]
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

/// A unix socket in a fresh private directory under `parent` (or the system temp dir).
#[cfg(unix)]
fn bind(parent: Option<&Path>) -> Result<PluginListener> {
    let socket_dir = SocketDir::create(parent).context("creating the socket directory")?;
    let listener = Listener::bind(socket_dir.socket_path())
        .with_context(|| format!("listening on {}", socket_dir.socket_path().display()))?;
    Ok(PluginListener {
        listener,
        addr: PluginAddr::Unix(socket_dir.socket_path().to_owned()),
        _socket_dir: socket_dir,
    })
}

/// TCP on 127.0.0.1, on the first free port of `ports`, as go-plugin does on Windows. Any local
/// process can connect to it: AutoMTLS is what refuses those that are not our Terraform.
#[cfg(windows)]
async fn bind(ports: PortRange) -> Result<PluginListener> {
    let mut failure = None;
    for port in ports.min..=ports.max {
        match Listener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(listener) => {
                let addr = PluginAddr::Tcp(listener.local_addr()?);
                return Ok(PluginListener { listener, addr });
            }
            Err(e) => failure = Some(e),
        }
    }
    let (min, max) = (ports.min, ports.max);
    let cause = failure.map(|e| e.to_string()).unwrap_or_default();
    anyhow::bail!("listening on 127.0.0.1: no free port from {min} to {max} ({cause})")
}

/// Serves `routes` (health included) on `listener`, through TLS when there is an acceptor.
async fn serve_on(
    listener: PluginListener,
    tls: Option<TlsAcceptor>,
    routes: Routes,
    shutdown: CancellationToken,
) -> Result<()> {
    match tls {
        Some(acceptor) => {
            let upgrade = move |stream| {
                let accept = acceptor.accept(stream);
                async move { accept.await.map(TlsConn) }
            };
            serve_incoming(listener, upgrade, routes, shutdown).await
        }
        None => {
            let upgrade = |stream| std::future::ready(Ok(stream));
            serve_incoming(listener, upgrade, routes, shutdown).await
        }
    }
}

async fn with_health(routes: Routes) -> Routes {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, ServingStatus::Serving)
        .await;
    routes.add_service(service)
}

/// Runs tonic on the connections `accept_loop` produces, until `shutdown` (plus a grace period
/// for connections that stay open).
async fn serve_incoming<IO, U, F>(
    listener: PluginListener,
    upgrade: U,
    routes: Routes,
    shutdown: CancellationToken,
) -> Result<()>
where
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    U: Fn(Stream) -> F,
    F: Future<Output = io::Result<IO>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(16);
    let incoming = ReceiverStream::new(rx).map(Ok::<_, Infallible>);
    let server = Server::builder()
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .layer(super::timing::TimedLayer)
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled());
    let server = async {
        tokio::select! {
            served = server => served.context("serving gRPC"),
            () = grace_expired(&shutdown) => {
                log(Level::Warn, "connections still open after shutdown; closing them");
                Ok(())
            }
        }
    };
    // The accept loop ends when the server drops `rx`, so the listener is closed on return.
    let ((), served) = tokio::join!(accept_loop(listener, upgrade, tx, &shutdown), server);
    served
}

async fn grace_expired(shutdown: &CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}

/// Accepts connections and upgrades each (the TLS handshake) in its own task, so one slow or
/// hostile client cannot hold up the others.
async fn accept_loop<IO, U, F>(
    listener: PluginListener,
    upgrade: U,
    tx: mpsc::Sender<IO>,
    shutdown: &CancellationToken,
) where
    IO: Send + 'static,
    U: Fn(Stream) -> F,
    F: Future<Output = io::Result<IO>> + Send + 'static,
{
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return,
            () = tx.closed() => return,
        };
        match accepted {
            Ok(stream) => {
                tokio::spawn(hand_over(upgrade(stream), tx.clone()));
            }
            Err(e) => {
                log(
                    Level::Warn,
                    format_args!("accepting a connection failed: {e}"),
                );
                tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
            }
        }
    }
}

/// Finishes one connection's upgrade and gives it to the server; a failed TLS handshake (a
/// client without Terraform's certificate) is only logged.
async fn hand_over<IO>(upgrade: impl Future<Output = io::Result<IO>>, tx: mpsc::Sender<IO>) {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, upgrade).await {
        Ok(Ok(conn)) => {
            // A send error means the server has stopped; the connection just closes.
            let _ = tx.send(conn).await;
        }
        Ok(Err(e)) => log(
            Level::Error,
            format_args!("refused a connection: TLS handshake failed: {e}"),
        ),
        Err(_) => log(
            Level::Error,
            "refused a connection: TLS handshake timed out",
        ),
    }
}

/// A TLS connection on the plugin socket. tonic implements `Connected` for rustls streams only
/// behind its own TLS features, which would pull in its TLS stack, so we wrap the stream.
struct TlsConn(TlsStream<Stream>);

impl Connected for TlsConn {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_config_has_terraforms_shape() {
        let socket = PluginAddr::Unix("/tmp/plugin-1/plugin.sock".into());
        assert_eq!(
            reattach_config(42, &socket),
            r#"{"registry.terraform.io/entra-iac/entra":{"Protocol":"grpc","ProtocolVersion":6,"Pid":42,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin-1/plugin.sock"}}}"#
        );
        // Windows.
        let tcp = PluginAddr::Tcp("127.0.0.1:10000".parse().unwrap());
        assert_eq!(
            reattach_config(42, &tcp),
            r#"{"registry.terraform.io/entra-iac/entra":{"Protocol":"grpc","ProtocolVersion":6,"Pid":42,"Test":true,"Addr":{"Network":"tcp","String":"127.0.0.1:10000"}}}"#
        );
    }
}
