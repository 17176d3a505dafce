//! Timestamp formats used by Graph and Entra (each service has its own).

use time::macros::format_description;
use time::OffsetDateTime;

/// Graph entity timestamps: ISO-8601 UTC with 7 fractional digits, e.g. `2025-01-27T07:20:59.2720129Z`.
pub(crate) fn graph(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    ))
    .expect("formatting a UTC timestamp cannot fail")
}

/// `innerError.date` in Graph error envelopes: `2025-02-13T10:17:06` (no fraction, no zone).
pub(crate) fn inner_error_date(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .expect("formatting a UTC timestamp cannot fail")
}

/// Entra token endpoint errors: `2016-01-09 02:02:12Z`.
pub(crate) fn entra(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]Z"
    ))
    .expect("formatting a UTC timestamp cannot fail")
}

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(crate) fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}
