//! The one HTTP client used for login and Graph alike. It trusts the system roots plus any
//! certificates in `SSL_CERT_FILE`, which is how enterprise TLS-inspecting proxies (and our
//! simulator's CA in tests) are trusted.

use std::time::Duration;

pub fn build_client() -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(120))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!(
            "terraform-provider-entra/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let pem = std::fs::read(&path).map_err(|e| {
            anyhow::anyhow!("cannot read SSL_CERT_FILE {}: {e}", path.to_string_lossy())
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            anyhow::anyhow!(
                "SSL_CERT_FILE {} is not a PEM bundle: {e}",
                path.to_string_lossy()
            )
        })?;
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.build()?)
}
