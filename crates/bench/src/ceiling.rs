//! The ceiling: the cheapest JSON endpoint actix-web can serve on this machine, with
//! the same server defaults as Copse (workers per core, keep-alive). Copse's endpoints
//! are reported as a share of its requests per second.

use std::io::Write;

use actix_web::{App, HttpResponse, HttpServer, web};

async fn json() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "items": [], "next_cursor": null }))
}

/// Serves `GET /json` on a free loopback port until killed.
pub fn serve() -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let server = HttpServer::new(|| App::new().route("/json", web::get().to(json)))
            .bind("127.0.0.1:0")
            .map_err(|e| e.to_string())?;
        let address = server.addrs().first().copied().ok_or("no address")?;
        // The address on standard output is the readiness signal `cargo xtask bench` waits for.
        let mut out = std::io::stdout().lock();
        writeln!(out, "ceiling listening on http://{address}").and_then(|()| out.flush()).map_err(|e| e.to_string())?;
        drop(out);
        server.run().await.map_err(|e| e.to_string())
    })
}
