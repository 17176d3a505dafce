//! The plugin transport end to end over a real unix socket, in-process: a client shaped like
//! Terraform's (P-521, self-signed, CA:TRUE certificate, pinned server certificate, ALPN h2) must
//! get through AutoMTLS; a client without that exact certificate must not.

use std::future::Future;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, ClientConfig, DigitallySignedStruct, SignatureScheme,
    SupportedProtocolVersion,
};
use terraform_provider_entra::plugin::handshake::HandshakeConfig;
use terraform_provider_entra::plugin::serve::serve_with;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite};
use tokio::net::UnixStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{Endpoint, Uri};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
const TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];

/// Generous: only reached when something hangs.
const DEADLINE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// The server under test

struct Running {
    line: String,
    shutdown: CancellationToken,
    task: JoinHandle<Result<()>>,
    _parent: tempfile::TempDir,
}

impl Running {
    /// Runs `serve_with` (health service only) with sockets under a fresh temp dir.
    async fn start(client_cert_pem: Option<String>) -> Self {
        let parent = tempfile::tempdir().unwrap();
        let config = HandshakeConfig {
            client_cert_pem,
            socket_dir: Some(parent.path().to_owned()),
        };
        let shutdown = CancellationToken::new();
        let (ready_tx, ready_rx) = oneshot::channel();
        let task = tokio::spawn(serve_with(
            config,
            Routes::default(),
            shutdown.clone(),
            move |line| {
                ready_tx.send(line.to_owned()).unwrap();
                Ok(())
            },
        ));
        let line = tokio::time::timeout(DEADLINE, ready_rx)
            .await
            .expect("handshake line in time")
            .expect("handshake line before serve_with ended");
        Self {
            line,
            shutdown,
            task,
            _parent: parent,
        }
    }

    fn fields(&self) -> Vec<&str> {
        self.line.split('|').collect()
    }

    fn socket(&self) -> PathBuf {
        PathBuf::from(self.fields()[3])
    }

    fn server_cert_der(&self) -> Vec<u8> {
        STANDARD_NO_PAD.decode(self.fields()[5]).unwrap()
    }

    async fn stop(self) -> Result<()> {
        self.shutdown.cancel();
        tokio::time::timeout(DEADLINE, self.task)
            .await
            .expect("serve_with stops after shutdown")
            .expect("serve_with does not panic")
    }
}

// ---------------------------------------------------------------------------------------------
// Certificates

struct ClientIdentity {
    pem: String,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// Shaped like go-plugin's client certificate: ECDSA P-521, self-signed, O=HashiCorp
/// CN=localhost, SAN localhost, basicConstraints CA:TRUE (critical), KeyUsage including
/// certSign, EKU clientAuth+serverAuth, valid from now-30 s for 30 years.
fn terraform_like_identity() -> ClientIdentity {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(30 * 365);
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        pem: cert.pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    }
}

/// Trusts exactly one server certificate, as Terraform trusts only the one on the handshake line.
#[derive(Debug)]
struct PinnedServerCert {
    pinned: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.pinned.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn client_config(
    server_cert_der: Vec<u8>,
    identity: Option<&ClientIdentity>,
    versions: &[&'static SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedServerCert {
        pinned: server_cert_der,
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(vec![id.cert.clone()], id.key.clone_key())
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

// ---------------------------------------------------------------------------------------------
// Clients

async fn tls_connect(
    socket: &Path,
    config: Arc<ClientConfig>,
) -> io::Result<TlsStream<UnixStream>> {
    let stream = UnixStream::connect(socket).await?;
    let localhost = ServerName::try_from("localhost").unwrap();
    TlsConnector::from(config).connect(localhost, stream).await
}

/// gRPC `grpc.health.v1.Health/Check` for service "plugin", over connections from `connect`.
async fn plugin_health<C, F, IO>(connect: C) -> Result<ServingStatus>
where
    C: Fn() -> F + Send + 'static,
    F: Future<Output = io::Result<IO>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let connector = tower::service_fn(move |_: Uri| {
        let connecting = connect();
        async move { connecting.await.map(TokioIo::new) }
    });
    let check = async {
        let channel = Endpoint::from_static("http://localhost")
            .connect_with_connector(connector)
            .await?;
        let request = HealthCheckRequest {
            service: "plugin".to_owned(),
        };
        let response = HealthClient::new(channel).check(request).await?;
        Ok(response.into_inner().status())
    };
    tokio::time::timeout(DEADLINE, check).await?
}

async fn tls_plugin_health(socket: PathBuf, config: Arc<ClientConfig>) -> Result<ServingStatus> {
    plugin_health(move || {
        let (socket, config) = (socket.clone(), config.clone());
        async move { tls_connect(&socket, config).await }
    })
    .await
}

/// The TLS error a refused client ends up with. With TLS 1.3 the client finishes its side of the
/// handshake before the server has judged its certificate, so the refusal arrives on first read
/// (where an accepted client would receive the server's HTTP/2 SETTINGS).
async fn refusal(socket: &Path, config: Arc<ClientConfig>) -> rustls::Error {
    let attempt = async {
        let mut tls = tls_connect(socket, config).await?;
        tls.read(&mut [0u8; 1]).await
    };
    let err = tokio::time::timeout(DEADLINE, attempt)
        .await
        .expect("refusal in time")
        .expect_err("server must refuse this client");
    err.get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .cloned()
        .unwrap_or_else(|| panic!("expected a TLS error, got {err:?}"))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn fixture_is_shaped_like_terraforms_certificate() {
    let cert = openssl::x509::X509::from_pem(terraform_like_identity().pem.as_bytes()).unwrap();
    let subject: Vec<String> = cert
        .subject_name()
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap();
            format!("{key}={}", String::from_utf8_lossy(e.data().as_slice()))
        })
        .collect();
    assert!(subject.contains(&"O=HashiCorp".to_owned()), "{subject:?}");
    assert!(subject.contains(&"CN=localhost".to_owned()), "{subject:?}");
    assert_eq!(
        cert.subject_name().to_der().unwrap(),
        cert.issuer_name().to_der().unwrap()
    );

    // openssl's text dump, with whitespace collapsed so line wrapping does not matter.
    let text = String::from_utf8(cert.to_text().unwrap()).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Signature Algorithm: ecdsa-with-SHA512",
        "NIST CURVE: P-521",
        "X509v3 Basic Constraints: critical CA:TRUE",
        "Digital Signature, Key Encipherment, Key Agreement, Certificate Sign",
        "TLS Web Client Authentication, TLS Web Server Authentication",
        "DNS:localhost",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[tokio::test]
async fn terraform_like_client_gets_health_serving_over_tls13() {
    let terraform = terraform_like_identity();
    let server = Running::start(Some(terraform.pem.clone())).await;
    let config = client_config(server.server_cert_der(), Some(&terraform), TLS13);

    let tls = tls_connect(&server.socket(), config.clone()).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(
        tls.get_ref().1.negotiated_cipher_suite().unwrap().version(),
        &rustls::version::TLS13
    );
    drop(tls);

    let status = tls_plugin_health(server.socket(), config).await.unwrap();
    assert_eq!(status, ServingStatus::Serving);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn terraform_like_client_gets_health_serving_over_tls12() {
    let terraform = terraform_like_identity();
    let server = Running::start(Some(terraform.pem.clone())).await;
    let config = client_config(server.server_cert_der(), Some(&terraform), TLS12);
    let status = tls_plugin_health(server.socket(), config).await.unwrap();
    assert_eq!(status, ServingStatus::Serving);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn client_without_certificate_is_refused() {
    let terraform = terraform_like_identity();
    let server = Running::start(Some(terraform.pem.clone())).await;
    for versions in [TLS13, TLS12] {
        let config = client_config(server.server_cert_der(), None, versions);
        let err = refusal(&server.socket(), config.clone()).await;
        assert_eq!(
            err,
            rustls::Error::AlertReceived(AlertDescription::CertificateRequired)
        );
        assert!(tls_plugin_health(server.socket(), config).await.is_err());
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn client_with_another_certificate_is_refused_and_server_carries_on() {
    let terraform = terraform_like_identity();
    let impostor = terraform_like_identity();
    let server = Running::start(Some(terraform.pem.clone())).await;
    for versions in [TLS13, TLS12] {
        let config = client_config(server.server_cert_der(), Some(&impostor), versions);
        let err = refusal(&server.socket(), config.clone()).await;
        assert_eq!(
            err,
            rustls::Error::AlertReceived(AlertDescription::AccessDenied)
        );
        assert!(tls_plugin_health(server.socket(), config).await.is_err());
    }
    // Failed handshakes are dropped per connection; the accept loop keeps serving.
    let config = client_config(server.server_cert_der(), Some(&terraform), TLS13);
    let status = tls_plugin_health(server.socket(), config).await.unwrap();
    assert_eq!(status, ServingStatus::Serving);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn handshake_line_carries_the_server_certificate_unpadded() {
    let terraform = terraform_like_identity();
    let server = Running::start(Some(terraform.pem.clone())).await;
    let fields = server.fields();
    assert_eq!(fields.len(), 6, "{}", server.line);
    assert_eq!(fields[..3], ["1", "6", "unix"]);
    assert!(server.socket().is_absolute());
    assert_eq!(fields[4], "grpc");
    assert!(!fields[5].contains('='), "base64 must be unpadded");

    let cert = openssl::x509::X509::from_der(&server.server_cert_der()).unwrap();
    let dns_names: Vec<String> = cert
        .subject_alt_names()
        .expect("a SAN extension")
        .iter()
        .filter_map(|name| name.dnsname().map(str::to_owned))
        .collect();
    assert_eq!(dns_names, ["localhost"]);
    // The other tests pin this same certificate, so it is also the one the server presents.
    server.stop().await.unwrap();
}

#[tokio::test]
async fn socket_dir_is_private_and_removed_after_shutdown() {
    let server = Running::start(Some(terraform_like_identity().pem)).await;
    let socket = server.socket();
    let dir = socket.parent().unwrap().to_owned();
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(socket.exists());

    server.stop().await.unwrap();
    assert!(!socket.exists());
    assert!(!dir.exists());
}

#[tokio::test]
async fn plaintext_without_client_certificate() {
    let server = Running::start(None).await;
    assert!(server.line.ends_with("|grpc|"), "{}", server.line);
    assert_eq!(server.fields().len(), 6);

    let socket = server.socket();
    let status = plugin_health(move || UnixStream::connect(socket.clone()))
        .await
        .unwrap();
    assert_eq!(status, ServingStatus::Serving);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unusable_client_certificate_fails_before_the_handshake_line() {
    let parent = tempfile::tempdir().unwrap();
    let config = HandshakeConfig {
        client_cert_pem: Some("not a certificate".to_owned()),
        socket_dir: Some(parent.path().to_owned()),
    };
    let result = serve_with(
        config,
        Routes::default(),
        CancellationToken::new(),
        |line| panic!("printed {line:?} despite a broken PLUGIN_CLIENT_CERT"),
    )
    .await;
    assert!(result.is_err());
    assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn shutdown_does_not_wait_for_streams_that_stay_open() {
    let server = Running::start(None).await;
    let socket = server.socket();
    let connector = tower::service_fn(move |_: Uri| {
        let socket = socket.clone();
        async move { UnixStream::connect(socket).await.map(TokioIo::new) }
    });
    let channel = Endpoint::from_static("http://localhost")
        .connect_with_connector(connector)
        .await
        .unwrap();
    let request = HealthCheckRequest {
        service: "plugin".to_owned(),
    };
    // A Watch stream stays open until the client drops it, like Terraform's stdio stream.
    let _watch = HealthClient::new(channel).watch(request).await.unwrap();
    server.stop().await.unwrap();
}
