//! The load generator: `connections` tasks, each with its own keep-alive connection,
//! send the same request back to back for a fixed time; latencies are kept whole and
//! sorted for exact percentiles (a few hundred thousand samples at most).

use std::time::{Duration, Instant};

use serde::Serialize;

/// One request to repeat.
#[derive(Clone, Debug)]
pub struct Target {
    /// `GET` or `POST`.
    pub method: reqwest::Method,
    /// The full URL.
    pub url: String,
    /// A bearer token, if any.
    pub token: Option<String>,
    /// A JSON body, for `POST`.
    pub body: Option<String>,
    /// URLs the connections take in turn instead of `url` (connection `i` sends to
    /// `spread[i % len]`, e.g. one topic per writer); empty: all send to `url`.
    pub spread: Vec<String>,
}

/// What one run measured.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct Figures {
    /// Concurrent connections.
    pub connections: usize,
    /// Completed requests (2xx and others).
    pub requests: u64,
    /// Answers other than 2xx, and transport errors.
    pub errors: u64,
    /// Requests per second.
    pub rps: f64,
    /// Latency percentiles in milliseconds.
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
}

async fn one(client: &reqwest::Client, target: &Target, url: &str) -> bool {
    let mut request = client.request(target.method.clone(), url);
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &target.body {
        request = request.header("content-type", "application/json").body(body.clone());
    }
    match request.send().await {
        Ok(response) => {
            let ok = response.status().is_success();
            // Reading the whole body is part of the request's cost.
            response.bytes().await.is_ok() && ok
        }
        Err(_) => false,
    }
}

/// Sends `target` from `connections` tasks for `warmup + duration`, measuring the
/// `duration` part only.
pub async fn run(target: &Target, connections: usize, warmup: Duration, duration: Duration) -> Figures {
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::new();
    for i in 0..connections {
        let target = target.clone();
        let url =
            if target.spread.is_empty() { target.url.clone() } else { target.spread[i % target.spread.len()].clone() };
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap_or_default();
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let ok = one(&client, &target, &url).await;
                if sent >= measure_from {
                    latencies.push(sent.elapsed().as_micros() as u32);
                    errors += u64::from(!ok);
                }
            }
            (latencies, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for task in tasks {
        if let Ok((latencies, e)) = task.await {
            all.extend(latencies);
            errors += e;
        }
    }
    all.sort_unstable();
    let pick = |q: f64| {
        if all.is_empty() {
            return 0.0;
        }
        let index = ((all.len() as f64 * q).ceil() as usize).clamp(1, all.len()) - 1;
        f64::from(all[index]) / 1000.0
    };
    Figures {
        connections,
        requests: all.len() as u64,
        errors,
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50_ms: pick(0.50),
        p90_ms: pick(0.90),
        p99_ms: pick(0.99),
    }
}
