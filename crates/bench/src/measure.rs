//! Measures one running Copse (on one database) and the ceiling endpoint: each hot
//! endpoint at each concurrency, its SQL statements per request (`X-Sql-Statements`,
//! with `COPSE_EXPOSE_SQL_COUNT=true`), and the server's peak memory.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::flag;
use crate::load::{self, Figures, Target};

/// One endpoint's figures at every concurrency.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    /// What it is ("list topics").
    pub name: String,
    /// The request, for the report (`GET /api/v1/topics?limit=20`).
    pub request: String,
    /// Whether it only reads.
    pub read: bool,
    /// SQL statements one request issues.
    pub sql: Option<u32>,
    /// One entry per concurrency.
    pub runs: Vec<Figures>,
    /// The server's largest resident memory (VmRSS, sampled every 20 ms) while this
    /// endpoint was under load, in KiB.
    #[serde(default)]
    pub load_rss_kib: u64,
    /// The server's resident memory (VmRSS) just after this endpoint, in KiB: what it
    /// kept (caches, allocator arenas) rather than what it needed for a moment.
    #[serde(default)]
    pub rss_after_kib: u64,
}

/// Everything measured against one database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Results {
    /// `SQLite` or `PostgreSQL`, and the data size.
    pub label: String,
    /// The ceiling first, then Copse's endpoints.
    pub endpoints: Vec<Endpoint>,
    /// The server's peak resident memory since it started (VmHWM), in KiB: includes
    /// the start (building the route table and the OpenAPI document).
    pub peak_rss_kib: u64,
    /// The largest resident memory sampled while any endpoint was under load, in KiB
    /// (the target's "RSS under load").
    #[serde(default)]
    pub load_rss_kib: u64,
}

/// Samples the server's VmRSS every 20 ms until stopped; answers the largest value.
fn sample_rss(pid: String) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<u64>) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let sampler = tokio::spawn(async move {
        let mut largest = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        loop {
            tokio::select! {
                _ = &mut stopped => return largest,
                _ = tick.tick() => largest = largest.max(status_kib(&pid, "VmRSS")),
            }
        }
    });
    (stop, sampler)
}

/// A memory line of `/proc/<pid>/status` (`VmHWM`, `VmRSS`), in KiB.
fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|l| {
                l.strip_prefix(field)
                    .and_then(|v| v.strip_prefix(':'))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Result<Value, String> {
    let response = client.get(url).bearer_auth(token).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("GET {url}: {}", response.status()));
    }
    response.json().await.map_err(|e| e.to_string())
}

/// Sends the request once: it must succeed; returns its SQL statement count.
async fn probe(client: &reqwest::Client, target: &Target) -> Result<Option<u32>, String> {
    let mut request = client.request(target.method.clone(), &target.url);
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &target.body {
        request = request.header("content-type", "application/json").body(body.clone());
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let sql = response.headers().get("x-sql-statements").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("{} {}: {status} {body}", target.method, target.url));
    }
    Ok(sql)
}

/// `measure --copse URL --ceiling URL --pid PID --label TEXT --email E --password P
/// --seconds S --connections 1,8,32 --out FILE [--only "list topics,login"]`
pub fn run(args: &[String]) -> Result<(), String> {
    let need = |name: &str| flag(args, name).ok_or_else(|| format!("missing {name}"));
    let (copse, ceiling, pid, out) = (need("--copse")?, need("--ceiling")?, need("--pid")?, need("--out")?);
    let (email, password) = (need("--email")?, need("--password")?);
    let label = flag(args, "--label").unwrap_or("Copse").to_owned();
    let seconds: f64 = flag(args, "--seconds").unwrap_or("5").parse().map_err(|_| "bad --seconds")?;
    let connections: Vec<usize> = flag(args, "--connections")
        .unwrap_or("1,8,32")
        .split(',')
        .map(|c| c.parse().map_err(|_| format!("bad connection count {c}")))
        .collect::<Result<_, _>>()?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let results = runtime.block_on(async {
        let client = reqwest::Client::new();
        let login = json!({ "email": email, "password": password }).to_string();
        let session: Value = client
            .post(format!("{copse}/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(login.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let token = session["access_token"].as_str().ok_or(format!("login failed: {session}"))?.to_owned();
        // The busiest topic in the first page of the newest ones (the data has topics
        // with hundreds of replies; the page asked for is 20 of them).
        let topics = get_json(&client, &format!("{copse}/api/v1/topics?limit=100"), &token).await?;
        let topic = topics["items"]
            .as_array()
            .and_then(|items| items.iter().max_by_key(|t| t["reply_count"].as_i64().unwrap_or(0)))
            .and_then(|t| t["id"].as_str())
            .ok_or("no topics: seed the database first")?
            .to_owned();
        let people = get_json(&client, &format!("{copse}/api/v1/directory?limit=1"), &token).await?;
        let name = people["items"][0]["display_name"].as_str().unwrap_or("a");
        let word: String = name.split_whitespace().last().unwrap_or("a").chars().take(4).collect();
        let get = |path: String| Target {
            method: reqwest::Method::GET,
            url: format!("{copse}{path}"),
            token: Some(token.clone()),
            body: None,
            spread: Vec::new(),
        };
        let mut targets = vec![(
            "ceiling (bare actix-web)",
            "GET /json".to_owned(),
            true,
            Target {
                method: reqwest::Method::GET,
                url: format!("{ceiling}/json"),
                token: None,
                body: None,
                spread: Vec::new(),
            },
        )];
        for (name, path) in [
            ("list topics", "/api/v1/topics?limit=20".to_owned()),
            ("show topic (20 replies)", format!("/api/v1/topics/{topic}/posts?limit=20")),
            ("list library", "/api/v1/library?limit=20".to_owned()),
            ("directory search", format!("/api/v1/directory?q={word}&limit=20")),
            ("upcoming events", "/api/v1/events?when=upcoming&limit=20".to_owned()),
            ("change feed page", "/api/v1/changes?limit=100".to_owned()),
        ] {
            targets.push((name, format!("GET {path}"), true, get(path)));
        }
        targets.push((
            "login",
            "POST /api/v1/auth/login".to_owned(),
            false,
            Target {
                method: reqwest::Method::POST,
                url: format!("{copse}/api/v1/auth/login"),
                token: None,
                body: Some(login),
                spread: Vec::new(),
            },
        ));
        let reply = json!({ "body": "Thanks, this matches what we saw in the field trials." }).to_string();
        targets.push((
            "create reply",
            "POST /api/v1/topics/{id}/posts".to_owned(),
            false,
            Target {
                method: reqwest::Method::POST,
                url: format!("{copse}/api/v1/topics/{topic}/posts"),
                token: Some(token.clone()),
                body: Some(reply.clone()),
                spread: Vec::new(),
            },
        ));
        // Members replying at the same moment mostly reply to different topics: each
        // writer to its own (the 8 newest open topics), where "create reply" above
        // has every writer queue on one topic's row lock.
        let spread: Vec<String> = topics["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["locked"].as_bool() == Some(false))
            .filter_map(|t| t["id"].as_str())
            .take(8)
            .map(|id| format!("{copse}/api/v1/topics/{id}/posts"))
            .collect();
        targets.push((
            "create reply (one topic per writer)",
            "POST /api/v1/topics/{id}/posts, 8 topics".to_owned(),
            false,
            Target {
                method: reqwest::Method::POST,
                url: spread.first().cloned().ok_or("no open topics: seed the database first")?,
                token: Some(token.clone()),
                body: Some(reply),
                spread,
            },
        ));
        let duration = Duration::from_secs_f64(seconds);
        let warmup = Duration::from_secs_f64((seconds / 5.0).min(1.0));
        let mut endpoints = Vec::new();
        // `--only` measures a subset (comma-separated names) while working on them.
        let only: Option<Vec<&str>> = flag(args, "--only").map(|o| o.split(',').map(str::trim).collect());
        let targets = targets.into_iter().enumerate().filter(|(i, (name, ..))| {
            *i == 0 || only.as_ref().is_none_or(|names| names.iter().any(|n| name.starts_with(n)))
        });
        for (_, (name, request, read, target)) in targets {
            let mut sql = probe(&client, &target).await?;
            if read {
                // The first request fills what the server keeps in memory for a second
                // (settings, categories, groups, the account, members' names); the load
                // runs with them warm, so the count reported is a second request's.
                sql = probe(&client, &target).await?;
            }
            let (stop, sampler) = sample_rss(pid.to_owned());
            let mut runs = Vec::new();
            for &n in &connections {
                let figures = load::run(&target, n, warmup, duration).await;
                eprintln!(
                    "copse-bench: {label} {name} x{n}: {:.0} req/s, p99 {:.2} ms, {} errors",
                    figures.rps, figures.p99_ms, figures.errors
                );
                runs.push(figures);
            }
            let _ = stop.send(());
            let load_rss_kib = sampler.await.map_err(|e| e.to_string())?;
            let rss_after_kib = status_kib(pid, "VmRSS");
            eprintln!(
                "copse-bench: {label} {name}: RSS under load up to {:.0} MiB, {:.0} MiB after",
                load_rss_kib as f64 / 1024.0,
                rss_after_kib as f64 / 1024.0
            );
            endpoints.push(Endpoint { name: name.to_owned(), request, read, sql, runs, load_rss_kib, rss_after_kib });
        }
        // The ceiling is another process: only Copse's endpoints count.
        let load_rss_kib = endpoints.iter().skip(1).map(|e| e.load_rss_kib).max().unwrap_or(0);
        Ok::<_, String>(Results { label, endpoints, peak_rss_kib: status_kib(pid, "VmHWM"), load_rss_kib })
    })?;
    let text = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("cannot write {out}: {e}"))
}
