//! `cargo xtask bench`: seeds SQLite and PostgreSQL with a community at scale
//! (`copse seed-bench`), starts Copse (release build) and a bare actix-web ceiling
//! server, loads the hot endpoints at 1, 8 and 32 connections (`copse-bench measure`),
//! and writes `bench/results.md` and `bench/results.json` with the targets marked and
//! the SPA's sizes. `--smoke` does the same with tiny data and a debug build in seconds
//! (it runs in `cargo xtask test` to keep the benchmark working); it writes to
//! `target/bench/` instead.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{Result, cargo, postgres_reachable, postgres_url, root, run_cmd, target_dir};

/// The generator's flags and their full-size values (the community at scale).
const FULL: [(&str, &str); 6] = [
    ("--members", "20000"),
    ("--topics", "100000"),
    ("--replies", "1000000"),
    ("--groups", "40"),
    ("--items", "20000"),
    ("--events", "2000"),
];
const SMOKE: [(&str, &str); 6] = [
    ("--members", "60"),
    ("--topics", "120"),
    ("--replies", "600"),
    ("--groups", "4"),
    ("--items", "30"),
    ("--events", "20"),
];
/// The seeded plain member the endpoints are measured as (see
/// `crates/api/src/seed/bench.rs`): most readers are members, whose lists go through
/// the group visibility rules that staff skip.
const EMAIL: &str = "member@bench.copse.community";
const PASSWORD: &str = "copse-bench-2026";

/// A child process killed when dropped, so a failed step leaves no server running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server and waits for its `<prefix><url>` line on standard output (the
/// readiness signal; no sleeping).
fn start(command: &mut Command, prefix: &str) -> Result<(Running, String)> {
    let mut child = command.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let url = child.stdout.take().and_then(|stdout| {
        BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
            .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
    });
    let running = Running(child);
    let url = url.ok_or_else(|| format!("{command:?} exited before listening"))?;
    Ok((running, url))
}

fn psql(url: &str, sql: &str) -> Result {
    run_cmd(Command::new("psql").args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]))
}

/// One database to measure: its label, URL (None: SQLite in `data`) and clean-up.
struct Database {
    label: String,
    url: Option<String>,
    data: PathBuf,
    drop_sql: Option<(String, String)>,
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, sql)) = &self.drop_sql {
            let _ = psql(admin, sql);
        }
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn value<'a>(args: &'a [String], name: &str, default: &'a str) -> &'a str {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, String::as_str)
}

pub fn run(args: &[String]) -> Result {
    let smoke = args.iter().any(|a| a == "--smoke");
    let profile = if smoke { "debug" } else { "release" };
    let mut build = cargo();
    build.args(["build", "-p", "copse-api", "-p", "copse-bench", "--bin", "copse", "--bin", "copse-bench"]);
    if !smoke {
        build.arg("--release");
    }
    run_cmd(&mut build)?;
    let bin = target_dir().join(profile);
    let sizes: Vec<(&str, String)> = (if smoke { SMOKE } else { FULL })
        .iter()
        .map(|(flag, default)| (*flag, value(args, flag, default).to_owned()))
        .collect();
    let replies = sizes.iter().find(|(f, _)| *f == "--replies").map_or("?", |(_, v)| v.as_str()).to_owned();
    let out_dir = if smoke { target_dir().join("bench") } else { root().join("bench") };
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let work = target_dir().join("bench-work");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;

    let mut databases = vec![Database {
        label: format!("SQLite, {replies} replies"),
        url: None,
        data: work.join("sqlite"),
        drop_sql: None,
    }];
    let admin_url = postgres_url();
    if !smoke {
        if !postgres_reachable(&admin_url) {
            return Err(format!("PostgreSQL is not reachable at {admin_url}: start it or set COPSE_TEST_POSTGRES_URL"));
        }
        let name = format!("copse_bench_{}", std::process::id());
        psql(&admin_url, &format!("DROP DATABASE IF EXISTS {name}"))?;
        psql(&admin_url, &format!("CREATE DATABASE {name}"))?;
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
        databases.push(Database {
            label: format!("PostgreSQL, {replies} replies"),
            url: Some(format!("{base}/{name}")),
            data: work.join("postgres"),
            drop_sql: Some((admin_url.clone(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))),
        });
    }
    let mut results = Vec::new();
    for (index, db) in databases.iter().enumerate() {
        let _ = std::fs::remove_dir_all(&db.data);
        std::fs::create_dir_all(&db.data).map_err(|e| e.to_string())?;
        let env = |command: &mut Command| {
            command.env("COPSE_DATA_DIR", &db.data).env("COPSE_LOG", "warn");
            match &db.url {
                Some(url) => command.env("COPSE_DATABASE_URL", url),
                None => command.env_remove("COPSE_DATABASE_URL"),
            };
        };
        let mut seed = Command::new(bin.join("copse"));
        seed.arg("seed-bench");
        for (flag, v) in &sizes {
            seed.args([*flag, v.as_str()]);
        }
        env(&mut seed);
        let started = std::time::Instant::now();
        run_cmd(&mut seed)?;
        eprintln!("xtask: seeded {} in {:.0} s", db.label, started.elapsed().as_secs_f64());

        let mut serve = Command::new(bin.join("copse"));
        serve
            .arg("serve")
            .env("COPSE_BIND", "127.0.0.1:0")
            .env("COPSE_WEB_DIR", root().join("dist"))
            .env("COPSE_EXPOSE_SQL_COUNT", "true")
            // The benchmark measures the endpoints, not the abuse limits in front of them.
            .env("COPSE_WRITES_PER_MINUTE", "1000000000")
            .env("COPSE_LOGIN_PER_IP_PER_MINUTE", "1000000000")
            .env("COPSE_LOGIN_PER_ACCOUNT", "1000000000");
        env(&mut serve);
        let (server, url) = start(&mut serve, "copse listening on ")?;
        let (_ceiling, ceiling) = start(Command::new(bin.join("copse-bench")).arg("ceiling"), "ceiling listening on ")?;
        let file = work.join(format!("results-{index}.json"));
        let pid = server.0.id().to_string();
        run_cmd(Command::new(bin.join("copse-bench")).args([
            "measure",
            "--copse",
            &url,
            "--ceiling",
            &ceiling,
            "--pid",
            &pid,
            "--label",
            &db.label,
            "--email",
            EMAIL,
            "--password",
            PASSWORD,
            "--seconds",
            if smoke { "0.3" } else { value(args, "--seconds", "5") },
            "--connections",
            if smoke { "1,2" } else { "1,8,32" },
            "--out",
            &file.display().to_string(),
        ]))?;
        drop(server);
        results.push(file);
    }
    let mut report = Command::new(bin.join("copse-bench"));
    report.arg("report");
    for file in &results {
        report.arg(file);
    }
    let dist: &Path = &root().join("dist");
    if dist.is_dir() {
        report.arg("--dist").arg(dist);
    }
    let command =
        if smoke { "cargo xtask bench --smoke".to_owned() } else { format!("cargo xtask bench {}", args.join(" ")) };
    report
        .arg("--out")
        .arg(out_dir.join("results.md"))
        .arg("--json")
        .arg(out_dir.join("results.json"))
        .args(["--command", command.trim()]);
    run_cmd(&mut report)?;
    eprintln!("xtask: benchmark report in {}", out_dir.join("results.md").display());
    Ok(())
}
