//! A partner's webhook endpoint for tests: a bare HTTP/1.1 server on loopback that
//! records every request and answers with scripted statuses (200 unless told).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request the endpoint received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).map_or("", String::as_str)
    }
}

/// Scripted answers: a status and an optional `Location`, used in order.
type Script = Arc<Mutex<VecDeque<(u16, Option<String>)>>>;

/// The endpoint.
pub struct Receiver {
    /// Its address (`http://127.0.0.1:<port>/hook`).
    pub url: String,
    received: tokio::sync::Mutex<mpsc::UnboundedReceiver<Received>>,
    script: Script,
}

impl Receiver {
    /// Starts listening on a free loopback port.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("its address"));
        let (tx, rx) = mpsc::unbounded_channel();
        let script: Script = Arc::default();
        let answers = script.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (tx, answers) = (tx.clone(), answers.clone());
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else { return };
                    let (status, location) = answers.lock().expect("script").pop_front().unwrap_or((200, None));
                    let location = location.map(|l| format!("Location: {l}\r\n")).unwrap_or_default();
                    let response = format!(
                        "HTTP/1.1 {status} Scripted\r\n{location}Content-Length: 2\r\nConnection: close\r\n\r\nok"
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                    let _ = tx.send(request);
                });
            }
        });
        Receiver { url, received: tokio::sync::Mutex::new(rx), script }
    }

    /// The next requests are answered with this status (and `Location`), in order.
    pub fn answer_next(&self, status: u16, location: Option<&str>) {
        self.script.lock().expect("script").push_back((status, location.map(str::to_owned)));
    }

    /// The next request, waiting at most `within` (a deadline on work done elsewhere).
    pub async fn next(&self, within: Duration) -> Option<Received> {
        tokio::time::timeout(within, self.received.lock().await.recv()).await.ok().flatten()
    }

    /// A request already received, without waiting.
    pub async fn try_next(&self) -> Option<Received> {
        self.received.lock().await.try_recv().ok()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = data[header_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..n]);
    }
    Some(Received { headers, body })
}
