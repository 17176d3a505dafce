//! TLS: a CA and a server certificate generated at every start (rcgen), so clients exercise
//! real certificate validation by trusting the CA file, never by turning verification off.

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A freshly generated CA and the server configuration whose certificate it signed.
pub struct TlsMaterial {
    /// PEM of the CA certificate, what clients trust.
    pub ca_pem: String,
    /// Serves the certificate for `localhost` and 127.0.0.1 (chain includes the CA), h2 and
    /// http/1.1 by ALPN.
    pub server_config: Arc<rustls::ServerConfig>,
}

/// New CA and server certificate, valid from yesterday for a year (also used by the provider's
/// tests for servers of their own).
pub fn generate() -> anyhow::Result<TlsMaterial> {
    let validity_start = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let validity_end = time::OffsetDateTime::now_utc() + time::Duration::days(365);

    let ca_key = KeyPair::generate().context("generating CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "entra-graph-sim test CA");
    dn.push(DnType::OrganizationName, "entra-graph-sim");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = validity_start;
    ca_params.not_after = validity_end;
    let ca_cert = ca_params.self_signed(&ca_key).context("self-signing CA")?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().context("generating server key")?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "127.0.0.1");
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = validity_start;
    params.not_after = validity_end;
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .context("signing server certificate")?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(server_cert.der().to_vec()),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )?;
    // Both HTTP/2 and HTTP/1.1, as Graph does.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        ca_pem,
        server_config: Arc::new(config),
    })
}
