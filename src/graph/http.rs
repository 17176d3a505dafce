//! The one HTTP client used for login and Graph alike. It trusts the system roots plus any
//! certificates in `SSL_CERT_FILE`, which is how enterprise TLS-inspecting proxies (and our
//! simulator's CA in tests) are trusted.
//!
//! It follows no redirects. Neither Entra's token endpoint nor the Graph APIs we call answer
//! with one, and following them is how a client secret or token reaches another host: a 307
//! re-posts the form with the secret in it (to `http://` too), and a 302 on a Graph read would
//! take the next request elsewhere. Even a same-origin redirect is refused: nothing legitimate
//! needs it, and one rule is easier to trust than a list of exceptions. A 3xx is an error that
//! names its target's origin ([`redirect_refused`]).

use std::time::Duration;

/// How long one HTTP request may take, answer included, before it counts as lost.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const TIMEOUT_VARIABLE: &str = "ENTRA_REQUEST_TIMEOUT";
/// The largest answer read, sign-in or Graph. Real answers are small (a tenant holds at most
/// 195 Conditional Access policies of a few kilobytes each; a token answer is a few
/// kilobytes); this leaves a wide margin and keeps a hostile or broken server from growing
/// the provider without bound.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The client, with the request timeout from `ENTRA_REQUEST_TIMEOUT` (default two minutes) and
/// the extra roots from `SSL_CERT_FILE`; an unreadable setting is an error, not ignored.
pub fn build_client() -> anyhow::Result<reqwest::Client> {
    let timeout = crate::time_scale::scaled(request_timeout(
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
        .redirect(reqwest::redirect::Policy::none())
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

/// The error for a redirect (any 3xx), `None` for any other answer.
pub fn redirect_refused(resp: &reqwest::Response) -> Option<String> {
    let status = resp.status();
    if !status.is_redirection() {
        return None;
    }
    let target = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| resp.url().join(l).ok());
    Some(redirect_message(status.as_u16(), target.as_ref()))
}

/// Names the redirect's target by its origin only: a query or path may carry anything.
pub fn redirect_message(status: u16, target: Option<&url::Url>) -> String {
    let to = match target {
        Some(url) => format!("a redirect to {}", url.origin().ascii_serialization()),
        None => "a redirect".to_string(),
    };
    format!(
        "answered HTTP {status}, {to}; the provider follows no redirects, so that no secret or token is sent to a host it was not configured with"
    )
}

/// Why an answer's body could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Longer than [`MAX_ANSWER_BYTES`]: the same request would get the same answer.
    TooLarge,
    /// The connection broke or timed out on the way: worth another try.
    Broken(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooLarge => write!(
                f,
                "the answer is larger than {} MiB, far beyond any real answer; refusing to read it",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ),
            ReadError::Broken(e) => f.write_str(e),
        }
    }
}

/// The body, at most [`MAX_ANSWER_BYTES`] of it: refused up front when `Content-Length` says
/// more, and as soon as more arrives when it does not.
pub async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ReadError::Broken(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_is_named_by_its_origin_without_path_or_query() {
        let to = url::Url::parse("http://evil.example:8080/steal?client_secret=s3cr3t").unwrap();
        let m = redirect_message(307, Some(&to));
        assert!(m.contains("HTTP 307"), "{m}");
        assert!(m.contains("http://evil.example:8080"), "{m}");
        assert!(!m.contains("steal") && !m.contains("s3cr3t"), "{m}");
        assert!(redirect_message(302, None).contains("HTTP 302, a redirect;"));
    }

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
