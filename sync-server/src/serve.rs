//! The HTTP listener in front of the router: a cap on open connections and timeouts on every
//! connection, so idle or slow clients cannot hold the server's file descriptors (issue 10,
//! defect 1). docs/ARCHITECTURE.md ("Connections") says what a reverse proxy should add.
//!
//! - **Header timeout** (`header_timeout_s`): a connection has this long to deliver a request's
//!   head from the moment it is ready for one — a new connection that sends nothing, a
//!   keep-alive connection idle between requests, and headers trickled byte by byte all end
//!   there. It is also the idle timeout.
//! - **Body timeout** (`body_timeout_s`): enforced where the body is read (`api/body.rs`), 408
//!   `request_timeout` with the contract's error body, then the connection closes.
//! - **Connection cap** (`max_connections`): past it the server stops accepting (new connections
//!   wait in the kernel's listen backlog) and logs `connection limit reached` once per ten
//!   seconds while it lasts. The cap is lowered to fit the open-files limit at start.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// File descriptors kept back from the connection cap: the database pool, the SQLite files,
/// logs and the blocking pool need some too.
pub const RESERVED_FDS: u64 = 128;

/// How many connections may be open at once and how long a connection may stall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits { max_connections: 4096, header_timeout: Duration::from_secs(15), body_timeout: Duration::from_secs(30) }
    }
}

impl ConnectionLimits {
    /// Raises the soft open-files limit as far as the hard limit allows and lowers the cap to
    /// what then fits, with a log line saying so.
    pub fn fit_to_open_files_limit(mut self) -> ConnectionLimits {
        let files = match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "could not read or raise the open-files limit; keeping the connection cap as configured");
                return self;
            }
        };
        let fits = usize::try_from(files.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX);
        if self.max_connections > fits {
            tracing::warn!(
                configured = self.max_connections,
                open_files_limit = files,
                cap = fits,
                "max_connections lowered to fit the open-files limit (raise it with ulimit -n or LimitNOFILE)"
            );
            self.max_connections = fits;
        }
        tracing::info!(max_connections = self.max_connections, open_files_limit = files, "connection limits");
        self
    }
}

/// Connections open right now, shared with whoever wants to watch (tests, metrics).
#[derive(Debug, Default, Clone)]
pub struct OpenConnections(Arc<AtomicUsize>);

impl OpenConnections {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish (at
/// most 30 s) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    open: OpenConnections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut connections = tokio::task::JoinSet::new();
    let mut last_full_log: Option<Instant> = None;
    let mut stop = stop_rx.clone();
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if last_full_log.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: not accepting until a connection closes (new ones wait in the listen backlog)"
                    );
                    last_full_log = Some(Instant::now());
                }
                tokio::select! {
                    p = Arc::clone(&permits).acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    _ = stopped(&mut stop) => break,
                }
            }
        };
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(conn) => conn,
                Err(e) => {
                    drop(permit);
                    if !is_connection_error(&e) {
                        // EMFILE and friends: wait a little instead of spinning on the error.
                        tracing::error!(error = %e, "accept failed; retrying in 100 ms");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut conn_stop = stop_rx.clone();
        let open = open.clone();
        open.0.fetch_add(1, Ordering::Relaxed);
        connections.spawn(async move {
            serve_connection(stream, remote, app, limits, &mut conn_stop).await;
            open.0.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let drained = tokio::time::timeout(Duration::from_secs(30), async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(still_open = connections.len(), "connections still open 30 s after shutdown; closing them");
        connections.abort_all();
    }
    Ok(())
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    remote: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    stop: &mut watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(req.map(axum::body::Body::new)).await.unwrap_or_else(|e| match e {})) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(client = %remote, error = %e, "connection ended with an error");
            }
        }
        _ = stopped(stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Completes once shutdown has been signalled (the guard `wait_for` holds is not `Send`, so
/// it must not live across an await).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Errors of one connection that the listener itself survives.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset
    )
}
