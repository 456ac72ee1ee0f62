//! The end-to-end harness: the real application on port 0 with a fresh database per
//! test (SQLite in a temporary directory, or a new PostgreSQL database), driven through
//! the typed client of `copse-shared`.
//!
//! `COPSE_TEST_DATABASE` picks the database: `sqlite` (the default) or `postgres`.
//! `COPSE_TEST_POSTGRES_URL` is the admin connection used to create and drop the
//! per-test PostgreSQL databases (default `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use copse::config::Settings;
use copse_shared::Problem;
use copse_shared::auth::{LoginRequest, RegisterRequest, RegisterResponse, Session};
use copse_shared::client::{Client, ClientError};
use copse_shared::endpoints::{Login, Register};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;

pub mod receiver;
pub mod s3;

/// A password that passes the server's rules.
pub const PASSWORD: &str = "correct horse battery staple";

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database the tests run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A `copse.db` file in a fresh temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `COPSE_TEST_POSTGRES_URL`.
    Postgres,
}

impl Backend {
    /// The backend chosen by `COPSE_TEST_DATABASE`. Anything but `sqlite` or
    /// `postgres` is a mistake in the caller's setup and stops the test.
    pub fn from_env() -> Self {
        match std::env::var("COPSE_TEST_DATABASE") {
            Err(std::env::VarError::NotPresent) => Backend::Sqlite,
            Ok(value) if value == "sqlite" => Backend::Sqlite,
            Ok(value) if value == "postgres" => Backend::Postgres,
            Ok(other) => panic!("COPSE_TEST_DATABASE must be `sqlite` or `postgres`, not `{other}`"),
            Err(error) => panic!("COPSE_TEST_DATABASE is not valid Unicode: {error}"),
        }
    }
}

fn postgres_admin_url() -> String {
    std::env::var("COPSE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Replaces the database name (the path) of a PostgreSQL URL, keeping its query.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A PostgreSQL database created for one test and dropped when the test ends.
struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl PostgresDatabase {
    async fn create() -> (Self, String) {
        let admin_url = postgres_admin_url();
        let name = format!("copse_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {admin_url} (COPSE_TEST_POSTGRES_URL): {e}"));
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("CREATE DATABASE");
        admin.close().await.expect("closing the admin connection");
        let url = with_database(&admin_url, &name);
        (Self { admin_url, name }, url)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread with
        // its own small runtime does the work.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await?;
                admin.execute_unprepared(&sql).await?;
                admin.close().await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("warning: could not drop test database {}: {error:#}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

/// One running application with its own database.
pub struct TestApp {
    /// An anonymous client with its own cookie jar.
    pub client: Client,
    /// The server's base URL, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    /// The application's own database pool.
    pub db: DatabaseConnection,
    /// The database in use.
    pub backend: Backend,
    /// The server's data directory (it holds the generated JWT secret).
    pub data_dir: PathBuf,
    /// The settings it runs with (start a second server on the same database with them).
    pub settings: Settings,
    // Declared last: dropped after everything that might still use them.
    _postgres: Option<PostgresDatabase>,
    _dir: TempDir,
}

impl TestApp {
    /// Starts the application with default settings.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the application with settings adjusted by `f` (small rate limits, ...).
    pub async fn spawn_with(f: impl FnOnce(&mut Settings)) -> TestApp {
        // `COPSE_TEST_LOG=warn` shows the server's log (the cause of a 500, say).
        if let Ok(filter) = std::env::var("COPSE_TEST_LOG") {
            copse::cli::init_tracing(&filter);
        }
        let backend = Backend::from_env();
        let dir = tempfile::tempdir().expect("temporary directory");
        let (postgres, database_url) = match backend {
            Backend::Sqlite => (None, format!("sqlite://{}/copse.db?mode=rwc", dir.path().display())),
            Backend::Postgres => {
                let (database, url) = PostgresDatabase::create().await;
                (Some(database), url)
            }
        };
        let mut settings = Settings::defaults();
        settings.bind = "127.0.0.1:0".to_owned();
        settings.data_dir = dir.path().to_path_buf();
        settings.database_url = Some(database_url);
        settings.web_dir = dir.path().join("no-web-dir");
        settings.jwt_secret = None;
        f(&mut settings);
        let app = copse::Application::build(settings.clone()).await.expect("the application builds");
        let base_url = app.base_url();
        let db = app.state().db.clone();
        // The listener is bound before `build` returns: requests queue until the
        // server runs, so no wait is needed.
        tokio::spawn(app.run_until_stopped());
        TestApp {
            client: Client::new(&base_url).expect("client"),
            base_url,
            db,
            backend,
            data_dir: dir.path().to_path_buf(),
            settings,
            _postgres: postgres,
            _dir: dir,
        }
    }

    /// A new anonymous client with an empty cookie jar.
    pub fn new_client(&self) -> Client {
        Client::new(&self.base_url).expect("client")
    }

    /// A new client that sends this bearer token.
    pub fn with_token(&self, token: &str) -> Client {
        let mut client = self.new_client();
        client.set_token(Some(token.to_owned()));
        client
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET path` as `who`, answered 200: the statements it issued (the server runs with
    /// `expose_sql_count`) and its body.
    pub async fn counted_get<T: serde::de::DeserializeOwned>(&self, who: &Client, path: &str) -> (u32, T) {
        let response =
            self.client.http().get(self.url(path)).bearer_auth(who.token().expect("signed in")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        let count = response.headers()["x-sql-statements"].to_str().unwrap().parse().unwrap();
        (count, response.json().await.unwrap())
    }

    /// The JWT signing secret the server generated into its data directory.
    pub fn jwt_secret(&self) -> String {
        read_secret(&self.data_dir)
    }

    /// Registers an account and returns a client signed in as it (when the join policy
    /// gives a session) together with the server's answer.
    pub async fn register(&self, email: &str, name: &str, password: &str) -> (Client, RegisterResponse) {
        let client = self.new_client();
        let response = client
            .call(&Register(register_request(email, name, password)))
            .await
            .unwrap_or_else(|e| panic!("registering {email} failed: {e}"));
        (signed_in(client, response.session.as_ref()), response)
    }

    /// Registers a member with the default password and returns their signed-in client.
    pub async fn member(&self, email: &str) -> Client {
        self.register(email, "A Member", PASSWORD).await.0
    }

    /// Registers the first account, which becomes the admin, and returns its client.
    pub async fn admin(&self) -> Client {
        self.register("admin@example.org", "The Admin", PASSWORD).await.0
    }

    /// Signs in on a fresh client.
    pub async fn login(&self, email: &str, password: &str) -> Result<(Client, Session), ClientError> {
        let client = self.new_client();
        let session = client.call(&Login(LoginRequest { email: email.into(), password: password.into() })).await?;
        Ok((signed_in(client, Some(&session)), session))
    }
}

/// A registration form without an invitation.
pub fn register_request(email: &str, name: &str, password: &str) -> RegisterRequest {
    RegisterRequest {
        email: email.into(),
        display_name: name.into(),
        password: password.into(),
        invitation_token: None,
    }
}

fn signed_in(mut client: Client, session: Option<&Session>) -> Client {
    client.set_token(session.map(|s| s.access_token.clone()));
    client
}

fn read_secret(data_dir: &Path) -> String {
    std::fs::read_to_string(data_dir.join("jwt-secret")).expect("the generated JWT secret").trim().to_owned()
}

/// The problem of a failed call; panics with the actual outcome otherwise.
#[track_caller]
pub fn problem<T: std::fmt::Debug>(result: Result<T, ClientError>) -> Problem {
    match result {
        Err(ClientError::Problem(problem)) => problem,
        other => panic!("expected a problem+json answer, got {other:?}"),
    }
}

/// The problem+json body of a raw error response; panics if it is not one.
pub async fn problem_of(response: reqwest::Response) -> Problem {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let body = response.text().await.expect("a readable body");
    assert!(content_type.starts_with("application/problem+json"), "status {status}, {content_type}: {body}");
    let problem: Problem = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not a problem ({e}): {body}"));
    assert_eq!(problem.status, status, "the body's status matches the response's");
    problem
}

/// The value of the `copse_refresh` cookie set by a response, if any.
pub fn refresh_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    set_cookie_headers(headers)
        .into_iter()
        .find_map(|line| {
            line.strip_prefix("copse_refresh=").map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
        .filter(|value| !value.is_empty())
}

/// Every `Set-Cookie` header of a response, as text.
pub fn set_cookie_headers(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("a visible-ASCII Set-Cookie header").to_owned())
        .collect()
}

/// A group made by `owner` (an admin or site facilitator), which each `(client, email)`
/// has been invited to and joined.
pub async fn group_with(
    owner: &Client,
    name: &str,
    visibility: copse_shared::groups::GroupVisibility,
    members: &[(&Client, &str)],
) -> copse_shared::groups::Group {
    use copse_shared::endpoints::{CreateGroup, InviteToGroup, JoinGroup};
    use copse_shared::groups::{CreateGroupRequest, InviteToGroupRequest};
    let request = CreateGroupRequest { name: name.into(), slug: None, description: String::new(), visibility };
    let group = owner.call(&CreateGroup(request)).await.expect("the group is created");
    for (client, email) in members {
        let body = InviteToGroupRequest { email: (*email).into() };
        owner.call(&InviteToGroup { group: group.slug.clone(), body }).await.expect("the member is invited");
        client.call(&JoinGroup { group: group.slug.clone() }).await.expect("the member joins");
    }
    group
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_of_a_postgres_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
    }
}
