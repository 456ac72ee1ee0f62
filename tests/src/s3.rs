//! An S3-compatible server inside the test process (s3s-fs: the S3 protocol, with
//! signatures checked, over a temporary directory), so the S3 file store is tested
//! against a real wire protocol without Docker or the network.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The access key the test server accepts.
pub const ACCESS_KEY: &str = "copse-test-access";
/// The secret key the test server accepts (at least 32 characters).
pub const SECRET_KEY: &str = "copse-test-secret-key-0123456789abcdef";
/// The bucket the test server holds.
pub const BUCKET: &str = "copse-files";

/// A running S3 server on a loopback port; stops when dropped.
pub struct S3Server {
    /// `http://127.0.0.1:port`.
    pub endpoint: String,
    root: TempDir,
    tasks: JoinSet<()>,
}

impl S3Server {
    /// Starts a server with one empty bucket.
    pub async fn start() -> S3Server {
        let root = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(root.path().join(BUCKET)).expect("the bucket directory");
        let fs = s3s_fs::FileSystem::new(root.path()).expect("s3s-fs over the directory");
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let address: SocketAddr = listener.local_addr().expect("the bound address");
        let mut tasks = JoinSet::new();
        // Each connection is served on its own task in the same set, so `stop` can
        // cut them all, as a crashed store would.
        let (connections, mut incoming) = tokio::sync::mpsc::unbounded_channel();
        tasks.spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                if connections.send(socket).is_err() {
                    return;
                }
            }
        });
        tasks.spawn(async move {
            let mut served = JoinSet::new();
            while let Some(socket) = incoming.recv().await {
                let service = service.clone();
                served.spawn(async move {
                    let http = ConnBuilder::new(TokioExecutor::new());
                    let _ = http.serve_connection(TokioIo::new(socket), service).await;
                });
            }
        });
        S3Server { endpoint: format!("http://{address}"), root, tasks }
    }

    /// Stops listening and drops every open connection.
    pub fn stop(&mut self) {
        self.tasks.abort_all();
    }

    /// Where an object's bytes are on disk.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }

    /// The bucket's directory on disk.
    pub fn bucket_dir(&self) -> PathBuf {
        self.root.path().join(BUCKET)
    }

    /// The server's whole directory, with its multipart staging files.
    pub fn root_dir(&self) -> &Path {
        self.root.path()
    }

    /// Points Copse's settings at this server, under `prefix`.
    pub fn configure(&self, settings: &mut copse::config::Settings, prefix: &str) {
        settings.s3.bucket = Some(BUCKET.to_owned());
        settings.s3.endpoint = Some(self.endpoint.clone());
        settings.s3.access_key_id = Some(ACCESS_KEY.to_owned());
        settings.s3.secret_access_key = Some(SECRET_KEY.parse().expect("a valid secret"));
        settings.s3.prefix = prefix.to_owned();
        settings.s3.path_style = true;
        settings.s3.allow_http = true;
    }
}
