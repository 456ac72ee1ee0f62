//! `copse-bench`: the tools behind `cargo xtask bench`.
//!
//! - `copse-bench ceiling`: a bare actix-web JSON endpoint (the ceiling every Copse
//!   endpoint is compared with), printing `ceiling listening on <url>`;
//! - `copse-bench measure <options>`: loads a running Copse and the ceiling endpoint at
//!   several concurrencies and writes the figures as JSON;
//! - `copse-bench report <json>... --dist <dir> --out <file.md>`: the Markdown report
//!   with targets marked pass or fail, and the SPA's sizes.

use std::process::ExitCode;

mod ceiling;
mod load;
mod measure;
mod report;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ceiling") => ceiling::serve(),
        Some("measure") => measure::run(&args[1..]),
        Some("report") => report::run(&args[1..]),
        _ => Err("usage: copse-bench ceiling | measure <options> | report <results.json>... --dist <dir> --out <file>"
            .to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("copse-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `--name` in `args`.
pub fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}
