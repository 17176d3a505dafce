//! Every wait the provider makes (retry backoff, `Retry-After`, the request timeout, the
//! Conditional Access rate budget, the pauses that ride out Graph's replication lag) measured
//! on one clock that tests can run faster. `ENTRA_TIME_SCALE=0.1` makes each of them a tenth
//! as long, to match a simulator started with the same time scale, so that the fault and
//! replication tests keep their real proportions at a fraction of the wall time. Unset, or
//! anything but a number in (0, 1], means real time: a production run never waits less than
//! Graph needs. Documented in docs/testing.md; not a setting for users. A leaf of its own: the
//! operation's time limit (`deadline`, set by the plugin layer) runs on this clock as well as
//! the Graph client's waits, and the plugin layer must not depend on the Graph client.

use std::sync::OnceLock;
use std::time::Duration;

const VARIABLE: &str = "ENTRA_TIME_SCALE";

/// The factor in force for this process (1.0 = real time).
pub fn factor() -> f64 {
    static FACTOR: OnceLock<f64> = OnceLock::new();
    *FACTOR.get_or_init(|| parse(std::env::var(VARIABLE).ok().as_deref()))
}

fn parse(value: Option<&str>) -> f64 {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|f| *f > 0.0 && *f <= 1.0)
        .unwrap_or(1.0)
}

/// A wait of `real` Graph time on this process's clock.
pub fn scaled(real: Duration) -> Duration {
    real.mul_f64(factor())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_speed_up_is_taken() {
        assert_eq!(parse(None), 1.0);
        assert_eq!(parse(Some("0.1")), 0.1);
        assert_eq!(parse(Some(" 0.05 ")), 0.05);
        assert_eq!(parse(Some("1")), 1.0);
        for bad in ["0", "-1", "2", "fast", "", "NaN", "inf"] {
            assert_eq!(parse(Some(bad)), 1.0, "{bad}");
        }
    }
}
