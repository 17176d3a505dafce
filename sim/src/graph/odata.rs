//! OData query options shared by all collections: `$filter` (eq / and), `$top` + `$skiptoken`
//! paging with `@odata.nextLink`, `$count`, `$select`.

use super::{GraphRequest, GraphResponse};
use crate::state::SimState;
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Percent-decode a path segment (`%24batch` -> `$batch`).
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encode a query value the way Graph's nextLinks look (`$` and quotes kept literal).
fn encode_query_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'$'
            | b'\''
            | b'('
            | b')'
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One `property eq literal` clause.
#[derive(Debug, Clone)]
pub(crate) struct EqClause {
    pub(crate) property: String,
    pub(crate) value: Value,
}

/// Parse `$filter` limited to `prop eq literal [and prop eq literal]*`, which is what Graph
/// documents for these resources. `properties` lists the filterable ones.
pub(crate) fn parse_filter(
    filter: &str,
    properties: &[&str],
    type_name: &str,
) -> Result<Vec<EqClause>, String> {
    let tokens = tokenize(filter)?;
    let mut clauses = Vec::new();
    let mut i = 0;
    loop {
        let (Some(prop), Some(op), Some(lit)) =
            (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
        else {
            return Err(format!(
                "Invalid filter clause: syntax error in '{filter}'."
            ));
        };
        let Token::Word(prop) = prop else {
            return Err(format!(
                "Invalid filter clause: syntax error in '{filter}'."
            ));
        };
        let Some(prop_name) = properties.iter().find(|p| p.eq_ignore_ascii_case(prop)) else {
            return Err(format!(
                "Invalid filter clause: Could not find a property named '{prop}' on type '{type_name}'."
            ));
        };
        if !matches!(op, Token::Word(w) if w.eq_ignore_ascii_case("eq")) {
            return Err(format!(
                "Invalid filter clause: only the 'eq' operator is supported on '{prop}'."
            ));
        }
        let value = match lit {
            Token::Str(s) => Value::String(s.clone()),
            Token::Word(w) if w == "true" => Value::Bool(true),
            Token::Word(w) if w == "false" => Value::Bool(false),
            Token::Word(w) if w == "null" => Value::Null,
            Token::Word(w) => match w.parse::<f64>() {
                Ok(n) => json!(n),
                Err(_) => return Err(format!("Invalid filter clause: bad literal '{w}'.")),
            },
        };
        clauses.push(EqClause {
            property: prop_name.to_string(),
            value,
        });
        i += 3;
        match tokens.get(i) {
            None => return Ok(clauses),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("and") => i += 1,
            Some(_) => {
                return Err(format!(
                    "Invalid filter clause: only 'and' can combine clauses in '{filter}'."
                ))
            }
        }
    }
}

pub(crate) fn matches_filter(item: &Value, clauses: &[EqClause]) -> bool {
    clauses.iter().all(|c| {
        let actual = item.get(&c.property).unwrap_or(&Value::Null);
        match (actual, &c.value) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    })
}

#[derive(Debug)]
enum Token {
    Word(String),
    Str(String),
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut v = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err("Invalid filter clause: unterminated string literal.".into())
                    }
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        v.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        v.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Token::Str(v));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '\'' {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        }
    }
    Ok(out)
}

/// Keep only `$select`ed properties (plus `id`, which Graph always returns).
pub(crate) fn apply_select(req: &GraphRequest, item: Value) -> Value {
    let Some(select) = req.q("$select") else {
        return item;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    match item {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| {
                    k == "id"
                        || k.starts_with('@')
                        || wanted.iter().any(|w| w.eq_ignore_ascii_case(k))
                })
                .collect(),
        ),
        other => other,
    }
}

const SKIPTOKEN_PREFIX: &str = "sim-offset:";

/// Build a collection response: `$count`, `$top` paging with an opaque `$skiptoken` in an
/// absolute `@odata.nextLink`, and `$select`. `items` are already filtered.
pub(crate) fn collection(
    state: &SimState,
    req: &GraphRequest,
    context_fragment: &str,
    items: Vec<Value>,
) -> GraphResponse {
    let offset = match req.q("$skiptoken") {
        None => 0,
        Some(tok) => match URL_SAFE_NO_PAD
            .decode(tok)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix(SKIPTOKEN_PREFIX)
                    .and_then(|n| n.parse::<usize>().ok())
            }) {
            Some(n) => n,
            None => return req.bad_request("The $skiptoken value is invalid or has expired."),
        },
    };
    let top = match req.q("$top") {
        None => None,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => Some(n),
            _ => {
                return req.bad_request(&format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                ))
            }
        },
    };
    let total = items.len();
    let end = match top {
        Some(n) => (offset + n).min(total),
        None => total,
    };
    let page: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(end.saturating_sub(offset))
        .map(|v| apply_select(req, v))
        .collect();

    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(state, context_fragment)),
    );
    if offset == 0
        && req
            .q("$count")
            .is_some_and(|c| c.eq_ignore_ascii_case("true"))
    {
        body.insert("@odata.count".into(), json!(total));
    }
    if end < total {
        let mut link = format!("{}{}?", req.base_url(state), req.path);
        for (k, v) in &req.query {
            if k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken") {
                continue;
            }
            link.push_str(&format!(
                "{}={}&",
                encode_query_value(k),
                encode_query_value(v)
            ));
        }
        let token = URL_SAFE_NO_PAD.encode(format!("{SKIPTOKEN_PREFIX}{end}"));
        link.push_str(&format!("$skiptoken={token}"));
        body.insert("@odata.nextLink".into(), json!(link));
    }
    body.insert("value".into(), Value::Array(page));
    GraphResponse::json(StatusCode::OK, Value::Object(body))
}
