//! The provider's log: one hclog JSON object per line on stderr, the form go-plugin expects and
//! Terraform re-logs under `provider.terraform-provider-entra` at the level given. A leaf that
//! the plugin layer and the Graph client both write to, so that neither depends on the other.
//! The level comes from `TF_LOG_PROVIDER` (or `TF_LOG`); nothing is written when neither is set.
//! Callers must never pass secrets or tokens as message or field text. Text a server wrote
//! may still quote one (an error echoing the request), so every line is also passed through
//! [`redact`], which blanks every string registered with [`redact_also`].

use std::borrow::Cow;
use std::io::Write;
use std::sync::{OnceLock, RwLock};

/// How much a line matters; a line is written when its level is at least the threshold set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The most detail (`TF_LOG=trace`, or `json`).
    Trace,
    /// Detail for a bug report: each request, how long each RPC took.
    Debug,
    /// What the provider is doing: starting, creating, deleting.
    Info,
    /// Something went wrong and is being worked around (a retry, a new token).
    Warn,
    /// Something failed for good.
    Error,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "trace" | "json" => Some(Level::Trace),
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The threshold, read once: `TF_LOG_PROVIDER` wins over `TF_LOG`, as in Terraform itself.
fn threshold() -> Option<Level> {
    static LEVEL: OnceLock<Option<Level>> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let var = |k| std::env::var(k).ok().filter(|v: &String| !v.is_empty());
        var("TF_LOG_PROVIDER")
            .or_else(|| var("TF_LOG"))
            .and_then(|v| Level::parse(&v))
    })
}

/// hclog's timestamp layout, exactly six fractional digits; any other form makes go-plugin
/// treat the whole line as plain text.
const TIMESTAMP: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// What replaces a registered secret.
pub const REDACTED: &str = "[redacted]";

/// Strings shorter than this are not registered: blanking every `abc` would garble all text,
/// and a secret that short protects nothing anyway.
const MIN_REDACTED_LEN: usize = 6;

/// The registered secrets, longest first so that one containing another is blanked whole.
fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(Default::default)
}

/// Registers a secret to blank from every log line and from any text passed to [`redact`]:
/// as written, and as it appears when a server echoes a form or URL that carried it.
pub fn redact_also(secret: &str) {
    if secret.len() < MIN_REDACTED_LEN {
        return;
    }
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let mut all = secrets().write().unwrap_or_else(|e| e.into_inner());
    for s in [secret.to_string(), form, json] {
        if !all.contains(&s) {
            all.push(s);
        }
    }
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let all = secrets().read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for s in all.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), REDACTED));
        }
    }
    out
}

/// One hclog JSON line: `@level`, `@message`, `@timestamp`, `@module`, then the fields, every
/// text redacted.
pub fn line(level: Level, message: &str, fields: &[(&str, &str)]) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.name().into());
    if let Ok(ts) = time::OffsetDateTime::now_utc().format(TIMESTAMP) {
        obj.insert("@timestamp".into(), ts.into());
    }
    obj.insert("@message".into(), redact(message).into());
    obj.insert("@module".into(), "entra".into());
    for (k, v) in fields {
        obj.insert((*k).into(), redact(v).into());
    }
    serde_json::Value::Object(obj).to_string()
}

/// Writes one line at `level`, if the threshold lets it through; `fields` become JSON keys.
pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if threshold().is_some_and(|t| level >= t) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", line(level, message, fields));
    }
}

/// Logs at debug level.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields)
}

/// Logs at info level.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields)
}

/// Logs at warn level.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields)
}

/// Logs at error level.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_hclog_json() {
        let l = line(Level::Warn, "retrying", &[("status", "429")]);
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@message"], "retrying");
        assert_eq!(v["status"], "429");
        let ts = v["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        assert!(!l.contains('\n'));
    }

    #[test]
    fn registered_secrets_are_blanked_in_every_form() {
        redact_also("s3cr3t+value/x\"y");
        redact_also("short");
        let text =
            "echo s3cr3t+value/x\"y and s3cr3t%2Bvalue%2Fx%22y and s3cr3t+value/x\\\"y short";
        let r = redact(text);
        assert!(!r.contains("s3cr3t"), "{r}");
        assert_eq!(r.matches(REDACTED).count(), 3, "{r}");
        assert!(r.ends_with(" short"), "{r}");
        let l = line(Level::Info, "got s3cr3t+value/x\"y", &[("body", text)]);
        assert!(!l.contains("s3cr3t"), "{l}");
    }

    #[test]
    fn levels_parse_like_terraform() {
        assert_eq!(Level::parse("TRACE"), Some(Level::Trace));
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("off"), None);
        assert!(Level::Error > Level::Debug);
    }
}
