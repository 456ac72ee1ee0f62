//! The report: one table per database, the targets of the Benchmarks issue marked pass
//! or fail (they never fail a build), and the SPA's first-load size, as Markdown and
//! JSON.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::flag;
use crate::load::Figures;
use crate::measure::Results;

/// Raw, gzip (level 9) and brotli (quality 11) sizes of one file, in bytes.
#[derive(Clone, Debug, Serialize)]
pub struct Size {
    /// The file, relative to `dist/`.
    pub file: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

fn compressed(bytes: &[u8]) -> Result<(u64, u64), String> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes).map_err(|e| e.to_string())?;
    let gzip = gzip.finish().map_err(|e| e.to_string())?.len() as u64;
    let mut brotli = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
        writer.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok((gzip, brotli.len() as u64))
}

/// The SPA's first load: its wasm, JS glue and CSS.
pub fn spa_sizes(dist: &Path) -> Result<Vec<Size>, String> {
    let mut sizes = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut names: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !["wasm", "js", "css"].contains(&ext) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let (gzip, brotli) = compressed(&bytes)?;
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        sizes.push(Size { file, raw: bytes.len() as u64, gzip, brotli });
    }
    Ok(sizes)
}

fn at(endpoint: &crate::measure::Endpoint, connections: usize) -> Option<&Figures> {
    endpoint.runs.iter().find(|r| r.connections == connections)
}

fn mark(pass: bool) -> &'static str {
    if pass { "pass" } else { "**miss**" }
}

/// The targets for one database: (target, measured, pass).
fn targets(results: &Results) -> Vec<(String, String, bool)> {
    let find = |name: &str| results.endpoints.iter().find(|e| e.name == name);
    let mut rows = Vec::new();
    for name in ["list topics", "show topic (20 replies)"] {
        if let Some(f) = find(name).and_then(|e| at(e, 32)) {
            rows.push((
                format!("{name}: p99 < 10 ms at 32 connections"),
                format!("{:.2} ms", f.p99_ms),
                f.p99_ms < 10.0,
            ));
        }
    }
    let ceiling = results.endpoints.first().and_then(|e| at(e, 32)).map_or(0.0, |f| f.rps);
    let worst = results
        .endpoints
        .iter()
        .skip(1)
        .filter(|e| e.read)
        .filter_map(|e| at(e, 32).map(|f| (e.name.clone(), f.rps / ceiling.max(1.0))))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((name, ratio)) = worst {
        rows.push((
            "every read endpoint ≥ 30% of the ceiling's requests/s (32 connections)".to_owned(),
            format!("lowest: {name}, {:.0}%", ratio * 100.0),
            ratio >= 0.30,
        ));
    }
    if let Some(f) = find("create reply").and_then(|e| at(e, 8)) {
        rows.push((
            "create reply: p99 < 30 ms with 8 writers".to_owned(),
            format!("{:.2} ms", f.p99_ms),
            f.p99_ms < 30.0,
        ));
    }
    let mib = results.load_rss_kib as f64 / 1024.0;
    rows.push((
        "server RSS < 100 MB under load".to_owned(),
        format!("{mib:.1} MiB (largest sample)"),
        results.load_rss_kib > 0 && results.load_rss_kib * 1024 < 100_000_000,
    ));
    rows
}

/// `report <results.json>... --dist DIR --out FILE.md --json FILE.json [--command TEXT]`
pub fn run(args: &[String]) -> Result<(), String> {
    let out = flag(args, "--out").ok_or("missing --out")?;
    let json_out = flag(args, "--json");
    let dist = flag(args, "--dist");
    let command = flag(args, "--command").unwrap_or("cargo xtask bench");
    let mut inputs = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
        } else if arg.starts_with("--") {
            skip = true;
        } else {
            inputs.push(arg.clone());
        }
    }
    let mut all: Vec<Results> = Vec::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
        all.push(serde_json::from_str(&text).map_err(|e| format!("{input}: {e}"))?);
    }
    let mut md = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = writeln!(
        md,
        "Measured on {cores} cores of {cpu}, load generator and server on the same machine; `{command}`.\n"
    );
    for results in &all {
        let ceiling = results.endpoints.first().cloned();
        let _ = writeln!(md, "### {}\n", results.label);
        let _ = writeln!(
            md,
            "| endpoint | connections | requests/s | of ceiling | p50 ms | p90 ms | p99 ms | errors | SQL/request |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for endpoint in &results.endpoints {
            for f in &endpoint.runs {
                let base = ceiling.as_ref().and_then(|c| at(c, f.connections)).map_or(0.0, |c| c.rps);
                let share = if base > 0.0 { format!("{:.0}%", f.rps / base * 100.0) } else { "-".to_owned() };
                let sql = endpoint.sql.map_or("-".to_owned(), |s| s.to_string());
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.0} | {share} | {:.2} | {:.2} | {:.2} | {} | {sql} |",
                    endpoint.name, f.connections, f.rps, f.p50_ms, f.p90_ms, f.p99_ms, f.errors
                );
            }
        }
        let _ = writeln!(
            md,
            "\nServer memory: largest RSS under load {:.1} MiB (sampled every 20 ms); peak since start (VmHWM, \
             including building the route table at start) {:.1} MiB.\n",
            results.load_rss_kib as f64 / 1024.0,
            results.peak_rss_kib as f64 / 1024.0
        );
        if results.endpoints.iter().any(|e| e.load_rss_kib > 0) {
            let _ = writeln!(md, "| endpoint | RSS under load MiB | RSS after MiB |\n|---|---:|---:|");
            for endpoint in results.endpoints.iter().skip(1) {
                let _ = writeln!(
                    md,
                    "| {} | {:.1} | {:.1} |",
                    endpoint.name,
                    endpoint.load_rss_kib as f64 / 1024.0,
                    endpoint.rss_after_kib as f64 / 1024.0
                );
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "| target | measured | |\n|---|---|---|");
        for (target, measured, pass) in targets(results) {
            let _ = writeln!(md, "| {target} | {measured} | {} |", mark(pass));
        }
        let _ = writeln!(md);
    }
    let sizes = match dist {
        Some(dir) => spa_sizes(Path::new(dir))?,
        None => Vec::new(),
    };
    if !sizes.is_empty() {
        let _ = writeln!(md, "### SPA first load\n\n| file | raw | gzip | brotli |\n|---|---:|---:|---:|");
        for s in &sizes {
            let _ = writeln!(md, "| {} | {} | {} | {} |", s.file, s.raw, s.gzip, s.brotli);
        }
        let total: u64 = sizes.iter().map(|s| s.brotli).sum();
        let _ = writeln!(
            md,
            "\nFirst load, brotli: {:.1} KB; target ≤ 250 KB: {}.",
            total as f64 / 1000.0,
            mark(total <= 250_000)
        );
    }
    std::fs::write(out, &md).map_err(|e| format!("cannot write {out}: {e}"))?;
    if let Some(path) = json_out {
        let json = serde_json::json!({ "databases": all, "spa": sizes });
        std::fs::write(path, serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?)
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    std::io::stdout().lock().write_all(md.as_bytes()).map_err(|e| e.to_string())
}
