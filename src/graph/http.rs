//! The one HTTP client used for login and Graph alike. It trusts the system roots plus any
//! certificates in `SSL_CERT_FILE`, which is how enterprise TLS-inspecting proxies (and our
//! simulator's CA in tests) are trusted.

use std::time::Duration;

/// How long one HTTP request may take, answer included, before it counts as lost.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const TIMEOUT_VARIABLE: &str = "ENTRA_REQUEST_TIMEOUT";

pub fn build_client() -> anyhow::Result<reqwest::Client> {
    let timeout = super::time_scale::scaled(request_timeout(
        std::env::var(TIMEOUT_VARIABLE).ok().as_deref(),
    )?);
    match std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        None => client_trusting(None, timeout),
        Some(path) => {
            let pem = std::fs::read(&path).map_err(|e| {
                anyhow::anyhow!("cannot read SSL_CERT_FILE {}: {e}", path.to_string_lossy())
            })?;
            client_trusting(Some(&pem), timeout)
        }
    }
}

/// `ENTRA_REQUEST_TIMEOUT` in whole seconds: a proxy that holds answers back needs more, a
/// pipeline that would rather fail fast less.
fn request_timeout(value: Option<&str>) -> anyhow::Result<Duration> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_TIMEOUT),
        Some(v) => match v.parse::<u64>() {
            Ok(s) if (1..=3600).contains(&s) => Ok(Duration::from_secs(s)),
            _ => anyhow::bail!(
                "{TIMEOUT_VARIABLE} must be a whole number of seconds from 1 to 3600, not {v:?}"
            ),
        },
    }
}

/// A client that trusts the system roots and the certificates in `extra_pem`.
pub fn client_trusting(
    extra_pem: Option<&[u8]>,
    timeout: Duration,
) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30).min(timeout))
        .timeout(timeout)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeout_is_whole_seconds_within_an_hour() {
        assert_eq!(request_timeout(None).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(request_timeout(Some(" ")).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(request_timeout(Some("5")).unwrap(), Duration::from_secs(5));
        for bad in ["0", "-1", "1.5", "2h", "3601"] {
            let e = request_timeout(Some(bad)).unwrap_err().to_string();
            assert!(
                e.contains("ENTRA_REQUEST_TIMEOUT") && e.contains(bad),
                "{e}"
            );
        }
    }
}
