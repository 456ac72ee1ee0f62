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
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

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

/// Downloads a protected file (an item's version, a thumbnail) with the access token
/// and hands it to the page as an object URL. Links cannot carry the `Authorization`
/// header, so the SPA fetches the bytes itself; the caller revokes the URL when done.
pub async fn object_url(path: &str) -> Result<String, ApiError> {
    let fetch = |bearer: Option<String>| async move {
        let mut builder = RequestBuilder::new(path).method(gloo_net::http::Method::GET);
        if let Some(token) = bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        builder.send().await.map_err(|e| ApiError::Network(e.to_string()))
    };
    let had_token = token();
    let mut response = fetch(had_token.clone()).await?;
    if response.status() == 401 && had_token.is_some() {
        refresh().await?;
        response = fetch(token()).await?;
    }
    if response.status() >= 400 {
        let raw = Raw {
            status: response.status(),
            headers: response.headers(),
            text: response.text().await.unwrap_or_default(),
        };
        return Err(failure(&raw));
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| ApiError::Network("blob".to_owned()))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Network("object URL".to_owned()))
}

/// Saves a protected file under `file_name`, as a click on a download link would.
pub async fn save_file(path: &str, file_name: &str) -> Result<(), ApiError> {
    let url = object_url(path).await?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| ApiError::Network("document".into()))?;
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or_else(|| ApiError::Network("anchor".to_owned()))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The click has started the download; the browser keeps its own reference.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Posts a multipart form with XMLHttpRequest (fetch cannot report upload progress),
/// calling `on_progress(sent, total)` as bytes leave; refreshes once on 401.
pub async fn upload<T: serde::de::DeserializeOwned>(
    path: &str,
    form: &web_sys::FormData,
    on_progress: Rc<dyn Fn(f64, f64)>,
) -> Result<T, ApiError> {
    let had_token = token();
    let mut raw = xhr_post(path, form, had_token.clone(), on_progress.clone()).await?;
    if raw.status == 401 && had_token.is_some() {
        refresh().await?;
        raw = xhr_post(path, form, token(), on_progress).await?;
    }
    decode(raw).map(|answer| answer.body)
}

async fn xhr_post(
    path: &str,
    form: &web_sys::FormData,
    bearer: Option<String>,
    on_progress: Rc<dyn Fn(f64, f64)>,
) -> Result<Raw, ApiError> {
    let network = |_| ApiError::Network(t(Msg::NetworkError).to_owned());
    let xhr = web_sys::XmlHttpRequest::new().map_err(network)?;
    xhr.open("POST", path).map_err(network)?;
    if let Some(token) = bearer {
        xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(network)?;
    }
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
        if ev.length_computable() {
            on_progress(ev.loaded(), ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    xhr.send_with_opt_form_data(Some(form)).map_err(network)?;
    let outcome = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(progress);
    outcome.map_err(network)?;
    let status = xhr.status().map_err(network)?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    let headers = Headers::new();
    if let Some(content_type) = xhr.get_response_header("content-type").ok().flatten() {
        headers.set("content-type", &content_type);
    }
    Ok(Raw { status, headers, text })
}
