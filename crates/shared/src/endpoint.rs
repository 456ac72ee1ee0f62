//! The typed endpoint abstraction: one definition per operation gives its method, path,
//! request body and response type, so the SPA, the tests and the server never disagree.

use serde::{Serialize, de::DeserializeOwned};

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// The method's name as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The response type of operations that answer `204 No Content`.
pub type NoContent = ();

/// One API operation. Implementors are small structs holding the path parameters,
/// query and body of a single call.
pub trait Endpoint {
    /// The HTTP method.
    const METHOD: Method;
    /// The path template as documented in OpenAPI, for example `/api/v1/members/{id}`.
    const PATH: &'static str;
    /// The JSON request body (`()` when there is none).
    type Body: Serialize;
    /// The JSON response body (`()` for 204).
    type Response: DeserializeOwned;

    /// The concrete path and query string of this call.
    fn path(&self) -> String {
        Self::PATH.to_owned()
    }

    /// The request body, if the operation takes one.
    fn body(&self) -> Option<&Self::Body> {
        None
    }
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters kept).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Builds a query string (with its leading `?`) from the pairs whose value is present.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| value.as_ref().map(|value| format!("{key}={}", encode_component(value))))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_unreserved_characters_and_escapes_the_rest() {
        assert_eq!(encode_component("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_component("a b/c?d&é"), "a%20b%2Fc%3Fd%26%C3%A9");
    }

    #[test]
    fn query_string_skips_absent_values() {
        assert_eq!(query_string(&[("a", None)]), "");
        assert_eq!(query_string(&[("a", Some("1".into())), ("b", None), ("c", Some("x y".into()))]), "?a=1&c=x%20y");
    }
}
