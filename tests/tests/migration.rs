//! Migration 0003 (the ledger core) on a database that already holds a ledger: every event is
//! carried over unchanged, every day with events is queued for the projection, and after the
//! first drain the days endpoint's table holds them — on both databases.

use chrono::{DateTime, Utc};
use sqlx::Connection;
use stampclock_tests::backend::TestDb;
use stampclock_tests::{both_databases, Backend};
use sync_server::ledger::projection::{self, OrgFacts};
use uuid::Uuid;

both_databases!(migration_0003_carries_an_existing_ledger_over);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The migrations before the ledger core, applied as an older server would have.
async fn old_migrator(dialect: &str) -> (sqlx::migrate::Migrator, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(dialect);
    for name in ["0001_initial.sql", "0002_governance.sql"] {
        std::fs::copy(src.join(name), dir.path().join(name)).unwrap();
    }
    (sqlx::migrate::Migrator::new(dir.path()).await.unwrap(), dir)
}

macro_rules! fill_old_ledger {
    ($conn:expr, $org:expr, $person:expr, $link:expr, $device:expr, $events:expr) => {{
        let now = Utc::now();
        sqlx::query("INSERT INTO organisations (id, name, time_zone, created_at) VALUES ($1, 'Old AB', 'Europe/Stockholm', $2)")
            .bind($org).bind(now).execute(&mut *$conn).await.unwrap();
        sqlx::query("INSERT INTO people (id, organisation_id, number, name, role, created_at, updated_at) VALUES ($1, $2, '7', 'Old Staff', 'employee', $3, $3)")
            .bind($person).bind($org).bind(now).execute(&mut *$conn).await.unwrap();
        sqlx::query("INSERT INTO links (id, organisation_id, project, account, created_at) VALUES ($1, $2, 'P', 'A', $3)")
            .bind($link).bind($org).bind(now).execute(&mut *$conn).await.unwrap();
        sqlx::query("INSERT INTO devices (id, organisation_id, public_key, platform, app_version, installed_at) VALUES ($1, $2, 'AAAA', 'old', '0.1.0', $3)")
            .bind($device).bind($org).bind(now).execute(&mut *$conn).await.unwrap();
        for (i, (id, kind, when)) in $events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at, \
                 occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 3600, $8, 3600, $9, 'accepted', NULL)",
            )
            .bind(*id).bind($org).bind($device).bind(i as i64 + 1).bind($person).bind(*kind)
            .bind(if *kind == "start" { Some($link) } else { None }).bind(at(when)).bind(now)
            .execute(&mut *$conn).await.unwrap();
        }
    }};
}

async fn migration_0003_carries_an_existing_ledger_over(backend: Backend) {
    let db = TestDb::create(backend).await;
    let (org, person, link, device) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let events = [
        (Uuid::now_v7(), "start", "2026-11-16T08:00:00+01:00"),
        (Uuid::now_v7(), "stop", "2026-11-16T16:00:00+01:00"),
        (Uuid::now_v7(), "start", "2026-11-30T22:00:00+01:00"),
        (Uuid::now_v7(), "stop", "2026-12-01T02:00:00+01:00"),
    ];
    match backend {
        Backend::Sqlite => {
            let url = format!("{}?mode=rwc", db.url);
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let (m, _dir) = old_migrator("server-sqlite").await;
            m.run(&mut conn).await.unwrap();
            fill_old_ledger!(&mut conn, org, person, link, device, events);
            conn.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let (m, _dir) = old_migrator("server-postgres").await;
            m.run(&mut conn).await.unwrap();
            fill_old_ledger!(&mut conn, org, person, link, device, events);
            conn.close().await.unwrap();
        }
    }
    // The new server migrates on start.
    let settings = sync_server::config::Settings {
        data_dir: db.dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        ..Default::default()
    };
    let state = sync_server::build_state(&settings, sync_server::clock::Clock::default()).await.unwrap();
    let mut tx = state.store.begin().await.unwrap();
    assert_eq!(sync_server::store::events::count(&mut tx, org, "accepted").await.unwrap(), 4, "every event carried over");
    let rows = sync_server::store::ledger::employee_records(&mut tx, org, person, at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), events.iter().map(|e| e.0).collect::<Vec<_>>());
    assert!(rows.iter().all(|r| r.device_id == Some(device)), "the tablet of each record is kept");
    // Queued by the migration and built by the first drain (D3: the night shift is the 30th's).
    assert!(projection::drain(&state, None).await.unwrap() >= 2);
    let mut tx = state.store.begin().await.unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let days: Vec<projection::DayView> = sync_server::store::ledger::days(&mut tx, org, person, from, to)
        .await
        .unwrap()
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
    let facts = OrgFacts::load(&mut tx, org).await.unwrap();
    let scratch = projection::from_scratch(&mut tx, org, person, &facts).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(days.iter().map(|d| (d.date.to_string(), d.actual_min)).collect::<Vec<_>>(), vec![
        ("2026-11-16".to_owned(), 480),
        ("2026-11-30".to_owned(), 240)
    ]);
    assert_eq!(days, scratch);
}
