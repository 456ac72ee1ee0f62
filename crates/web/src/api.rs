//! The only module that does HTTP: it executes the typed endpoint definitions of
//! `copse-shared` with gloo-net, keeps the access token in memory (never in storage
//! that scripts could read later), and refreshes it transparently when it expires.

use std::cell::RefCell;
use std::rc::Rc;

use copse_shared::auth::{Session, User};
use copse_shared::endpoints::Refresh;
use copse_shared::{Endpoint, ErrorCode, Method, Problem};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Headers, RequestBuilder};
use serde_json::Value;

use crate::i18n::{Msg, t};

/// Why a call failed, in terms the pages can show.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem.
    Problem(Problem),
    /// The server could not be reached or answered something unreadable.
    Network(String),
}

impl ApiError {
    /// The message for one form field, if the server flagged it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Problem(problem) => problem.field(name).map(|e| e.message.clone()),
            ApiError::Network(_) => None,
        }
    }

    /// The stable code, if any.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Problem(problem) => Some(problem.code),
            ApiError::Network(_) => None,
        }
    }

    /// A sentence for the top of a form or page.
    pub fn message(&self) -> String {
        match self {
            ApiError::Problem(problem) => problem.detail.clone().unwrap_or_else(|| problem.title.clone()),
            ApiError::Network(_) => t(Msg::NetworkError).to_owned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}

/// A successful answer with the headers pages sometimes need (ETag).
pub struct Answer<T> {
    pub body: T,
    pub headers: Headers,
}

/// Told when a refresh behind a page's back signs a member in or out.
type SessionListener = Rc<dyn Fn(Option<User>)>;

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<Session, ApiError>>>;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
    static ON_SESSION: RefCell<Option<SessionListener>> = const { RefCell::new(None) };
}

/// Remembers (or forgets) the access token.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|cell| *cell.borrow_mut() = token);
}

fn token() -> Option<String> {
    TOKEN.with(|cell| cell.borrow().clone())
}

/// Registers the callback told about session changes made here (a refresh that
/// succeeds or fails behind a page's back).
pub fn on_session_change(callback: SessionListener) {
    ON_SESSION.with(|cell| *cell.borrow_mut() = Some(callback));
}

fn notify(user: Option<User>) {
    if let Some(callback) = ON_SESSION.with(|cell| cell.borrow().clone()) {
        callback(user);
    }
}

fn method(m: Method) -> gloo_net::http::Method {
    match m {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Put => gloo_net::http::Method::PUT,
        Method::Patch => gloo_net::http::Method::PATCH,
        Method::Delete => gloo_net::http::Method::DELETE,
    }
}

struct Raw {
    status: u16,
    headers: Headers,
    text: String,
}

// The transport is deliberately not generic: only serialising the request and
// parsing the answer depend on the endpoint, so the request code exists once in the
// wasm rather than once per endpoint.

async fn send(
    method: gloo_net::http::Method,
    path: &str,
    body: Option<&str>,
    bearer: Option<String>,
    extra: &[(&str, &str)],
) -> Result<Raw, ApiError> {
    let mut builder = RequestBuilder::new(path).method(method);
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    for (name, value) in extra {
        builder = builder.header(name, value);
    }
    let request = match body {
        Some(json) => builder.header("Content-Type", "application/json").body(json.to_owned()),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let headers = response.headers();
    let text = response.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    Ok(Raw { status, headers, text })
}

/// Sends a request; on an expired access token, refreshes once and retries.
async fn exchange(
    method: gloo_net::http::Method,
    path: String,
    body: Option<String>,
    extra: &[(&str, &str)],
) -> Result<Raw, ApiError> {
    let had_token = token();
    let first = send(method.clone(), &path, body.as_deref(), had_token.clone(), extra).await?;
    if first.status == 401 && had_token.is_some() {
        refresh().await?;
        return send(method, &path, body.as_deref(), token(), extra).await;
    }
    Ok(first)
}

/// The problem in a failed answer.
fn failure(raw: &Raw) -> ApiError {
    match serde_json::from_str::<Problem>(&raw.text) {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Network(format!("HTTP {}", raw.status)),
    }
}

fn decode<T: serde::de::DeserializeOwned>(raw: Raw) -> Result<Answer<T>, ApiError> {
    if raw.status >= 400 {
        return Err(failure(&raw));
    }
    let body = if raw.text.is_empty() { serde_json::from_value(Value::Null) } else { serde_json::from_str(&raw.text) }
        .map_err(|e| ApiError::Network(e.to_string()))?;
    Ok(Answer { body, headers: raw.headers })
}

/// Calls an endpoint and returns its body.
pub async fn call<E: Endpoint>(endpoint: &E) -> Result<E::Response, ApiError> {
    call_with(endpoint, &[]).await.map(|answer| answer.body)
}

/// Calls an endpoint with extra headers; on an expired access token, refreshes once
/// and retries.
pub async fn call_with<E: Endpoint>(endpoint: &E, extra: &[(&str, &str)]) -> Result<Answer<E::Response>, ApiError> {
    let body = match endpoint.body() {
        Some(body) => Some(serde_json::to_string(body).map_err(|e| ApiError::Network(e.to_string()))?),
        None => None,
    };
    decode(exchange(method(E::METHOD), endpoint.path(), body, extra).await?)
}

/// Trades the HttpOnly refresh cookie for a new access token. Concurrent callers share
/// one request: two parallel refreshes with the same cookie would look like theft to
/// the server, which would end the session.
pub async fn refresh() -> Result<Session, ApiError> {
    let future = REFRESHING.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                async {
                    let result = send(method(Refresh::METHOD), &Refresh.path(), None, None, &[])
                        .await
                        .and_then(decode::<Session>)
                        .map(|a| a.body);
                    match &result {
                        Ok(session) => {
                            set_token(Some(session.access_token.clone()));
                            notify(Some(session.user.clone()));
                        }
                        Err(_) => {
                            set_token(None);
                            notify(None);
                        }
                    }
                    result
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    let result = future.await;
    REFRESHING.with(|cell| *cell.borrow_mut() = None);
    result
}
