//! Logging as Terraform sees it: the provider's log (`crate::log`, shared with the Graph
//! client) under the plugin layer's name, plus the one Terraform-specific piece, a panic printed
//! the way Terraform's crash reporter reads it.

pub use crate::log::{debug, error, info, line, log, redact, redact_also, warn, Level, REDACTED};

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
        eprintln!("panic: {}\n\ngoroutine 1 [running]:\n{at}", redact(&msg));
    }));
}
