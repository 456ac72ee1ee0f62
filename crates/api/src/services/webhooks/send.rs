//! One delivery attempt of a webhook, and the retry schedule. A `Sender` posts a signed
//! body to a partner's URL through a client that cannot be steered to private addresses
//! (guarded resolver, literal IPs checked, no redirects, no proxy), never waits longer
//! than its deadline, never buffers more than a small part of the answer, and reports
//! what happened as data for the outbox to store, never as a panic or an `Err`.

use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Response, redirect};

use super::guard::{GuardError, GuardedResolver, check_url};
use super::sign::SIGNATURE_HEADER;

/// The header carrying the event's id, stable across retries so partners can drop
/// duplicates.
pub const EVENT_ID_HEADER: &str = "Copse-Event-Id";
/// The header carrying the event's type (`topic.created`…).
pub const EVENT_TYPE_HEADER: &str = "Copse-Event-Type";
/// How many attempts a delivery gets in all, the first included. With [`backoff`] the
/// last one comes about 38 hours after the first, so a partner down for a night or a
/// whole day loses no events.
pub const MAX_ATTEMPTS: u32 = 16;
/// How much of a partner's response body is kept, in bytes, for its delivery log.
pub const EXCERPT_BYTES: usize = 2 * 1024;
/// Reading stops after this many bytes of a response body. Reading a small body to its
/// end lets the connection be reused; past this, closing it is cheaper than draining.
const READ_CAP_BYTES: usize = 64 * 1024;
/// The first retry waits this long; every later one twice as long as the one before.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// No retry waits longer than this (6 hours).
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 60 * 60);
/// The message of a failure is cut to this many characters before it is stored.
const MESSAGE_CHARS: usize = 500;

/// How a [`Sender`] behaves; `Options::default()` is the production setting.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Deliver to loopback and private addresses too: tests and development only.
    pub allow_private: bool,
    /// Longest wait for a TCP (and TLS) connection: 5 seconds by default.
    pub connect_timeout: Duration,
    /// Deadline for the whole attempt, reading the response included: 10 seconds by
    /// default, so a slow partner cannot hold a worker.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options { allow_private: false, connect_timeout: Duration::from_secs(5), timeout: Duration::from_secs(10) }
    }
}

/// The headers that describe the event being delivered.
#[derive(Clone, Copy, Debug)]
pub struct EventHeaders<'a> {
    /// Sent as `Copse-Event-Id`.
    pub id: &'a str,
    /// Sent as `Copse-Event-Type`.
    pub event_type: &'a str,
    /// Sent as `Copse-Signature`: the value of [`super::sign::sign`] over this body,
    /// made just before the attempt so its timestamp is fresh.
    pub signature: &'a str,
}

/// Why an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The URL is not one we deliver to (scheme, credentials, no host).
    InvalidUrl,
    /// The URL's host is, or resolves only to, a private or otherwise forbidden address.
    RefusedAddress,
    /// Connecting or answering took longer than the deadline.
    Timeout,
    /// No connection could be made (refused, unreachable, unknown name, TLS failure).
    Connect,
    /// The partner answered with a redirect; it is never followed.
    Redirect,
    /// The partner answered with a status other than 2xx or 3xx.
    Status,
    /// Anything else (an invalid header value, a broken connection mid-request).
    Other,
}

impl FailureKind {
    /// A stable snake_case name, for storage and for partners reading delivery logs.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidUrl => "invalid_url",
            FailureKind::RefusedAddress => "refused_address",
            FailureKind::Timeout => "timeout",
            FailureKind::Connect => "connect",
            FailureKind::Redirect => "redirect",
            FailureKind::Status => "status",
            FailureKind::Other => "other",
        }
    }
}

/// Why an attempt failed, in words for the delivery log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// What went wrong (never contains the URL, which may carry a partner's token).
    pub message: String,
}

/// What one delivery attempt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOutcome {
    /// The response's status, when the partner answered.
    pub status: Option<u16>,
    /// How long the attempt took, from the URL check to the end of reading.
    pub duration_ms: u64,
    /// The start of the response body (at most [`EXCERPT_BYTES`] bytes, decoded as UTF-8
    /// with invalid sequences replaced).
    pub response_excerpt: String,
    /// Why it failed; `None` when the partner answered 2xx.
    pub failure: Option<Failure>,
}

impl DeliveryOutcome {
    /// Whether the partner accepted the event (answered 2xx).
    pub fn is_success(&self) -> bool {
        self.failure.is_none()
    }
}

/// Delivers webhooks. Holds one HTTP client (and so one connection pool); clone it
/// freely, clones share the pool.
#[derive(Clone, Debug)]
pub struct Sender {
    client: Client,
    allow_private: bool,
}

impl Sender {
    /// A sender with its own client. Fails only when the TLS stack cannot start.
    pub fn new(options: Options) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .dns_resolver(GuardedResolver { allow_private: options.allow_private })
            // A redirect could point anywhere, a private address included; partners must
            // give the final URL.
            .redirect(redirect::Policy::none())
            // A proxy from the environment would make the connection (and its address
            // check) someone else's, and could itself sit on the private network.
            .no_proxy()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("Copse-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender { client, allow_private: options.allow_private })
    }

    /// Posts `body` (JSON) to `url` once with the event's headers. Success is a 2xx
    /// answer; everything else, including a redirect, is a failure recorded in the
    /// outcome. A 2xx stays a success even if reading its body then fails or times out:
    /// the partner has the event.
    pub async fn deliver(&self, url: &str, event: EventHeaders<'_>, body: Vec<u8>) -> DeliveryOutcome {
        let started = Instant::now();
        let outcome = |status: Option<u16>, excerpt: &[u8], failure: Option<Failure>| DeliveryOutcome {
            status,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            response_excerpt: String::from_utf8_lossy(excerpt).into_owned(),
            failure,
        };
        let url = match check_url(url, self.allow_private) {
            Ok(url) => url,
            Err(error) => {
                let kind = match error {
                    GuardError::Forbidden { .. } => FailureKind::RefusedAddress,
                    _ => FailureKind::InvalidUrl,
                };
                return outcome(None, &[], Some(failure(kind, error.to_string())));
            }
        };
        let sent = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, event.id)
            .header(EVENT_TYPE_HEADER, event.event_type)
            .header(SIGNATURE_HEADER, event.signature)
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return outcome(None, &[], Some(classify(error))),
        };
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
        let excerpt = read_capped(&mut response).await;
        let failed = if status.is_success() {
            None
        } else if status.is_redirection() {
            let to = location.map(|l| format!(" to {l}")).unwrap_or_default();
            Some(failure(FailureKind::Redirect, format!("answered {status} (redirect{to}, not followed)")))
        } else {
            Some(failure(FailureKind::Status, format!("answered {status}")))
        };
        outcome(Some(status.as_u16()), &excerpt, failed)
    }
}

/// Reads at most [`READ_CAP_BYTES`] of the body, keeping the first [`EXCERPT_BYTES`].
/// Whatever is left unread is dropped with the response, which closes the connection, so
/// a partner streaming gigabytes costs us 64 KB. The client's deadline also bounds this.
async fn read_capped(response: &mut Response) -> Vec<u8> {
    let mut excerpt = Vec::new();
    let mut read = 0usize;
    while read < READ_CAP_BYTES {
        let Ok(Some(chunk)) = response.chunk().await else { break };
        read += chunk.len();
        let room = EXCERPT_BYTES.saturating_sub(excerpt.len()).min(chunk.len());
        excerpt.extend_from_slice(&chunk[..room]);
    }
    excerpt
}

fn failure(kind: FailureKind, message: String) -> Failure {
    Failure { kind, message: message.chars().take(MESSAGE_CHARS).collect() }
}

/// Sorts a client error into a kind, with the whole cause chain as its message (the
/// top-level error alone says little more than "error sending request").
fn classify(error: reqwest::Error) -> Failure {
    let error = error.without_url();
    let mut refused = None;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(guard) = cause.downcast_ref::<GuardError>() {
            refused = Some(guard.to_string());
        }
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if let Some(reason) = refused {
        return failure(FailureKind::RefusedAddress, reason);
    }
    let kind = if error.is_timeout() {
        FailureKind::Timeout
    } else if error.is_connect() {
        FailureKind::Connect
    } else if error.is_redirect() {
        FailureKind::Redirect
    } else {
        FailureKind::Other
    };
    failure(kind, message)
}

/// How long to wait before the next attempt, after attempt number `attempt` (1 for the
/// first) failed: 30 s, 1 min, 2 min, 4 min… doubling up to at most 6 hours. Pure and
/// without jitter; a worker spreading a burst of retries adds its own.
pub fn backoff(attempt: u32) -> Duration {
    // Past 20 doublings the cap has long been reached; stopping there keeps the shift
    // and the multiplication from overflowing.
    let doublings = attempt.saturating_sub(1).min(20);
    FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_RETRY)
}

/// Whether a delivery is given up after `attempt` attempts (the failed one included):
/// true once [`MAX_ATTEMPTS`] have been made.
pub fn should_give_up(attempt: u32) -> bool {
    attempt >= MAX_ATTEMPTS
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    /// What the test server answers.
    #[derive(Clone)]
    enum Reply {
        /// These bytes, then close.
        Fixed(String),
        /// A 200 declaring a 1 GiB body, streamed until the client hangs up.
        Endless,
        /// Nothing at all, until the client hangs up.
        Silent,
    }

    /// A one-purpose HTTP/1.1 responder on 127.0.0.1 that records the requests it gets.
    struct TestServer {
        addr: SocketAddr,
        requests: Arc<Mutex<Vec<String>>>,
    }

    impl TestServer {
        async fn start(reply: Reply) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let requests = Arc::new(Mutex::new(Vec::new()));
            let seen = requests.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(answer(stream, reply.clone(), seen.clone()));
                }
            });
            TestServer { addr, requests }
        }

        fn url(&self, path: &str) -> String {
            format!("http://{}{path}", self.addr)
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }
    }

    async fn answer(mut stream: TcpStream, reply: Reply, seen: Arc<Mutex<Vec<String>>>) {
        let Some(request) = read_request(&mut stream).await else { return };
        seen.lock().unwrap().push(request);
        match reply {
            Reply::Fixed(bytes) => {
                let _ = stream.write_all(bytes.as_bytes()).await;
            }
            Reply::Endless => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1073741824\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b'a'; 64 * 1024];
                while stream.write_all(&block).await.is_ok() {}
            }
            Reply::Silent => {
                let mut buf = [0u8; 1024];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            }
        }
    }

    /// Reads one request (head and `content-length` body) and returns it as text.
    async fn read_request(stream: &mut TcpStream) -> Option<String> {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            data.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&data).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    return Some(text);
                }
            }
        }
    }

    fn reply(status: &str, headers: &str, body: &str) -> Reply {
        Reply::Fixed(format!(
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ))
    }

    fn sender(allow_private: bool) -> Sender {
        Sender::new(Options { allow_private, ..Options::default() }).unwrap()
    }

    const EVENT: EventHeaders<'static> =
        EventHeaders { id: "evt_123", event_type: "topic.created", signature: "t=1,v1=abc" };

    #[tokio::test]
    async fn a_2xx_answer_is_a_success_and_the_request_carries_the_event_headers() {
        let server = TestServer::start(reply("200 OK", "", "thanks")).await;
        let outcome = sender(true).deliver(&server.url("/hook"), EVENT, br#"{"a":1}"#.to_vec()).await;
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!(outcome.status, Some(200));
        assert_eq!(outcome.response_excerpt, "thanks");
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let request = requests[0].to_lowercase();
        assert!(request.starts_with("post /hook http/1.1\r\n"), "{request}");
        assert!(request.contains("\r\ncopse-event-id: evt_123\r\n"), "{request}");
        assert!(request.contains("\r\ncopse-event-type: topic.created\r\n"), "{request}");
        assert!(request.contains("\r\ncopse-signature: t=1,v1=abc\r\n"), "{request}");
        assert!(request.contains("\r\ncontent-type: application/json\r\n"), "{request}");
        assert!(request.contains(&format!("\r\nuser-agent: copse-webhooks/{}\r\n", env!("CARGO_PKG_VERSION"))));
        assert!(request.ends_with("\r\n\r\n{\"a\":1}"), "{request}");
    }

    #[tokio::test]
    async fn a_500_answer_is_a_status_failure_with_the_body_excerpt() {
        let server = TestServer::start(reply("500 Internal Server Error", "", "boom")).await;
        let outcome = sender(true).deliver(&server.url("/hook"), EVENT, b"{}".to_vec()).await;
        assert!(!outcome.is_success());
        assert_eq!(outcome.status, Some(500));
        assert_eq!(outcome.response_excerpt, "boom");
        assert_eq!(outcome.failure.map(|f| f.kind), Some(FailureKind::Status));
    }

    #[tokio::test]
    async fn a_redirect_is_a_failure_and_is_not_followed() {
        let target = TestServer::start(reply("200 OK", "", "")).await;
        let location = target.url("/elsewhere");
        let server = TestServer::start(reply("302 Found", &format!("location: {location}\r\n"), "")).await;
        let outcome = sender(true).deliver(&server.url("/hook"), EVENT, b"{}".to_vec()).await;
        assert_eq!(outcome.status, Some(302));
        let failure = outcome.failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Redirect);
        assert!(failure.message.contains("/elsewhere"), "{}", failure.message);
        assert!(target.requests().is_empty());
        assert_eq!(server.requests().len(), 1);
        assert!(server.requests()[0].starts_with("POST /hook "));
    }

    #[tokio::test]
    async fn an_endless_response_body_is_capped_and_does_not_hang() {
        let server = TestServer::start(Reply::Endless).await;
        let options = Options { allow_private: true, ..Options::default() };
        let outcome = Sender::new(options).unwrap().deliver(&server.url("/hook"), EVENT, b"{}".to_vec()).await;
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!(outcome.response_excerpt.len(), EXCERPT_BYTES);
        assert!(outcome.response_excerpt.bytes().all(|b| b == b'a'));
        // Reading the 1 GiB would run into the 10 s deadline; the cap stops far sooner.
        assert!(outcome.duration_ms < 5_000, "took {} ms", outcome.duration_ms);
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out_at_the_deadline() {
        let server = TestServer::start(Reply::Silent).await;
        let options = Options {
            allow_private: true,
            connect_timeout: Duration::from_millis(300),
            timeout: Duration::from_millis(300),
        };
        let outcome = Sender::new(options).unwrap().deliver(&server.url("/hook"), EVENT, b"{}".to_vec()).await;
        assert_eq!(outcome.status, None);
        assert_eq!(outcome.failure.map(|f| f.kind), Some(FailureKind::Timeout));
        assert!((300..3_000).contains(&outcome.duration_ms), "took {} ms", outcome.duration_ms);
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let outcome = sender(true).deliver(&format!("http://127.0.0.1:{port}/hook"), EVENT, b"{}".to_vec()).await;
        assert_eq!(outcome.status, None);
        assert_eq!(outcome.failure.map(|f| f.kind), Some(FailureKind::Connect));
    }

    #[tokio::test]
    async fn private_addresses_are_refused_without_connecting() {
        // A non-blocking listener: a connection made during `deliver` would be waiting in
        // its queue when `deliver` returns, so `accept` tells at once whether one came.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let sender = sender(false);
        for url in [format!("http://127.0.0.1:{port}/hook"), format!("http://localhost:{port}/hook")] {
            let outcome = sender.deliver(&url, EVENT, b"{}".to_vec()).await;
            assert_eq!(outcome.status, None, "{url}");
            let failure = outcome.failure.unwrap();
            assert_eq!(failure.kind, FailureKind::RefusedAddress, "{url}");
            assert!(failure.message.ends_with("is not a public address"), "{}", failure.message);
            let error = listener.accept().err().unwrap();
            assert_eq!(error.kind(), std::io::ErrorKind::WouldBlock, "{url} was connected to");
        }
    }

    #[tokio::test]
    async fn urls_that_are_not_plain_http_are_invalid() {
        let outcome = sender(false).deliver("ftp://example.com/hook", EVENT, b"{}".to_vec()).await;
        assert_eq!(outcome.failure.map(|f| f.kind), Some(FailureKind::InvalidUrl));
    }

    #[test]
    fn backoff_doubles_from_30_seconds_up_to_6_hours() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), minutes(1));
        assert_eq!(backoff(3), minutes(2));
        assert_eq!(backoff(10), minutes(256));
        assert_eq!(backoff(11), minutes(360));
        assert_eq!(backoff(MAX_ATTEMPTS), minutes(360));
        assert_eq!(backoff(u32::MAX), minutes(360));
        // Attempt 0 does not exist; it is treated like the first rather than panicking.
        assert_eq!(backoff(0), Duration::from_secs(30));
    }

    #[test]
    fn a_delivery_is_given_up_after_max_attempts() {
        assert!(!should_give_up(1));
        assert!(!should_give_up(MAX_ATTEMPTS - 1));
        assert!(should_give_up(MAX_ATTEMPTS));
        let waited: Duration = (1..MAX_ATTEMPTS).map(backoff).sum();
        // The documented span: about 38 hours from the first attempt to the last.
        assert_eq!(waited.as_secs() / 3600, 38);
    }
}
