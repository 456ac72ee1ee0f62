//! The `copse` binary as operators meet it: clear, single-line errors (never a panic)
//! when its data directory or database is unusable, the OpenAPI document it prints,
//! and `create-admin` reading the password from standard input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary, with no `COPSE_*` variable inherited from the caller's environment.
fn copse() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_copse"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("COPSE_") {
            command.env_remove(name);
        }
    }
    command.env("COPSE_LOG", "warn").stdin(Stdio::null());
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_clean_failure(output: &Output, expected: &str) {
    let stderr = stderr(output);
    assert!(!output.status.success(), "expected a failure, got {:?}; stderr: {stderr}", output.status);
    assert_eq!(output.status.code(), Some(1), "a plain error exit, not a crash; stderr: {stderr}");
    assert!(stderr.contains(expected), "stderr should mention {expected:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "a panic instead of an error message: {stderr}");
}

/// Runs `create-admin` with the password on standard input.
fn create_admin(data_dir: &Path, email: &str, password: &str) -> Output {
    let mut child = copse()
        .env("COPSE_DATA_DIR", data_dir)
        .args(["create-admin", "--email", email, "--name", "Ada Admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn an_unusable_data_directory_is_reported_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "a regular file, not a directory").unwrap();
    // Under a regular file no directory can be created, whoever we run as.
    let output = copse().env("COPSE_DATA_DIR", file.join("sub")).arg("migrate").output().unwrap();
    assert_clean_failure(&output, "cannot create the data directory");
}

#[test]
fn an_unreachable_postgres_is_reported_within_the_connect_timeout() {
    let started = Instant::now();
    let output =
        copse().env("COPSE_DATABASE_URL", "postgres://postgres@127.0.0.1:1/copse").arg("migrate").output().unwrap();
    let elapsed = started.elapsed();
    assert_clean_failure(&output, "cannot open the database");
    assert!(elapsed < Duration::from_secs(20), "gave up only after {elapsed:?}");
}

#[test]
fn an_unsupported_database_url_is_reported() {
    let output = copse().env("COPSE_DATABASE_URL", "mysql://root@127.0.0.1/copse").arg("migrate").output().unwrap();
    assert_clean_failure(&output, "unsupported database URL");
}

#[test]
fn the_printed_openapi_document_is_the_committed_one() {
    let output = copse().arg("openapi").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the document is JSON");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json")).unwrap();
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert!(printed == committed, "openapi/openapi.json differs from `copse openapi`; regenerate it");
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_refuses_a_taken_email() {
    let dir = tempfile::tempdir().unwrap();
    let output = create_admin(dir.path(), "Ada@Example.org", "a long admin passphrase");
    assert!(output.status.success(), "create-admin failed: {}", stderr(&output));
    assert!(stderr(&output).contains("admin ada@example.org created"), "{}", stderr(&output));
    assert!(dir.path().join("copse.db").is_file(), "the SQLite database is created in the data directory");

    let again = create_admin(dir.path(), "ada@example.org", "another long passphrase");
    assert_clean_failure(&again, "email");
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
}

#[test]
fn create_admin_refuses_a_weak_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = create_admin(dir.path(), "ada@example.org", "short");
    assert_clean_failure(&output, "password");
}

/// Kills the server when the test ends, whatever happens.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_server_runs_without_transparent_huge_pages() {
    // With them, every 2 MiB its allocator touched stayed resident whole (about a
    // third more memory under load, ARCHITECTURE.md "Memory"); main() turns them off.
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = copse()
        .env("COPSE_DATA_DIR", dir.path())
        .env("COPSE_BIND", "127.0.0.1:0")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Serving(child);
    // The readiness line, read before looking (no sleeping).
    let ready = BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.starts_with("copse listening on "));
    assert!(ready, "the server exited before listening");
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("THP_enabled:")).expect("the kernel reports THP_enabled");
    assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
}
