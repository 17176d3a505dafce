//! The one HTTP client used for login and Graph alike. It trusts the system roots plus any
//! certificates in `SSL_CERT_FILE`, which is how enterprise TLS-inspecting proxies (and our
//! simulator's CA in tests) are trusted.

use std::time::Duration;

pub fn build_client() -> anyhow::Result<reqwest::Client> {
    match std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        None => client_trusting(None),
        Some(path) => {
            let pem = std::fs::read(&path).map_err(|e| {
                anyhow::anyhow!("cannot read SSL_CERT_FILE {}: {e}", path.to_string_lossy())
            })?;
            client_trusting(Some(&pem))
        }
    }
}

/// A client that trusts the system roots and the certificates in `extra_pem`.
pub fn client_trusting(extra_pem: Option<&[u8]>) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(120))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!(
            "terraform-provider-entra/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(pem) = extra_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| anyhow::anyhow!("extra CA certificates are not a PEM bundle: {e}"))?;
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.build()?)
}
