//! The private state a resource keeps with its object: `key=value` lines of plain text.
//! Terraform stores private state base64-encoded in the state file, and a JSON object there
//! would read as the start of a JWT (`eyJ`) to every secret scanner; lines starting with a key
//! never do. Values hold no newline.

/// Milliseconds since the Unix epoch, as private states record times.
pub fn now_unix_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The value of `key`, if the private state has it.
pub fn get<'a>(private: &'a [u8], key: &str) -> Option<&'a str> {
    std::str::from_utf8(private)
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
}

/// The private state with `key` set to `value`, on the last line (an earlier value is
/// removed).
pub fn with(private: &[u8], key: &str, value: &str) -> Vec<u8> {
    let mut text = String::from_utf8(without(private, key)).unwrap_or_default();
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("{key}={value}"));
    text.into_bytes()
}

/// The private state without `key`.
pub fn without(private: &[u8], key: &str) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(private) else {
        return Vec::new();
    };
    text.lines()
        .filter(|line| {
            line.strip_prefix(key)
                .is_none_or(|rest| !rest.starts_with('='))
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_set_read_replaced_and_removed_line_by_line() {
        let p = with(b"last_written_unix_ms=5", "copy", "{\"a\":1}");
        assert_eq!(p, b"last_written_unix_ms=5\ncopy={\"a\":1}");
        assert_eq!(get(&p, "last_written_unix_ms"), Some("5"));
        assert_eq!(get(&p, "copy"), Some("{\"a\":1}"));
        assert_eq!(get(&p, "cop"), None, "a key is matched whole");
        let p = with(&p, "last_written_unix_ms", "6");
        assert_eq!(p, b"copy={\"a\":1}\nlast_written_unix_ms=6");
        assert_eq!(without(&p, "copy"), b"last_written_unix_ms=6");
        assert_eq!(with(b"", "k", "v"), b"k=v");
        assert_eq!(get(&[0xff, 0xfe], "k"), None, "not text: nothing");
    }
}
