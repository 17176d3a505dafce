//! go-plugin's AutoMTLS, server side.
//!
//! Terraform puts its own throw-away certificate in `PLUGIN_CLIENT_CERT`, presents it as the TLS
//! client certificate, and trusts only the server certificate we print on the handshake line.
//! Terraform's certificate is ECDSA P-521 and self-signed with `CA:TRUE`, so the stock webpki
//! client verifier cannot be used: *ring* cannot verify P-521 at all, and webpki refuses a CA
//! certificate as an end entity. Instead we pin the exact DER Terraform gave us, which is a
//! stronger check than chain building anyway.

use std::sync::Arc;

use anyhow::{Context, Result};
use rcgen::{
    CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};
use time::{Duration, OffsetDateTime};

/// How long the server certificate is valid. The process lives for one Terraform graph walk, but
/// a long validity costs nothing and survives clock adjustments.
const SERVER_CERT_VALIDITY: Duration = Duration::days(10 * 365);

/// Backdating, as go-plugin does, so a client whose clock is slightly behind still accepts it.
const SERVER_CERT_BACKDATE: Duration = Duration::seconds(30);

/// The server's throw-away key and self-signed certificate.
pub struct ServerIdentity {
    cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// A fresh ECDSA P-256 key and certificate for `localhost`. grpc-go checks the name against
    /// the SAN, so `DNS:localhost` is essential; the CN is only for humans.
    pub fn generate() -> Result<Self> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let now = OffsetDateTime::now_utc();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.not_before = now - SERVER_CERT_BACKDATE;
        params.not_after = now + SERVER_CERT_VALIDITY;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert_der: cert.der().clone(),
            key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The certificate's DER, for the handshake line.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }
}

/// The rustls server configuration for AutoMTLS: our certificate, Terraform's certificate pinned
/// and mandatory, TLS 1.2 and 1.3, ALPN `h2` (grpc-go >= 1.67, i.e. Terraform >= 1.12, refuses
/// connections that did not negotiate it).
pub fn server_config(
    identity: &ServerIdentity,
    client_cert_pem: &str,
) -> Result<Arc<ServerConfig>> {
    // Explicit provider: a process-wide default would panic if both ring and aws-lc-rs end up in
    // the dependency graph, and only aws-lc-rs verifies Terraform's P-521 signatures.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier =
        PinnedClientCert::from_pem(client_cert_pem, provider.signature_verification_algorithms)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, byte for byte, and nothing else.
#[derive(Debug)]
pub struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    /// Pins the first certificate in `pem` (what Terraform put in `PLUGIN_CLIENT_CERT`).
    /// `algorithms` verify the handshake signatures and must include ECDSA P-521/SHA-512.
    pub fn from_pem(pem: &str, algorithms: WebPkiSupportedAlgorithms) -> Result<Self> {
        let pinned = CertificateDer::pem_slice_iter(pem.as_bytes())
            .next()
            .context("PLUGIN_CLIENT_CERT holds no PEM certificate")?
            .context("PLUGIN_CLIENT_CERT is not a valid PEM certificate")?;
        Ok(Self { pinned, algorithms })
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// No CA names: Terraform presents its certificate whatever we list, and listing its own
    /// subject would only leak it to anyone connecting.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    /// Pinning: no chain building, no expiry or key-usage checks, because the certificate came
    /// straight from our parent process and is not a normal end-entity certificate.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
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

    /// Sent in the CertificateRequest. Go only sends its certificate if its scheme (ECDSA P-521
    /// SHA-512 for Terraform) is listed here; otherwise it sends none and the handshake fails
    /// with "certificate required".
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> PinnedClientCert {
        let identity = ServerIdentity::generate().unwrap();
        let pem = pem_encode(identity.cert_der());
        let algorithms =
            rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        PinnedClientCert::from_pem(&pem, algorithms).unwrap()
    }

    fn pem_encode(der: &[u8]) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn offers_p521_sha512() {
        let schemes = verifier().supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
    }

    #[test]
    fn requires_a_client_certificate_without_ca_hints() {
        let v = verifier();
        assert!(v.offer_client_auth());
        assert!(v.client_auth_mandatory());
        assert!(v.root_hint_subjects().is_empty());
    }

    #[test]
    fn accepts_only_the_pinned_der() {
        let v = verifier();
        let now = UnixTime::now();
        let pinned = v.pinned.clone();
        assert!(v.verify_client_cert(&pinned, &[], now).is_ok());
        let other = ServerIdentity::generate().unwrap();
        let other = CertificateDer::from(other.cert_der().to_vec());
        assert!(v.verify_client_cert(&other, &[], now).is_err());
    }

    #[test]
    fn pem_without_certificate_is_an_error() {
        let algorithms =
            rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        assert!(PinnedClientCert::from_pem("not a pem", algorithms).is_err());
    }

    #[test]
    fn server_config_speaks_h2() {
        let identity = ServerIdentity::generate().unwrap();
        let config = server_config(&identity, &pem_encode(identity.cert_der())).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
