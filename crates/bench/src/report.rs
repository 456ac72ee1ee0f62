//! The report: one table per database, the targets of the Benchmarks issue marked pass
//! or fail (they never fail a build), and the SPA's first-load sizes per starting page,
//! as Markdown and JSON.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::flag;
use crate::load::Figures;
use crate::measure::Results;

/// What one page loads on a first visit: raw, gzip (level 9) and brotli (quality 11)
/// bytes, each file compressed on its own as a server sends it.
#[derive(Clone, Debug, Serialize)]
pub struct Load {
    /// The page: `shell` (home, sign-in and every page's frame) or the routes of a
    /// section, whose pages load the same modules.
    pub page: String,
    pub files: usize,
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

/// The SPA's first loads, from `dist/spa.json` (written by `cargo xtask build-web`):
/// the shell, then per section the shell plus the modules its pages add. Routes that
/// share the same modules are one row, sized by the heaviest of them.
pub fn spa_loads(dist: &Path) -> Result<Vec<Load>, String> {
    let path = dist.join("spa.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let names = |value: &serde_json::Value| -> Vec<String> {
        value.as_array().into_iter().flatten().filter_map(|f| f.as_str().map(str::to_owned)).collect()
    };
    let mut cache = std::collections::HashMap::new();
    let mut sizes = |files: &[String]| -> Result<(u64, u64, u64), String> {
        let mut total = (0, 0, 0);
        for file in files {
            if !cache.contains_key(file) {
                let bytes = std::fs::read(dist.join(file)).map_err(|e| format!("{file}: {e}"))?;
                let (gzip, brotli) = compressed(&bytes)?;
                cache.insert(file.clone(), (bytes.len() as u64, gzip, brotli));
            }
            let (raw, gzip, brotli) = cache[file];
            total = (total.0 + raw, total.1 + gzip, total.2 + brotli);
        }
        Ok(total)
    };
    let shell = names(&manifest["shell"]);
    let (raw, gzip, brotli) = sizes(&shell)?;
    let mut loads = vec![Load { page: "shell (home, sign-in)".to_owned(), files: shell.len(), raw, gzip, brotli }];
    // A section's routes each have a small module of their own (the split point) and
    // share the section's modules: group by the shared ones, report the heaviest route.
    let mut sections: std::collections::BTreeMap<Vec<String>, Vec<(String, Vec<String>)>> = Default::default();
    for (route, files) in manifest["routes"].as_object().into_iter().flatten() {
        let files = names(files);
        let mut shared = files.iter().skip(1).cloned().collect::<Vec<_>>();
        shared.sort();
        sections.entry(shared).or_default().push((route.trim_end_matches("_route").to_owned(), files));
    }
    for routes in sections.into_values() {
        let mut heaviest = (0, 0, 0, 0);
        for (_, files) in &routes {
            let (raw, gzip, brotli) = sizes(files)?;
            if brotli > heaviest.2 {
                heaviest = (raw, gzip, brotli, files.len());
            }
        }
        let names: Vec<&str> = routes.iter().map(|(route, _)| route.as_str()).collect();
        loads.push(Load {
            page: format!("shell + {}", names.join(", ")),
            files: shell.len() + heaviest.3,
            raw: loads[0].raw + heaviest.0,
            gzip: loads[0].gzip + heaviest.1,
            brotli: loads[0].brotli + heaviest.2,
        });
    }
    Ok(loads)
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
    for (name, label) in [
        ("create reply", "create reply: p99 < 30 ms with 8 writers (all to one topic)"),
        ("create reply (one topic per writer)", "create reply: p99 < 30 ms with 8 writers (one topic each)"),
    ] {
        if let Some(f) = find(name).and_then(|e| at(e, 8)) {
            rows.push((label.to_owned(), format!("{:.2} ms", f.p99_ms), f.p99_ms < 30.0));
        }
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
    let loads = match dist {
        Some(dir) => spa_loads(Path::new(dir))?,
        None => Vec::new(),
    };
    if let Some(shell) = loads.first() {
        let _ = writeln!(
            md,
            "### SPA first load\n\nWhat a first visit downloads, by the page it starts on (the shell is every page's \
             frame; a section's pages load its modules on top).\n\n| first page | files | raw | gzip | brotli |\n|---|---:|---:|---:|---:|"
        );
        for l in &loads {
            let _ = writeln!(md, "| {} | {} | {} | {} | {} |", l.page, l.files, l.raw, l.gzip, l.brotli);
        }
        let heaviest = loads.iter().skip(1).max_by_key(|l| l.brotli).unwrap_or(shell);
        let _ = writeln!(
            md,
            "\nFirst load of the home page, brotli: {:.1} KB; target ≤ 250 KB: {}.\n\
             First load of the heaviest section ({}), brotli: {:.1} KB; target ≤ 250 KB: {}.",
            shell.brotli as f64 / 1000.0,
            mark(shell.brotli <= 250_000),
            heaviest.page,
            heaviest.brotli as f64 / 1000.0,
            mark(heaviest.brotli <= 250_000)
        );
    }
    std::fs::write(out, &md).map_err(|e| format!("cannot write {out}: {e}"))?;
    if let Some(path) = json_out {
        let json = serde_json::json!({ "databases": all, "spa": loads });
        std::fs::write(path, serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?)
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    std::io::stdout().lock().write_all(md.as_bytes()).map_err(|e| e.to_string())
}
