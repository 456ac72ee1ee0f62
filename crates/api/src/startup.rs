//! Builds the application: connects the database, binds the listener first (so port 0
//! works and the real port is known), then assembles routes and middleware.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header::ContentType;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::idempotency::idempotency;
use crate::middleware::{
    KnownPaths, api_fallback, forget_content, json_error, path_error, query_error, request_context, write_limits,
};
use crate::ratelimit::RateLimiter;
use crate::state::AppState;
use crate::storage::FileStore;
use crate::{db, openapi, routes, spa};

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    host: String,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects to the database, migrates it, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect_and_migrate(&settings).await?;
        let files = FileStore::from_settings(&settings)?;
        files.probe().await?;
        Self::build_with_db(settings, db, files)
    }

    /// Binds the listener for an already migrated database and a reachable file store.
    pub fn build_with_db(settings: Settings, mut db: DatabaseConnection, files: FileStore) -> anyhow::Result<Self> {
        if settings.expose_sql_count {
            crate::sqlcount::instrument(&mut db);
        }
        let jwt = JwtKeys::load(&settings)?;
        let listener =
            TcpListener::bind(&settings.bind).with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let webhooks = crate::services::webhooks::outbox::Outbox::new(&settings)?;
        let state = AppState {
            db,
            jwt: Arc::new(jwt),
            settings: Arc::new(settings),
            limiter: Arc::new(RateLimiter::default()),
            files,
            webhooks,
            memo: Default::default(),
        };
        crate::idempotency::spawn_purger(state.db.clone());
        crate::services::events::reminders::spawn_worker(state.db.clone());
        if state.settings.activity_count_secs > 0 {
            let period = std::time::Duration::from_secs(state.settings.activity_count_secs);
            crate::services::profiles::ranking::spawn_worker(state.db.clone(), state.memo.clone(), period);
        }
        crate::services::webhooks::outbox::spawn_worker(state.db.clone(), state.webhooks.clone());
        // The document is built once and kept as its JSON (the structure weighs
        // megabytes; a copy per worker was most of the idle server's memory).
        let spec = openapi::spec();
        let known = KnownPaths(Arc::new(openapi::path_methods(&spec)));
        let spec_json = web::Bytes::from(serde_json::to_vec(&spec).context("serialising the OpenAPI document")?);
        drop(spec);
        let app_state = state.clone();
        let server = HttpServer::new(move || build_app(app_state.clone(), known.clone(), spec_json.clone()))
            .listen(listener)?
            .shutdown_timeout(10)
            .run();
        Ok(Self { port: address.port(), host: address.ip().to_string(), server, state })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL, e.g. `http://127.0.0.1:8080`.
    pub fn base_url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// The shared state (tests use its database handle).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until a shutdown signal arrives.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn build_app(
    state: AppState,
    known: KnownPaths,
    spec_json: web::Bytes,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_json = state.settings.max_json_bytes;
    let web_dir = state.settings.web_dir.clone();
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(known))
        .app_data(web::JsonConfig::default().limit(max_json).error_handler(json_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure).default_service(web::to(api_fallback)))
        .split_for_parts();
    let app = app
        .service(web::redirect("/api/docs", "/api/docs/"))
        .route(
            "/api/openapi.json",
            web::get().to(move || {
                let body = spec_json.clone();
                async move { HttpResponse::Ok().content_type(ContentType::json()).body(body) }
            }),
        )
        .service(SwaggerUi::new("/api/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/api/openapi.json"])))
        .service(web::scope("/api").default_service(web::to(api_fallback)));
    let app = if web_dir.join("index.html").is_file() {
        app.service(spa::service(&web_dir))
    } else {
        app.default_service(web::to(spa::not_built_handler))
    };
    app.wrap(from_fn(forget_content))
        .wrap(from_fn(crate::sqlcount::count_statements))
        .wrap(from_fn(idempotency))
        .wrap(from_fn(write_limits))
        .wrap(Compress::default())
        .wrap(from_fn(request_context))
}
