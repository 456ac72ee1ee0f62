//! Project automation. `cargo xtask run` installs what is missing, builds the SPA and
//! starts Copse; `cargo xtask test` runs every test suite. Both run without prompts.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod browser;
mod tools;
mod web;

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(args.iter().any(|a| a == "--release")),
        Some("test") => test(),
        Some("install") => tools::install_all(),
        Some("build-web") => tools::install_web().and_then(|_| build_web()),
        Some("openapi") => openapi(),
        Some("bench") => bench::run(&args[1..]),
        Some("e2e") => tools::install_all().and_then(|_| build_web()).and_then(|_| browser_tests()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>
  run [--release]  install what is missing, build the SPA, start Copse (COPSE_* variables honoured)
  test             every test: unit, API on SQLite and PostgreSQL, OpenAPI drift, wasm check, browser
  install          install the build and test tools only
  build-web        build the SPA into dist/
  openapi          regenerate openapi/openapi.json from the code
  e2e              build the SPA and run the browser tests only
  bench [--smoke]  seed SQLite and PostgreSQL at scale, load the hot endpoints, write bench/results.md
                   (--members, --topics, --replies, --groups, --items, --events, --seconds override sizes)";

/// The workspace root (xtask lives in crates/xtask).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative paths are taken
/// from the workspace root, as cargo does), else `target/`. Binaries that xtask starts
/// itself must be looked up here, or a run with another target directory finds none.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Runs a command in the workspace root, failing with its description.
pub fn run_cmd(cmd: &mut Command) -> Result {
    let description = format!("{cmd:?}");
    eprintln!("xtask: $ {description}");
    let status = cmd.current_dir(root()).status().map_err(|e| format!("cannot start {description}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{description} failed ({status})")) }
}

pub fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

fn build_web() -> Result {
    web::build()?;
    web::report_size();
    Ok(())
}

fn run(release: bool) -> Result {
    tools::install_web()?;
    build_web()?;
    let mut build = cargo();
    build.args(["build", "-p", "copse-api", "--bin", "copse"]);
    if release {
        build.arg("--release");
    }
    run_cmd(&mut build)?;
    let binary = target_dir().join(if release { "release" } else { "debug" }).join("copse");
    let mut serve = Command::new(binary);
    serve.arg("serve");
    // Defaults apply only where the operator has not chosen.
    for (name, value) in [
        ("COPSE_BIND", "127.0.0.1:8080".to_owned()),
        ("COPSE_DATA_DIR", root().join("data").display().to_string()),
        ("COPSE_WEB_DIR", root().join("dist").display().to_string()),
    ] {
        if env::var_os(name).is_none() {
            serve.env(name, value);
        }
    }
    run_cmd(&mut serve)
}

fn openapi() -> Result {
    let output = cargo()
        .args(["run", "-q", "-p", "copse-api", "--bin", "copse", "--", "openapi"])
        .current_dir(root())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    std::fs::write(root().join("openapi/openapi.json"), output.stdout).map_err(|e| e.to_string())?;
    eprintln!("xtask: openapi/openapi.json regenerated");
    Ok(())
}

pub fn postgres_url() -> String {
    env::var("COPSE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn postgres_reachable(url: &str) -> bool {
    let rest = url.split("://").nth(1).unwrap_or_default();
    let host_port = rest.rsplit('@').next().unwrap_or_default().split('/').next().unwrap_or_default();
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") };
    use std::net::ToSocketAddrs;
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3)).is_ok())
}

fn test() -> Result {
    let started = std::time::Instant::now();
    tools::install_all()?;
    build_web()?;

    // One consistent package selection, so features unify the same way every time.
    let mut sqlite = cargo();
    sqlite.args(["test", "--workspace", "--exclude", "web"]).env("COPSE_TEST_DATABASE", "sqlite");
    run_cmd(&mut sqlite)?;

    let url = postgres_url();
    let ci = env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if postgres_reachable(&url) {
        let mut postgres = cargo();
        postgres
            .args(["test", "-p", "copse-tests"])
            .env("COPSE_TEST_DATABASE", "postgres")
            .env("COPSE_TEST_POSTGRES_URL", &url);
        run_cmd(&mut postgres)?;
    } else {
        let message = format!(
            "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! PostgreSQL is NOT reachable at {url}\n\
             !! The PostgreSQL half of the API suite did NOT run.\n\
             !! Start it (pg_ctlcluster ... main start) or set COPSE_TEST_POSTGRES_URL.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        eprintln!("{message}");
        if ci {
            return Err("PostgreSQL is required when CI=true".to_owned());
        }
    }

    wasm_clean_check()?;
    // Tiny data, seconds: keeps `cargo xtask bench` working without running it in full.
    bench::run(&["--smoke".to_owned()])?;
    browser_tests()?;
    eprintln!("xtask: every test passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// crates/shared must build for wasm32, and the SPA's tree must hold no server crate.
fn wasm_clean_check() -> Result {
    run_cmd(cargo().args(["check", "-p", "copse-shared", "--target", "wasm32-unknown-unknown"]))?;
    let output = cargo()
        .args(["tree", "-p", "web", "--target", "wasm32-unknown-unknown", "-e", "normal", "--prefix", "none"])
        .current_dir(root())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let forbidden = ["sea-orm", "sqlx", "actix-web", "actix-server", "tokio ", "utoipa", "reqwest", "mio "];
    let found: Vec<&str> = tree.lines().filter(|line| forbidden.iter().any(|name| line.starts_with(name))).collect();
    if !found.is_empty() {
        return Err(format!("server crates in the SPA's dependency tree: {found:?}"));
    }
    eprintln!("xtask: the SPA's dependency tree is wasm-clean");
    Ok(())
}

fn browser_tests() -> Result {
    run_cmd(cargo().args(["build", "-p", "copse-api", "--bin", "copse"]))?;
    browser::run(&root(), &target_dir().join("debug/copse"))
}
