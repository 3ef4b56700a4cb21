//! Test fixtures: the real sync-server on port 0 (SQLite) in a runtime of its own, so a test can
//! kill it at any moment (its tasks are dropped mid-request, as with a crashed process) and
//! restart it on the same database and port; seeding through the server's store; a kiosk in a
//! temp directory; a loopback proxy that can swallow responses.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::{Duration, Utc};
use clock_core::{Clock, Kiosk, KioskOptions};
use shared_model::{secret_hash, Personnummer, Role};
use sync_server::clock::Clock as ServerClock;
use sync_server::config::Settings;
use sync_server::state::AppState;
use sync_server::store::{self as db, ChangedBy, NewEnrolmentCode, NewLink, NewPerson};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

/// The admin's personnummer (a test number from Skatteverket's series).
pub const ADMIN_PNR: &str = "19811218-9876";
pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password";
/// Cheap PBKDF2 for tests: the check is the same code, only faster.
pub const TEST_ITERATIONS: u32 = 1_000;

/// A running (or killed) sync-server with its data directory.
pub struct TestServer {
    pub dir: PathBuf,
    pub addr: SocketAddr,
    pub clock: ServerClock,
    runtime: Option<tokio::runtime::Runtime>,
    pub state: Option<AppState>,
}

/// What the seed created.
#[derive(Debug, Clone)]
pub struct Seed {
    pub org: Uuid,
    pub links: Vec<Uuid>,
    /// (id, number, pin)
    pub staff: Vec<(Uuid, String, String)>,
    pub admin: Uuid,
}

fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("server runtime")
}

impl TestServer {
    /// A fresh server on a free loopback port.
    pub async fn start(dir: &Path) -> TestServer {
        Self::start_at(dir, "127.0.0.1:0".parse().expect("addr"), ServerClock::default()).await
    }

    /// A server on `addr` over the database in `dir` (restarts reuse both).
    pub async fn start_at(dir: &Path, addr: SocketAddr, clock: ServerClock) -> TestServer {
        let runtime = server_runtime();
        let settings = Settings {
            data_dir: dir.to_path_buf(),
            database_url: Some(format!("sqlite://{}/s.db", dir.display())),
            ..Default::default()
        };
        let c = clock.clone();
        let (state, addr) = runtime
            .spawn(async move {
                let state = sync_server::build_state(&settings, c).await.expect("server state");
                let listener = TcpListener::bind(addr).await.expect("bind");
                let addr = listener.local_addr().expect("addr");
                let s = state.clone();
                tokio::spawn(async move {
                    let _ = sync_server::launch(listener, s, std::future::pending()).await;
                });
                (state, addr)
            })
            .await
            .expect("server start");
        TestServer { dir: dir.to_path_buf(), addr, clock, runtime: Some(runtime), state: Some(state) }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops every task of the server at once, requests in flight included (a crash).
    pub fn kill(&mut self) {
        self.state = None;
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    /// Kills and starts again on the same database, port and clock.
    pub async fn restart(&mut self) {
        self.kill();
        *self = TestServer::start_at(&self.dir.clone(), self.addr, self.clock.clone()).await;
    }

    /// Runs `f` with the server's state on the server's runtime.
    pub async fn with<F, T>(&self, f: impl FnOnce(AppState) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let state = self.state.clone().expect("server is running");
        let rt = self.runtime.as_ref().expect("server is running");
        rt.spawn(f(state)).await.expect("server task")
    }

    /// An organisation with three links, four staff (101–104, PINs 1111–4444) and an admin.
    pub async fn seed(&self) -> Seed {
        self.with(|state| async move {
            let now = state.clock.now();
            let mut tx = state.store.begin().await.expect("begin");
            let org = db::organisations::create(&mut tx, "Test AB", "Europe/Stockholm", now).await.expect("org");
            let mut links = Vec::new();
            for (p, a) in [("Alfa", "Montage"), ("Alfa", "Resa"), ("Service", "Jour")] {
                let l = NewLink { id: Uuid::now_v7(), project: p.into(), account: a.into(), active: true };
                links.push(db::links::create(&mut tx, org.id, &l, now).await.expect("link").id);
            }
            let pnr = Personnummer::parse(ADMIN_PNR, now.date_naive()).expect("test personnummer");
            let admin = NewPerson {
                id: Uuid::now_v7(),
                organisation_id: org.id,
                number: Some("100".into()),
                name: "Admin Adminsson".into(),
                role: Role::Admin,
                username: Some(ADMIN_USER.into()),
                password_hash: Some(secret_hash::hash(ADMIN_PASSWORD, b"0123456789abcdef", TEST_ITERATIONS)),
                pin_hash: Some(secret_hash::hash("0000", b"0123456789abcdef", TEST_ITERATIONS)),
                personnummer_hmac: Some(state.personnummer_key.hash(&pnr)),
                personnummer_last4: Some(pnr.last4().to_owned()),
                active: true,
            };
            let admin = db::people::create(&mut tx, &admin, &ChangedBy::default(), now).await.expect("admin").id;
            let mut staff = Vec::new();
            for n in 1..=4u32 {
                let number = format!("10{n}");
                let pin = format!("{n}{n}{n}{n}");
                let p = NewPerson {
                    id: Uuid::now_v7(),
                    organisation_id: org.id,
                    number: Some(number.clone()),
                    name: format!("Staff {n}"),
                    role: Role::Employee,
                    username: None,
                    password_hash: None,
                    pin_hash: Some(secret_hash::hash(&pin, format!("salt-of-staff-{n}").as_bytes(), TEST_ITERATIONS)),
                    personnummer_hmac: None,
                    personnummer_last4: None,
                    active: true,
                };
                let id = db::people::create(&mut tx, &p, &ChangedBy::default(), now).await.expect("person").id;
                db::people::set_links(&mut tx, org.id, id, &links).await.expect("links");
                staff.push((id, number, pin));
            }
            tx.commit().await.expect("commit");
            Seed { org: org.id, links, staff, admin }
        })
        .await
    }

    /// A fresh enrolment code for `org`.
    pub async fn enrolment_code(&self, org: Uuid) -> String {
        self.with(move |state| async move {
            let code = format!("T{}", &Uuid::new_v4().simple().to_string()[..9]).to_uppercase();
            let now = state.clock.now();
            let new = NewEnrolmentCode {
                code_hash: sync_server::crypto::sha256_hex(&sync_server::api::device::normalise_code(&code)),
                organisation_id: org,
                created_by: None,
                created_at: now,
                expires_at: now + Duration::hours(1),
                device_name: None,
            };
            let mut tx = state.store.begin().await.expect("begin");
            db::enrolment::create_code(&mut tx, &new).await.expect("code");
            tx.commit().await.expect("commit");
            code
        })
        .await
    }

    /// Accepted events in the ledger, read from the database file (works while killed too).
    pub fn count(&self, status: &str) -> i64 {
        let db = rusqlite::Connection::open(self.dir.join("s.db")).expect("server db");
        db.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
        db.query_row("SELECT COUNT(*) FROM events WHERE status = ?1", [status], |r| r.get(0)).expect("count")
    }

    /// `(device_seq, id)` of every stored event, from the database file.
    pub fn stored_seqs(&self) -> Vec<(i64, Uuid)> {
        let db = rusqlite::Connection::open(self.dir.join("s.db")).expect("server db");
        db.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
        let mut stmt = db.prepare("SELECT device_seq, id FROM events ORDER BY device_seq").expect("prepare");
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, Uuid::from_slice(&r.get::<_, Vec<u8>>(1)?).expect("uuid blob"))))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    }

    /// Runs one SQL statement on the server's database file (what an admin action would do).
    pub fn execute(&self, sql: &str) {
        let db = rusqlite::Connection::open(self.dir.join("s.db")).expect("server db");
        db.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
        db.execute_batch(sql).expect("sql");
    }

    /// Logs in as the seeded admin and GETs `path` over HTTP.
    pub async fn admin_get(&self, path: &str) -> serde_json::Value {
        let http = reqwest::Client::new();
        let resp = http
            .post(format!("{}/api/v1/auth/login", self.url()))
            .json(&serde_json::json!({"username": ADMIN_USER, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 200, "admin login");
        let cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        let resp = http.get(format!("{}{path}", self.url())).header(reqwest::header::COOKIE, cookie).send().await.expect("get");
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().await.expect("json")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A kiosk core in its own data directory with its own clock.
pub fn kiosk(dir: &Path, clock: Clock) -> Kiosk {
    let mut o = KioskOptions::new(dir);
    o.clock = clock;
    o.http_timeout = std::time::Duration::from_secs(20);
    Kiosk::open(o).expect("kiosk")
}

/// A kiosk enrolled at `server_url` with the roster loaded.
pub async fn enrolled_kiosk(dir: &Path, clock: Clock, server: &TestServer, seed: &Seed, server_url: &str) -> Kiosk {
    let k = kiosk(dir, clock);
    let code = server.enrolment_code(seed.org).await;
    k.enrol(server_url, &code).await.expect("enrol");
    let r = k.sync_now().await.expect("first sync");
    assert!(r.roster_updated, "the first sync brings the roster");
    k
}

/// A loopback TCP proxy in front of `upstream` that can swallow the next responses: it forwards
/// the request, waits for the server's first answer bytes (so the server has committed), then
/// closes both sides without passing anything back.
pub struct LossyProxy {
    pub addr: SocketAddr,
    drop_next: Arc<AtomicU32>,
    pub dropped: Arc<AtomicU32>,
    /// Requests that began to pass through (`POST ` at the start of a chunk).
    pub requests: Arc<AtomicU32>,
}

impl LossyProxy {
    pub async fn start(upstream: SocketAddr) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let drop_next = Arc::new(AtomicU32::new(0));
        let dropped = Arc::new(AtomicU32::new(0));
        let requests = Arc::new(AtomicU32::new(0));
        let (d, dd, rq) = (drop_next.clone(), dropped.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (d, dd, rq) = (d.clone(), dd.clone(), rq.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = tokio::spawn(async move {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if buf[..n].starts_with(b"POST ") {
                                rq.fetch_add(1, Ordering::SeqCst);
                            }
                            if sw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    });
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match sr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let swallow = d.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1)).is_ok();
                        if swallow {
                            dd.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    up.abort();
                    let _ = cw.shutdown().await;
                });
            }
        });
        LossyProxy { addr, drop_next, dropped, requests }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Swallow the next `n` responses.
    pub fn drop_next(&self, n: u32) {
        self.drop_next.store(n, Ordering::SeqCst);
    }
}

/// A personnummer check date that accepts the test numbers.
pub fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}
