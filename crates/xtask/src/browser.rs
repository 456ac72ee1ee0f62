//! Runs the browser end-to-end tests: starts the real `copse` binary on a free port
//! with a fresh data directory and the built SPA, then drives headless Chromium.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{Result, run_cmd};

/// Starts Copse (the debug binary at `binary`), runs tests/browser/e2e.mjs against it,
/// and stops it.
pub fn run(root: &Path, binary: &Path) -> Result {
    let data = std::env::temp_dir().join(format!("copse-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = Command::new(binary)
        .arg("serve")
        .env("COPSE_BIND", "127.0.0.1:0")
        .env("COPSE_DATA_DIR", &data)
        .env_remove("COPSE_DATABASE_URL")
        .env("COPSE_WEB_DIR", root.join("dist"))
        .env("COPSE_LOG", "warn")
        // The browser test's webhook receiver listens on loopback.
        .env("COPSE_WEBHOOKS_ALLOW_PRIVATE", "true")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    // The server prints its address once it is listening; reading it is the readiness
    // signal (no sleeping).
    let url = server.stdout.take().and_then(|stdout| {
        BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
            .find_map(|line| line.strip_prefix("copse listening on ").map(str::to_owned))
    });
    let result = match url {
        Some(url) => {
            eprintln!("xtask: browser tests against {url}");
            run_cmd(Command::new("node").arg("tests/browser/e2e.mjs").arg(&url))
        }
        None => Err("copse exited before listening".to_owned()),
    };
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    result
}
