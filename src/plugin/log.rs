//! Logging as go-plugin expects it from a provider: one hclog JSON object per line on stderr,
//! which Terraform re-logs under `provider.terraform-provider-entra` at the level given.
//! The level comes from `TF_LOG_PROVIDER` (or `TF_LOG`); nothing is written when neither is set.
//! Callers must never pass secrets or tokens as message or field text.

use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
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

/// One hclog JSON line: `@level`, `@message`, `@timestamp`, `@module`, then the fields.
pub fn line(level: Level, message: &str, fields: &[(&str, &str)]) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.name().into());
    if let Ok(ts) = time::OffsetDateTime::now_utc().format(TIMESTAMP) {
        obj.insert("@timestamp".into(), ts.into());
    }
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), "entra".into());
    for (k, v) in fields {
        obj.insert((*k).into(), (*v).into());
    }
    serde_json::Value::Object(obj).to_string()
}

pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if threshold().is_some_and(|t| level >= t) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", line(level, message, fields));
    }
}

pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields)
}

pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields)
}

pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields)
}

pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields)
}

/// Terraform's crash reporter only recognises Go-style `panic: ` lines, so a Rust panic is
/// printed that way (unconditionally: a crash must be visible whatever the log level).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("panic: {msg}\n\ngoroutine 1 [running]:\n{at}");
    }));
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
    fn levels_parse_like_terraform() {
        assert_eq!(Level::parse("TRACE"), Some(Level::Trace));
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("off"), None);
        assert!(Level::Error > Level::Debug);
    }
}
