//! The real server on 127.0.0.1:0, with a seeded organisation.

use std::net::SocketAddr;

use chrono::Utc;
use shared_model::{secret_hash, Personnummer, Role};
use sync_server::clock::Clock;
use sync_server::config::Settings;
use sync_server::serve::{ConnectionLimits, OpenConnections};
use sync_server::state::AppState;
use sync_server::store::{self as db, ChangedBy, NewLink, NewPerson, Organisation};
use shared_model::wire::Roster;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::backend::{Backend, TestDb};

/// Password of every seeded web user.
pub const PASSWORD: &str = "correct horse battery";

/// A running server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub clock: Clock,
    pub backend: Backend,
    /// Connections open at the server right now.
    pub open_connections: OpenConnections,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    pub db: TestDb,
}

impl TestServer {
    /// Starts the server on a fresh database.
    pub async fn start(backend: Backend) -> TestServer {
        let db = TestDb::create(backend).await;
        TestServer::start_on(backend, db).await
    }

    /// Starts the server on an existing test database (a restart keeps the data).
    pub async fn start_on(backend: Backend, db: TestDb) -> TestServer {
        TestServer::start_with(backend, db, ConnectionLimits::default()).await
    }

    /// Starts the server on a fresh database under other connection limits.
    pub async fn start_with_limits(backend: Backend, limits: ConnectionLimits) -> TestServer {
        let db = TestDb::create(backend).await;
        TestServer::start_with(backend, db, limits).await
    }

    async fn start_with(backend: Backend, db: TestDb, limits: ConnectionLimits) -> TestServer {
        let settings = Settings { data_dir: db.dir.path().to_path_buf(), database_url: Some(db.url.clone()), ..Settings::default() };
        let clock = Clock::default();
        let state = sync_server::build_state(&settings, clock.clone()).await.expect("server state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let open_connections = OpenConnections::default();
        let task = tokio::spawn(sync_server::launch_with(listener, state.clone(), limits, open_connections.clone(), async move {
            let _ = rx.await;
        }));
        TestServer { addr, state, clock, backend, open_connections, shutdown: Some(tx), task: Some(task), db }
    }

    /// A second server process on the same database (the first keeps owning it).
    pub async fn second_process(&self) -> TestServer {
        let db = TestDb { url: self.db.url.clone(), dir: tempfile::tempdir().expect("tmp"), pg_name: None };
        TestServer::start_with(self.backend, db, ConnectionLimits::default()).await
    }

    /// Number of stored events of `org` with this status.
    pub async fn count_events(&self, org: Uuid, status: &str) -> i64 {
        let mut tx = self.state.store.begin_read().await.expect("begin");
        let n = db::events::count(&mut tx, org, status).await.expect("count events");
        tx.commit().await.expect("commit");
        n
    }

    /// The roster tablets of `org` pull.
    pub async fn roster(&self, org: Uuid) -> Roster {
        let mut tx = self.state.store.begin_read().await.expect("begin");
        let roster = db::roster::get(&mut tx, org).await.expect("roster");
        tx.commit().await.expect("commit");
        roster
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server and hands back its database for a restart.
    pub async fn stop(mut self) -> TestDb {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let tmp = TestDb { url: String::new(), dir: tempfile::tempdir().expect("tmp"), pg_name: None };
        std::mem::replace(&mut self.db, tmp)
    }

    /// Creates an organisation with an admin, a manager, an employee (with web login),
    /// two stamping employees and two links assigned to them.
    pub async fn seed(&self, name: &str) -> Seed {
        let mut tx = self.state.store.begin().await.expect("begin");
        let now = Utc::now();
        let org = db::organisations::create(&mut tx, name, "Europe/Stockholm", now).await.expect("org");
        let link_a = db::links::create(&mut tx, org.id, &NewLink { id: Uuid::now_v7(), project: "Alfa".into(), account: "Montage".into(), active: true }, now)
            .await
            .expect("link");
        let link_b = db::links::create(&mut tx, org.id, &NewLink { id: Uuid::now_v7(), project: "Alfa".into(), account: "Resa".into(), active: true }, now)
            .await
            .expect("link");
        let today = now.date_naive();
        let person = |username: Option<&str>, number: Option<&str>, role: Role, pnr: Option<&str>| {
            let pnr = pnr.map(|p| Personnummer::parse(p, today).expect("test personnummer"));
            NewPerson {
                id: Uuid::now_v7(),
                organisation_id: org.id,
                number: number.map(str::to_owned),
                name: format!("{name} {}", username.or(number).unwrap_or("x")),
                role,
                username: username.map(|u| format!("{u}@{}", name.to_lowercase().replace(' ', "-"))),
                password_hash: username.map(|_| secret_hash::hash(PASSWORD, b"0123456789abcdef", 1000)),
                pin_hash: number.map(|n| secret_hash::hash(&format!("{n:0>4}"), b"fedcba9876543210", 1000)),
                personnummer_hmac: pnr.as_ref().map(|p| self.state.personnummer_key.hash(p)),
                personnummer_last4: pnr.as_ref().map(|p| p.last4().to_owned()),
                active: true,
            }
        };
        let admin = person(Some("admin"), None, Role::Admin, Some("19811218-9876"));
        let manager = person(Some("manager"), None, Role::Manager, Some("19640823-3234"));
        let employee = person(Some("employee"), Some("7"), Role::Employee, Some("19460823-9986"));
        let staff1 = person(None, Some("101"), Role::Employee, None);
        let staff2 = person(None, Some("102"), Role::Employee, None);
        let mut ids = Vec::new();
        for p in [&admin, &manager, &employee, &staff1, &staff2] {
            ids.push(db::people::create(&mut tx, p, &ChangedBy::default(), now).await.expect("person").id);
        }
        for id in &ids[2..] {
            db::people::set_links(&mut tx, org.id, *id, &[link_a.id, link_b.id]).await.expect("links");
        }
        tx.commit().await.expect("commit");
        Seed {
            org,
            admin_username: admin.username.clone().unwrap_or_default(),
            manager_username: manager.username.clone().unwrap_or_default(),
            employee_username: employee.username.clone().unwrap_or_default(),
            admin_id: ids[0],
            manager_id: ids[1],
            employee_id: ids[2],
            staff: vec![ids[3], ids[4]],
            links: vec![link_a.id, link_b.id],
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What [`TestServer::seed`] created.
#[derive(Debug, Clone)]
pub struct Seed {
    pub org: Organisation,
    pub admin_username: String,
    pub manager_username: String,
    pub employee_username: String,
    pub admin_id: Uuid,
    pub manager_id: Uuid,
    pub employee_id: Uuid,
    /// Stamping employees with PINs "0101" and "0102".
    pub staff: Vec<Uuid>,
    pub links: Vec<Uuid>,
}
