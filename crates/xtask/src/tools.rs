//! Installs the tools the build and tests need, each only when missing or at the
//! wrong version. Versions that work offline here are recorded in
//! ARCHITECTURE.md; Debian's binaryen is too old and breaks the wasm at run time.

use std::process::Command;

use crate::{Result, root, run_cmd};

const WASM_SPLIT_VERSION: &str = "0.2.4";
const BINARYEN_VERSION: &str = "132.0.0";
const PLAYWRIGHT_VERSION: &str = "1.65.1";

/// Runs a tool found through `path_with_tools`, returning its standard output.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .env("PATH", path_with_tools())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// PATH with the project's npm-installed tools (wasm-opt) and cargo's install
/// directory first, so tools installed a moment ago are found even when the shell's
/// PATH does not list `$CARGO_HOME/bin`.
pub fn path_with_tools() -> String {
    let tools = root().join(".tools/node_modules/.bin");
    let cargo_home = std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    let current = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{current}", tools.display(), cargo_home.join("bin").display())
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".to_owned())
}

/// What building the SPA needs.
pub fn install_web() -> Result {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let installed = output_of("cargo", &["install", "--list"]).unwrap_or_default();
    if !installed.contains(&format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:")) {
        // Splits the SPA's wasm per section (crates/xtask/src/web.rs). 0.2.3 or later
        // knows wasm-bindgen 0.2.128's renamed descriptors.
        run_cmd(Command::new("cargo").args([
            "install",
            "--locked",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ]))?;
    }
    let wanted = locked_wasm_bindgen()?;
    let bindgen = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if !bindgen.contains(&wanted) {
        // Without --locked: the CLI's own lockfile wants a crate version the registry lacks.
        run_cmd(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted]))?;
    }
    let wasm_opt = root().join(".tools/node_modules/.bin/wasm-opt");
    let wasm_opt_version = output_of(&wasm_opt.display().to_string(), &["--version"]).unwrap_or_default();
    if !wasm_opt_version.contains("version 132") {
        std::fs::create_dir_all(root().join(".tools")).map_err(|e| e.to_string())?;
        run_cmd(Command::new("npm").args([
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            ".tools",
            &format!("binaryen@{BINARYEN_VERSION}"),
        ]))?;
    }
    Ok(())
}

/// What the browser tests and the Partner guide's test need from Debian: Chromium, and
/// curl, jq and openssl, which the guide's shell examples use.
pub fn install_browser() -> Result {
    let wanted = [("chromium", "--version"), ("curl", "--version"), ("jq", "--version"), ("openssl", "version")];
    let missing: Vec<&str> =
        wanted.iter().filter(|(tool, arg)| output_of(tool, &[arg]).is_none()).map(|(tool, _)| *tool).collect();
    if !missing.is_empty() {
        let root_user = output_of("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
        let apt = |args: &[&str]| {
            let mut apt = if root_user {
                Command::new("apt-get")
            } else {
                let mut sudo = Command::new("sudo");
                sudo.arg("apt-get");
                sudo
            };
            apt.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            run_cmd(&mut apt)
        };
        // A new machine may have no package lists yet (or stale ones): install finds
        // nothing or fetches a file that is gone without this.
        apt(&["update"])?;
        let mut install = vec!["install", "-y", "--no-install-recommends"];
        install.extend(&missing);
        apt(&install)?;
    }
    let browser_dir = root().join("tests/browser");
    let installed = browser_dir.join("node_modules/playwright-core/package.json");
    let has_version = std::fs::read_to_string(&installed)
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{PLAYWRIGHT_VERSION}\"")));
    if !has_version {
        // playwright-core drives the system's Chromium; it never downloads a browser.
        run_cmd(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--prefix", "tests/browser"]))?;
    }
    Ok(())
}

/// Everything.
pub fn install_all() -> Result {
    install_web()?;
    install_browser()
}
