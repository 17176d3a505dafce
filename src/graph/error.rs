//! Graph errors as users need to see them: HTTP status, Graph `code`, the numbered detail that
//! Conditional Access puts in `innerError.message`, and the request-id Microsoft support asks for.

use crate::log;
use serde_json::Value as Json;
use std::fmt;

/// An error status from Graph, with everything a user or Microsoft support needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The HTTP method, for the message.
    pub method: String,
    /// The path below Graph's root, with the version, for the message.
    pub path: String,
    /// The HTTP status, which decides retries and what a 404 means.
    pub status: u16,
    /// Graph's `error.code` (the PIM backend's `errorCode` where it nests one); empty if none.
    pub code: String,
    /// Graph's `error.message`, or the start of a body that is not Graph's JSON.
    pub message: String,
    /// `innerError.message`, where Conditional Access puts its numbered detail.
    pub inner_message: Option<String>,
    /// What Microsoft support asks for first.
    pub request_id: Option<String>,
    /// When Graph answered, as it says; support asks for it with the request id.
    pub date: Option<String>,
}

/// Why a Graph request failed; its `Display` is the text users see.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphError {
    /// Graph answered with an error status (boxed: it is large and errors are rare).
    Api(Box<ApiError>),
    /// No usable answer: network failure, retries exhausted, cancelled, bad credentials.
    Transport {
        /// The HTTP method, for the message.
        method: String,
        /// The path below Graph's root, for the message.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The request went out but no usable answer came back (connection broken or timed out
    /// after sending, or a success status without the object): Graph may have acted on it.
    NoAnswer {
        /// The HTTP method, for the message.
        method: String,
        /// The path below Graph's root, for the message.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// No token: the credential failed, with its reason.
    Auth(String),
    /// Terraform asked the provider to stop while the request was under way.
    Cancelled,
}

impl GraphError {
    /// Builds the error from a response body, tolerating non-JSON bodies and the PIM backend's
    /// habit of putting a JSON document inside `message` under code `UnknownError`.
    pub fn from_response(
        method: &str,
        path: &str,
        status: u16,
        request_id: Option<String>,
        body: &[u8],
    ) -> GraphError {
        let json: Json = serde_json::from_slice(body).unwrap_or(Json::Null);
        let err = &json["error"];
        let mut code = err["code"].as_str().unwrap_or_default().to_string();
        let mut message = err["message"]
            .as_str()
            .map(str::to_string)
            // Redacted before it is cut: a secret cut in half would no longer be recognised.
            .unwrap_or_else(|| {
                log::redact(&String::from_utf8_lossy(body))
                    .chars()
                    .take(500)
                    .collect()
            });
        if code == "UnknownError" {
            if let Ok(inner) = serde_json::from_str::<Json>(&message) {
                if let Some(c) = inner["errorCode"].as_str() {
                    code = c.to_string();
                }
                if let Some(m) = inner["message"].as_str() {
                    message = m.to_string();
                }
            }
        }
        let inner = &err["innerError"];
        GraphError::Api(Box::new(ApiError {
            method: method.to_string(),
            path: path.to_string(),
            status,
            code,
            message,
            inner_message: inner["message"].as_str().map(str::to_string),
            request_id: inner["request-id"]
                .as_str()
                .map(str::to_string)
                .or(request_id),
            date: inner["date"].as_str().map(str::to_string),
        }))
    }

    /// The HTTP status Graph answered with; `None` when it did not answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// Whether Graph said 404; what that means (gone, or not there yet) is the caller's to judge.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether Graph may have carried out the request although it failed: the write may exist.
    /// A 5xx or 408 can come from a gateway after the backend committed; a lost answer says
    /// nothing either way. Throttling (429) and client errors are refused before processing.
    pub fn may_have_acted(&self) -> bool {
        match self {
            GraphError::Api(e) => e.status >= 500 || e.status == 408,
            GraphError::NoAnswer { .. } => true,
            _ => false,
        }
    }
}

/// Whatever a server wrote may quote a secret or token we sent (an error echoing the request):
/// every registered secret is blanked from the text, wherever it is shown.
impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&log::redact(&Unredacted(self).to_string()))
    }
}

struct Unredacted<'a>(&'a GraphError);

impl fmt::Display for Unredacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            GraphError::Api(e) => {
                let ApiError {
                    method,
                    path,
                    status,
                    code,
                    message,
                    inner_message,
                    request_id,
                    date,
                } = &**e;
                write!(
                    f,
                    "Microsoft Graph answered {method} {path} with HTTP {status}"
                )?;
                if !code.is_empty() {
                    write!(f, " ({code})")?;
                }
                write!(f, ": {message}")?;
                if let Some(inner) = inner_message.as_deref().filter(|m| *m != message) {
                    write!(f, "\n{inner}")?;
                }
                if let Some(id) = request_id {
                    write!(f, "\nrequest-id: {id}")?;
                }
                if let Some(d) = date {
                    write!(f, " (date: {d})")?;
                }
                Ok(())
            }
            GraphError::Transport {
                method,
                path,
                message,
            }
            | GraphError::NoAnswer {
                method,
                path,
                message,
            } => {
                write!(f, "{method} {path} failed: {message}")
            }
            GraphError::Auth(m) => write!(f, "could not obtain a token for Microsoft Graph: {m}"),
            GraphError::Cancelled => write!(f, "cancelled: Terraform asked the provider to stop"),
        }
    }
}

impl std::error::Error for GraphError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_access_detail_from_inner_error_is_shown() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/graph-examples/error.ca-1012-useractions.json"
        ))
        .expect("shared reference beside the checkout");
        let e = GraphError::from_response(
            "POST",
            "/v1.0/identity/conditionalAccess/policies",
            400,
            None,
            &body,
        );
        let text = e.to_string();
        assert!(text.contains("HTTP 400"), "{text}");
        assert!(text.contains("1012"), "{text}");
        assert!(text.contains("request-id"), "{text}");
    }

    #[test]
    fn pim_unknown_error_is_unwrapped() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/graph-examples/error.pim-unknownerror-missingprovider.json"
        ))
        .expect("shared reference beside the checkout");
        let e = GraphError::from_response(
            "GET",
            "/v1.0/policies/roleManagementPolicies",
            400,
            None,
            &body,
        );
        match e {
            GraphError::Api(e) => {
                assert_eq!(e.code, "MissingProvider");
                assert_eq!(e.message, "The provider is missing.");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secrets_echoed_by_a_server_are_blanked() {
        log::redact_also("eyJhbGciOi.token-echoed-by-graph");
        let body = format!(
            "<html>{}Authorization: Bearer eyJhbGciOi.token-echoed-by-graph</html>",
            "x".repeat(470)
        );
        let e = GraphError::from_response("GET", "/v1.0/x", 502, None, body.as_bytes());
        assert!(!e.to_string().contains("token-echoed"), "{e}");
        assert!(
            !e.to_string().contains("eyJhbGciOi"),
            "cut, then redacted: {e}"
        );
        let json =
            r#"{"error":{"code":"Bad","message":"you sent eyJhbGciOi.token-echoed-by-graph"}}"#;
        let e = GraphError::from_response("GET", "/v1.0/x", 400, None, json.as_bytes());
        assert!(e.to_string().ends_with("you sent [redacted]"), "{e}");
    }

    #[test]
    fn non_json_bodies_are_kept_short() {
        let body = vec![b'x'; 5000];
        let e = GraphError::from_response("GET", "/v1.0/x", 502, Some("rid".into()), &body);
        let text = e.to_string();
        assert!(text.len() < 700);
        assert!(text.contains("request-id: rid"));
    }
}
