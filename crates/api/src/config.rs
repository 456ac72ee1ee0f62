//! Typed configuration: one `Settings` struct filled from flags and `COPSE_*`
//! environment variables, with secrets that never print.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

/// A secret string: its `Debug` and `Display` never show the value.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret's value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 32 {
            return Err("the JWT secret must be at least 32 characters".to_owned());
        }
        Ok(Secret(s.to_owned()))
    }
}

/// Parses a secret of any length (credentials of other services, whose rules are theirs).
fn any_secret(s: &str) -> Result<Secret, String> {
    Ok(Secret(s.to_owned()))
}

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "copse", version, about = "Copse: a home for communities of practice")]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub settings: Settings,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the SPA (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an admin account; the password is read from standard input.
    CreateAdmin {
        /// The admin's email address.
        #[arg(long)]
        email: String,
        /// The admin's display name.
        #[arg(long)]
        name: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill the database with a believable demo community.
    SeedDemo,
    /// Fill an empty database with a large, deterministic community for benchmarks:
    /// members, profiles, groups, topics with replies, library items and events.
    SeedBench {
        /// Members: 1% start most topics, 9% mostly reply, 90% only read.
        #[arg(long, default_value_t = 20_000)]
        members: u32,
        /// Discussion topics (each library item adds its own discussion topic).
        #[arg(long, default_value_t = 100_000)]
        topics: u32,
        /// Replies, spread over the topics: most get a few, some hundreds.
        #[arg(long, default_value_t = 1_000_000)]
        replies: u32,
        /// Groups (one in five private).
        #[arg(long, default_value_t = 40)]
        groups: u32,
        /// Library items (links and documents hosted elsewhere; no files).
        #[arg(long, default_value_t = 20_000)]
        items: u32,
        /// Events (some recurring; a quarter upcoming).
        #[arg(long, default_value_t = 2_000)]
        events: u32,
        /// Seed of the generator: the same seed gives the same community.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

/// Server settings.
#[derive(Clone, Debug, Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "COPSE_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// Database URL: `sqlite://...` or `postgres://...` (default: SQLite in the data directory).
    #[arg(long, env = "COPSE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where Copse keeps its SQLite database and its generated JWT secret.
    #[arg(long, env = "COPSE_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Secret for signing access tokens (default: generated once into the data directory).
    #[arg(long, env = "COPSE_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<Secret>,
    /// The built SPA (`cargo xtask build-web` writes `dist/`).
    #[arg(long, env = "COPSE_WEB_DIR", default_value = "./dist", global = true)]
    pub web_dir: PathBuf,
    /// Log filter, in `tracing` syntax.
    #[arg(long, env = "COPSE_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Largest JSON body accepted, in bytes.
    #[arg(long, env = "COPSE_MAX_JSON_BYTES", default_value_t = 256 * 1024, global = true)]
    pub max_json_bytes: usize,
    /// Largest library upload accepted, in bytes (larger: 413).
    #[arg(long, env = "COPSE_MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024, global = true)]
    pub max_upload_bytes: u64,
    /// Login attempts allowed per client IP per minute.
    #[arg(long, env = "COPSE_LOGIN_PER_IP_PER_MINUTE", default_value_t = 30, global = true)]
    pub login_per_ip_per_minute: u32,
    /// Login attempts allowed per account per 15 minutes.
    #[arg(long, env = "COPSE_LOGIN_PER_ACCOUNT", default_value_t = 10, global = true)]
    pub login_per_account: u32,
    /// Registrations allowed per client IP per hour.
    #[arg(long, env = "COPSE_REGISTER_PER_IP_PER_HOUR", default_value_t = 30, global = true)]
    pub register_per_ip_per_hour: u32,
    /// Writes (creates, updates, deletes) allowed per member (or IP) per minute.
    #[arg(long, env = "COPSE_WRITES_PER_MINUTE", default_value_t = 120, global = true)]
    pub writes_per_minute: u32,
    /// Requests (reads and writes) allowed per partner API key per minute; a key's
    /// requests do not count against its caller's IP.
    #[arg(long, env = "COPSE_KEY_REQUESTS_PER_MINUTE", default_value_t = 600, global = true)]
    pub key_requests_per_minute: u32,
    /// Let webhooks reach loopback, private and link-local addresses: for development
    /// and tests only (it opens the server to SSRF through webhook URLs).
    #[arg(long, env = "COPSE_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false, global = true)]
    pub webhooks_allow_private: bool,
    /// How often the webhook worker looks for new changes and due retries, in ms.
    #[arg(long, env = "COPSE_WEBHOOK_POLL_MS", default_value_t = 1000, global = true)]
    pub webhook_poll_ms: u64,
    /// Report each request's SQL statement count in `X-Sql-Statements` (tests, benchmarks).
    #[arg(long, env = "COPSE_EXPOSE_SQL_COUNT", default_value_t = false, global = true)]
    pub expose_sql_count: bool,
    /// How long the community settings, the categories, the groups' names and signed-in
    /// members' accounts read from the database are trusted, in ms: a change made
    /// through another server (a suspension too) is seen after this long; one made
    /// through this server at once (0 reads them on every request).
    #[arg(long, env = "COPSE_COMMUNITY_CACHE_MS", default_value_t = 1000, global = true)]
    pub community_cache_ms: u64,
    /// How often members' activity is counted for the directory's "most active"
    /// order, in seconds; 0 turns the count off (the order stays as last counted).
    #[arg(long, env = "COPSE_ACTIVITY_COUNT_SECS", default_value_t = 300, global = true)]
    pub activity_count_secs: u64,
    /// Database pool size (connections that read; on SQLite, transactions have one
    /// more connection of their own). Default: 10 on PostgreSQL, where connections
    /// live in the database server; on SQLite two per core, because each connection
    /// holds its page cache and prepared statements in Copse's own memory, and more
    /// readers than cores buys no throughput.
    #[arg(long, env = "COPSE_DB_POOL", global = true)]
    pub db_pool: Option<u32>,
    /// SQLite's page cache per connection, in KiB. The operating system caches the
    /// database file as well, so a small cache costs little speed.
    #[arg(long, env = "COPSE_SQLITE_CACHE_KIB", default_value_t = 1024, global = true)]
    pub sqlite_cache_kib: u32,
    /// Where library files live (default: `files/` under the data directory).
    #[command(flatten)]
    pub s3: S3Settings,
}

/// S3-compatible file storage (AWS S3, MinIO, Garage, Ceph...). Setting a bucket
/// switches library files from the data directory to the bucket, so several Copse
/// servers can share them.
#[derive(Clone, Debug, Args)]
pub struct S3Settings {
    /// Bucket holding library files; unset keeps them under the data directory.
    #[arg(long = "s3-bucket", env = "COPSE_S3_BUCKET", global = true)]
    pub bucket: Option<String>,
    /// Endpoint of an S3-compatible service (default: AWS for the region).
    #[arg(long = "s3-endpoint", env = "COPSE_S3_ENDPOINT", global = true)]
    pub endpoint: Option<String>,
    /// Region of the bucket.
    #[arg(long = "s3-region", env = "COPSE_S3_REGION", default_value = "us-east-1", global = true)]
    pub region: String,
    /// Access key id (default: the usual AWS_* environment and instance credentials).
    #[arg(long = "s3-access-key-id", env = "COPSE_S3_ACCESS_KEY_ID", global = true)]
    pub access_key_id: Option<String>,
    /// Secret access key, with the access key id.
    #[arg(long = "s3-secret-access-key", env = "COPSE_S3_SECRET_ACCESS_KEY", value_parser = any_secret, hide_env_values = true, global = true)]
    pub secret_access_key: Option<Secret>,
    /// Key prefix inside the bucket, so one bucket can serve several communities.
    #[arg(long = "s3-prefix", env = "COPSE_S3_PREFIX", default_value = "", global = true)]
    pub prefix: String,
    /// Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (most
    /// self-hosted services need this).
    #[arg(long = "s3-path-style", env = "COPSE_S3_PATH_STYLE", default_value_t = false, global = true)]
    pub path_style: bool,
    /// Allow a plain-http endpoint (a service on the same private network).
    #[arg(long = "s3-allow-http", env = "COPSE_S3_ALLOW_HTTP", default_value_t = false, global = true)]
    pub allow_http: bool,
}

impl Settings {
    /// Settings with every default, for tests and tools that build them in code.
    pub fn defaults() -> Self {
        Cli::parse_from(["copse"]).settings
    }

    /// The database URL in effect: the configured one, or SQLite in the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/copse.db", self.data_dir.display()),
        }
    }
}
