//! A native client that executes endpoint definitions with reqwest. The tests use it,
//! and so can partners' Rust tools. It keeps cookies, so the refresh cookie works.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::endpoint::{Endpoint, Method};
use crate::error::Problem;

/// What can go wrong calling the API.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with a problem+json error.
    #[error("{0}")]
    Problem(Problem),
    /// The server answered an error that is not problem+json (a contract violation).
    #[error("status {status} without problem+json: {body}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// The raw body.
        body: String,
    },
    /// The request did not complete.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// The success body did not match the contract.
    #[error("decode: {0}")]
    Decode(String),
}

impl ClientError {
    /// The problem, if the server answered one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem(problem) => Some(problem),
            _ => None,
        }
    }
}

/// A full answer: status, headers and typed body.
#[derive(Debug)]
pub struct Answer<T> {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The typed body.
    pub body: T,
}

/// A Copse API client bound to one base URL, holding an optional bearer token.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

impl Client {
    /// A client for `base_url` (for example `http://127.0.0.1:8080`) with a cookie store.
    pub fn new(base_url: impl Into<String>) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        Ok(Self { http, base_url: base_url.into().trim_end_matches('/').to_owned(), token: None })
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The underlying reqwest client, for requests outside the contract (malformed bodies).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Use this bearer token (a member JWT or a `copse_` API key) from now on.
    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// The bearer token in use.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Calls an endpoint and returns its typed body.
    pub async fn call<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, ClientError> {
        Ok(self.call_with(endpoint, &[]).await?.body)
    }

    /// Calls an endpoint with extra headers (`If-Match`, `Idempotency-Key`, ...) and
    /// returns status, headers and body.
    pub async fn call_with<E: Endpoint>(
        &self,
        endpoint: &E,
        headers: &[(&str, &str)],
    ) -> Result<Answer<E::Response>, ClientError> {
        let url = format!("{}{}", self.base_url, endpoint.path());
        let method = match E::METHOD {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self.http.request(method, url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| ClientError::Decode(e.to_string()))?;
            let value = HeaderValue::from_str(value).map_err(|e| ClientError::Decode(e.to_string()))?;
            request = request.header(name, value);
        }
        if let Some(body) = endpoint.body() {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        if status >= 400 {
            let is_problem = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/problem+json"));
            return match serde_json::from_slice::<Problem>(&bytes) {
                Ok(problem) if is_problem => Err(ClientError::Problem(problem)),
                _ => Err(ClientError::Unexpected { status, body: String::from_utf8_lossy(&bytes).into_owned() }),
            };
        }
        let body = if bytes.is_empty() { serde_json::from_value(Value::Null) } else { serde_json::from_slice(&bytes) }
            .map_err(|e| ClientError::Decode(format!("{e}: {}", String::from_utf8_lossy(&bytes))))?;
        Ok(Answer { status, headers, body })
    }
}
