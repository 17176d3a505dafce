//! The `timeouts` block Terraform providers conventionally offer (`create`, `read`, `update`,
//! `delete`, each a duration such as `"30s"`, `"5m"` or `"1h30m"`), so that configurations
//! written for other providers keep working, and honoured: the value bounds the operation. It
//! is configuration only: kept in the state as written, never sent anywhere, and a change to it
//! alone changes nothing remote.

use super::diag::{AttrPath, Diagnostics};
use super::schema::{Attribute, Block, Mode, NestedBlock, Type};
use super::value::Value;
use std::time::Duration;

/// The block's name in HCL.
pub const BLOCK: &str = "timeouts";
const OPERATIONS: [&str; 4] = ["create", "read", "update", "delete"];

/// The block, for a resource schema that offers it.
pub fn block() -> NestedBlock {
    NestedBlock::once(
        BLOCK,
        OPERATIONS
            .iter()
            .map(|op| {
                Attribute::new(
                    op,
                    Type::String,
                    Mode::Optional,
                    &format!(
                        "How long the {op} may take, e.g. `\"5m\"`: retries and waits stop there."
                    ),
                )
            })
            .collect(),
        vec![],
        "Time limits per operation, as other providers spell them.",
    )
}

/// Whether a resource schema offers the block.
pub fn offered(schema: &Block) -> bool {
    schema.block_types.iter().any(|b| b.type_name == BLOCK)
}

/// A Go-style duration (what Terraform providers take): numbers with units `h`, `m`, `s` or
/// `ms`, in sequence (`"1h30m"`), positive.
pub fn parse(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!("{s:?} is not a duration: write a number and a unit (h, m, s, ms), for example \"30s\", \"5m\" or \"1h30m\".")
    };
    let mut total = Duration::ZERO;
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(number * seconds).map_err(|_| bad())?;
    }
    if total.is_zero() {
        return Err(format!(
            "{s:?} is no time at all: give the operation a positive limit."
        ));
    }
    Ok(total)
}

/// The limit `value` (a resource's state or configuration) sets for `operation`.
pub fn limit(value: &Value, operation: &str) -> Option<Duration> {
    value
        .block(BLOCK)
        .get(operation)
        .as_str()
        .and_then(|s| parse(s).ok())
}

/// Errors for durations that do not parse, at their attribute.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    for op in OPERATIONS {
        if let Some(Err(e)) = config.block(BLOCK).get(op).as_str().map(parse) {
            d.push_attr_error(
                AttrPath::root(BLOCK).index(0).attr(op),
                "Invalid duration",
                e,
            );
        }
    }
    d
}

/// `to` with the block as `from` has it (the resource itself never looks at it).
pub fn carry(to: &mut Value, from: &Value) {
    if let Value::Object(m) = to {
        m.insert(BLOCK.into(), from.get(BLOCK).clone());
    }
}

/// Whether `a` and `b` differ in the block alone: nothing remote to do.
pub fn only_difference(a: &Value, b: &Value) -> bool {
    if a == b {
        return false;
    }
    let mut a = a.clone();
    carry(&mut a, b);
    a == *b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_and_nonsense_does_not() {
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["", "5", "m", "5 minutes", "-5m", "0s", "5d"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_change_of_timeouts_alone_is_told_apart() {
        let with = |t: &str| {
            Value::object([
                ("id", Value::string("x")),
                (
                    BLOCK,
                    Value::List(vec![Value::object([("create", Value::string(t))])]),
                ),
            ])
        };
        assert!(only_difference(&with("5m"), &with("10m")));
        assert!(!only_difference(&with("5m"), &with("5m")));
        let mut other = with("10m");
        carry(&mut other, &with("5m"));
        assert_eq!(other, with("5m"));
        assert_eq!(
            limit(&with("10m"), "create"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(limit(&with("10m"), "delete"), None);
    }
}
