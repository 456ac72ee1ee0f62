//! Builds the SPA into `dist/`, split per section so that the first load carries only
//! the shell. The steps: cargo builds `crates/web` for wasm (with relocations kept,
//! `.cargo/config.toml`); `wasm-split-cli` cuts the module at the `#[lazy_route]`
//! split points (`crates/web/src/app.rs`) into a main module, one module per route
//! and modules of code shared between routes, with `__wasm_split.js` to load them;
//! wasm-bindgen generates the JS glue for the main module only; wasm-opt shrinks
//! every module; every file gets the build's hash in its name; `index.html` is
//! written from `crates/web/index.html`; `spa.json` lists what each page loads.
//!
//! Trunk built the SPA before; it cannot run a step between cargo and wasm-bindgen
//! (trunk-rs/trunk#1022), which splitting needs, and this is all it did for us.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::path_with_tools;
use crate::{Result, cargo, root, run_cmd, target_dir};

/// The loader wasm-split-cli writes next to the modules; the main module imports it.
const SPLIT_LOADER: &str = "__wasm_split.js";

pub fn build() -> Result {
    run_cmd(cargo().args([
        "build",
        "-p",
        "web",
        "--bin",
        "web",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let input = target_dir().join("wasm32-unknown-unknown/wasm-release/web.wasm");
    let work = target_dir().join("web-split");
    fresh_dir(&work)?;
    let tool = |name: &str| {
        let mut command = Command::new(name);
        command.env("PATH", path_with_tools());
        command
    };
    run_cmd(tool("wasm-split-cli").arg(&input).arg(&work).args(["--out-name", "web", "--target", "web"]))?;
    // The chunks call into the main module through its exports: wasm-bindgen must keep
    // the linker's exports and names, or they are gone.
    let main = work.join("web.wasm");
    run_cmd(
        tool("wasm-bindgen")
            .args(["--target", "web", "--keep-lld-exports", "--no-demangle", "--no-typescript", "--out-name", "web"])
            .arg("--out-dir")
            .arg(&work)
            .arg(&main),
    )?;
    std::fs::remove_file(&main).map_err(|e| format!("{}: {e}", main.display()))?;
    let mut files = list(&work)?;
    for file in files.iter().filter(|f| f.ends_with(".wasm")) {
        let path = work.join(file);
        // Debian's binaryen is too old (a broken wasm); version 132 comes from npm.
        // Run quietly: it warns about every module's name section, which is harmless.
        let output = tool("wasm-opt")
            .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int"])
            .arg(&path)
            .arg("-o")
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot start wasm-opt: {e}"))?;
        if !output.status.success() {
            return Err(format!("wasm-opt {file} failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
    }
    eprintln!("xtask: wasm-opt -Oz on {} modules", files.iter().filter(|f| f.ends_with(".wasm")).count());
    copy(&root().join("crates/web/style.css"), &work.join("style.css"))?;
    files.push("style.css".to_owned());
    let names = hashed_names(&work, &files)?;
    let dist = target_dir().join("web-dist");
    fresh_dir(&dist)?;
    for (file, hashed) in &names {
        let bytes = std::fs::read(work.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let bytes = if file.ends_with(".js") { rewrite(&bytes, &names) } else { bytes };
        std::fs::write(dist.join(hashed), bytes).map_err(|e| format!("{hashed}: {e}"))?;
    }
    let template = std::fs::read_to_string(root().join("crates/web/index.html")).map_err(|e| e.to_string())?;
    let mut index = template;
    for (file, hashed) in &names {
        index = index.replace(&format!("{{{{{file}}}}}"), hashed);
    }
    if index.contains("{{") {
        return Err("crates/web/index.html names a file the build did not produce".to_owned());
    }
    std::fs::write(dist.join("index.html"), index).map_err(|e| e.to_string())?;
    let loader = std::fs::read_to_string(work.join(SPLIT_LOADER)).map_err(|e| e.to_string())?;
    let manifest = manifest(&loader, &names)?;
    std::fs::write(dist.join("spa.json"), manifest).map_err(|e| e.to_string())?;
    // Swap in the new build whole: chunks only work with the main module they were
    // split from, so files of two builds must never mix.
    let target = root().join("dist");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    std::fs::rename(&dist, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    eprintln!("xtask: SPA built into dist/ ({} files)", names.len() + 2);
    Ok(())
}

fn fresh_dir(dir: &Path) -> Result {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{}: {e}", from.display()))
}

/// The file names in a directory, sorted.
fn list(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// Each file's name with the build's hash: `web_bg.wasm` -> `web_bg-<16 hex>.wasm`.
/// One hash over every file, not one per file: the loader and the main module import
/// each other, and a chunk only works with the main module it was split from, so a
/// new build renames them all. The server caches names with 16 hex digits for a year.
fn hashed_names(dir: &Path, files: &[String]) -> Result<BTreeMap<String, String>> {
    let mut hasher = DefaultHasher::new();
    for file in files {
        hasher.write(file.as_bytes());
        hasher.write(&std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?);
    }
    let hash = format!("{:016x}", hasher.finish());
    Ok(files
        .iter()
        .map(|file| {
            let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
            (file.clone(), format!("{stem}-{hash}.{ext}"))
        })
        .collect())
}

/// Points the JS files' references to other files at their hashed names: module
/// imports (`from "./web.js"`) and fetched URLs (`new URL("./chunk_3.wasm", ...)`).
/// Nothing else: the main module's imports object is keyed by the specifier written
/// inside the wasm (`"./__wasm_split.js": import1`), which must stay as it is.
fn rewrite(bytes: &[u8], names: &BTreeMap<String, String>) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for (file, hashed) in names {
        for quote in ['"', '\''] {
            for prefix in ["./", ""] {
                for context in ["from ", "new URL("] {
                    text = text.replace(
                        &format!("{context}{quote}{prefix}{file}{quote}"),
                        &format!("{context}{quote}{prefix}{hashed}{quote}"),
                    );
                }
            }
        }
    }
    text.into_bytes()
}

/// `spa.json`: what a first visit loads (`shell`: the page, its CSS, the main module,
/// its glue and the loader) and, per lazily loaded route, the modules it adds. Read
/// from the loader that wasm-split-cli wrote: each module is declared as
/// `const NAME = ...makeLoad(() => { ... fetch(new URL("./FILE", ...)) ... }, [DEPS])`.
/// The benchmark report sums these (`copse-bench report`).
fn manifest(loader: &str, names: &BTreeMap<String, String>) -> Result<String> {
    let hashed = |file: &str| names.get(file).cloned().ok_or_else(|| format!("{SPLIT_LOADER} names unknown {file}"));
    let mut modules: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    // Declarations start a line; `const src = ...` inside a body is indented.
    let loader = loader.replace("\nexport const ", "\nconst ");
    for declaration in loader.split("\nconst ").skip(1) {
        let Some((name, rest)) = declaration.split_once(" = ") else { continue };
        if !rest.starts_with("makeLoad(") && !rest.starts_with("wrapAsyncCb(makeLoad(") {
            continue;
        }
        let file = between(rest, "new URL(\"./", "\"").ok_or_else(|| format!("{SPLIT_LOADER}: no file for {name}"))?;
        let deps = rest.rsplit_once('[').and_then(|(_, list)| list.split_once(']')).map(|(list, _)| list).unwrap_or("");
        let deps = deps.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned).collect();
        modules.insert(name.to_owned(), (file.to_owned(), deps));
    }
    let mut routes = BTreeMap::new();
    for (file, deps) in modules.values().filter(|(file, _)| file.starts_with("split_")) {
        let mut files = vec![hashed(file)?];
        for dep in deps {
            let (dep_file, _) = modules.get(dep).ok_or_else(|| format!("{SPLIT_LOADER}: unknown module {dep}"))?;
            files.push(hashed(dep_file)?);
        }
        // `split___topic_route_view_<hash>.wasm` -> `topic_route`
        let route = file.trim_start_matches("split_").trim_start_matches('_');
        let route = route.split("_view_").next().unwrap_or(route);
        routes.insert(route.to_owned(), files);
    }
    if routes.is_empty() {
        return Err(format!("{SPLIT_LOADER} declares no route modules: is the split tool's output format new?"));
    }
    let shell: Vec<String> = ["index.html", "style.css", "web.js", "web_bg.wasm", SPLIT_LOADER]
        .iter()
        .map(|f| if *f == "index.html" { Ok(f.to_string()) } else { hashed(f) })
        .collect::<Result<_>>()?;
    let quote = |files: &[String]| files.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    let routes: Vec<String> =
        routes.iter().map(|(route, files)| format!("    \"{route}\": [{}]", quote(files))).collect();
    Ok(format!("{{\n  \"shell\": [{}],\n  \"routes\": {{\n{}\n  }}\n}}\n", quote(&shell), routes.join(",\n")))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// The sizes `copse-bench report` would give, as a quick look after a build.
pub fn report_size() {
    let dist: PathBuf = root().join("dist");
    let Ok(entries) = std::fs::read_dir(&dist) else { return };
    let (mut files, mut raw) = (0, 0);
    for entry in entries.flatten() {
        files += 1;
        raw += entry.metadata().map(|m| m.len()).unwrap_or(0);
    }
    eprintln!("xtask: SPA: {files} files, {raw} B raw in all; `cargo xtask bench` reports the first load per page");
}
