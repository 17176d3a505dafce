//! OData query options built from values a user wrote, so that a value is only ever a value:
//! quotes doubled inside the string literal (OData's escape), then every character outside
//! the URL's unreserved set percent-encoded, so `&`, `#`, `+` and `%` reach Graph as written
//! instead of ending the option, starting a fragment or turning into a space.

/// `$filter=` value (encoded) for `property eq 'value'`.
pub fn eq_filter(property: &str, value: &str) -> String {
    encode(&format!("{property} eq '{}'", value.replace('\'', "''")))
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_percent_encoded() {
        assert_eq!(
            eq_filter("displayName", "Global Reader"),
            "displayName%20eq%20%27Global%20Reader%27"
        );
        assert_eq!(
            eq_filter("displayName", "R&D's #1 + 100%"),
            "displayName%20eq%20%27R%26D%27%27s%20%231%20%2B%20100%25%27"
        );
        assert_eq!(
            eq_filter("displayName", "Lecteur général"),
            "displayName%20eq%20%27Lecteur%20g%C3%A9n%C3%A9ral%27"
        );
    }
}
