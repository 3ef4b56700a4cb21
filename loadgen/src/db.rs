//! Straight to PostgreSQL: the raw-insert baseline (the ratio's denominator) and the pre-fill
//! that gives the ledger its ≥ 10 million rows before anything is measured.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, FixedOffset, Utc};
use shared_model::{PunchEvent, PunchKind};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sync_server::store::{postgres_insert_page, Device, NewEvent};
use uuid::Uuid;

use crate::client::{EMPLOYEE_PREFIX, LINK_PROJECT};
use crate::stats::{Outcome, Shared, Stats, Summary};

/// Opens a pool, refusing any host but this machine.
pub async fn connect(url: &str, max: u32) -> Result<PgPool> {
    let opts = PgConnectOptions::from_str(url).context("database URL")?;
    match opts.get_host() {
        "127.0.0.1" | "localhost" | "::1" => {}
        h if h.starts_with('/') => {}
        other => bail!("refusing database host {other:?}: sync-loadgen only targets 127.0.0.1"),
    }
    Ok(PgPoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(30)).connect_with(opts).await?)
}

/// The benchmark organisation's ids, as the HTTP setup left them.
pub struct OrgRefs {
    pub organisation: Uuid,
    pub employees: Vec<Uuid>,
    pub links: Vec<Uuid>,
}

pub async fn org_refs(pool: &PgPool, organisation: &str) -> Result<OrgRefs> {
    let org: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM organisations WHERE name = $1").bind(organisation).fetch_optional(pool).await?;
    let Some((org,)) = org else { bail!("no organisation named {organisation:?}") };
    let employees: Vec<(Uuid,)> =
        sqlx::query_as("SELECT id FROM people WHERE organisation_id = $1 AND number LIKE $2 ORDER BY number")
            .bind(org)
            .bind(format!("{EMPLOYEE_PREFIX}%"))
            .fetch_all(pool)
            .await?;
    let links: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM links WHERE organisation_id = $1 AND project = $2 ORDER BY account")
        .bind(org)
        .bind(LINK_PROJECT)
        .fetch_all(pool)
        .await?;
    if employees.is_empty() || links.is_empty() {
        bail!("organisation {organisation:?} has no loadgen employees/links yet: run `sync-loadgen setup` first");
    }
    Ok(OrgRefs {
        organisation: org,
        employees: employees.into_iter().map(|(id,)| id).collect(),
        links: links.into_iter().map(|(id,)| id).collect(),
    })
}

/// A device row written directly (no key anyone holds), for rows that do not come over HTTP.
async fn raw_device(pool: &PgPool, org: Uuid, platform: &str) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO devices (id, organisation_id, public_key, platform, app_version, installed_at) \
         VALUES ($1, $2, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', $3, 'loadgen', now())",
    )
    .bind(id)
    .bind(org)
    .bind(platform)
    .execute(pool)
    .await?;
    Ok(id)
}

/// The device as the server's insert reads it (only its id and organisation are used).
fn device_record(refs: &OrgRefs, id: Uuid) -> Device {
    Device {
        id,
        organisation_id: refs.organisation,
        public_key: String::new(),
        platform: "sync-loadgen raw-insert".into(),
        app_version: "loadgen".into(),
        installed_at: Utc::now(),
        installed_by: None,
        last_contact_at: None,
        last_full_sync_at: None,
        pending_events: 0,
        oldest_pending_at: None,
        clock_offset_s: None,
        sync_state: String::new(),
        sync_period: None,
        uninstalled_at: None,
        uninstalled_by: None,
        name: None,
        sync_requested_at: None,
    }
}

/// One page of the same shape the tablets send, inserted in its own transaction by the
/// server's own page insert (`sync_server::store::postgres_insert_page`, the statement a sync
/// runs), without the rest of the sync around it.
async fn insert_page(pool: &PgPool, refs: &OrgRefs, device: &Device, first_seq: i64, n: usize) -> Result<usize> {
    let now: DateTime<Utc> = Utc::now();
    let cet = FixedOffset::east_opt(3600).context("offset")?;
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let seq = first_seq + i as i64;
        let start = seq % 2 == 1;
        let at = (now - chrono::Duration::seconds((n - i) as i64)).with_timezone(&cet);
        events.push(NewEvent {
            event: PunchEvent {
                id: Uuid::now_v7(),
                device_seq: seq,
                employee_id: refs.employees[(seq as usize / 2) % refs.employees.len()],
                kind: if start { PunchKind::Start } else { PunchKind::Stop },
                link_id: start.then(|| refs.links[(seq as usize / 2) % refs.links.len()]),
                comment: None,
                occurred_at: at,
                device_clock_at: at,
            },
            status: "accepted",
            flags: None,
        });
    }
    let mut tx = pool.begin().await?;
    let inserted = postgres_insert_page(&mut tx, device, &events, now).await?;
    tx.commit().await?;
    Ok(inserted.len())
}

/// `workers` connections each insert pages of `page` rows, one transaction per page, for
/// `duration` or `max_pages` pages in all, whichever ends first.
pub async fn raw_insert(pool: &PgPool, refs: &OrgRefs, workers: usize, page: usize, duration: Duration, max_pages: u64) -> Result<Summary> {
    let stats: Shared = Stats::new()?;
    let mut devices = Vec::with_capacity(workers);
    for _ in 0..workers {
        devices.push(raw_device(pool, refs.organisation, "sync-loadgen raw-insert").await?);
    }
    let pages_left = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(max_pages));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    if let Ok(mut s) = stats.lock() {
        s.restart();
    }
    let mut tasks = Vec::with_capacity(workers);
    for device in devices {
        let device = device_record(refs, device);
        let (pool, stats, pages_left) = (pool.clone(), stats.clone(), pages_left.clone());
        let refs = OrgRefs { organisation: refs.organisation, employees: refs.employees.clone(), links: refs.links.clone() };
        tasks.push(tokio::spawn(async move {
            let mut seq = 1_i64;
            while Instant::now() < deadline
                && pages_left.fetch_update(std::sync::atomic::Ordering::SeqCst, std::sync::atomic::Ordering::SeqCst, |p| p.checked_sub(1)).is_ok()
            {
                let t = Instant::now();
                let outcome = match insert_page(&pool, &refs, &device, seq, page).await {
                    Ok(n) if n == page => Outcome::Ok { events: n },
                    Ok(n) => Outcome::MissingAcks { missing: page - n },
                    Err(e) => Outcome::Error(format!("sql/{}", first_line(&e.to_string()))),
                };
                seq += page as i64;
                if let Ok(mut s) = stats.lock() {
                    s.record(t.elapsed(), outcome);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let s = stats.lock().map_err(|_| anyhow::anyhow!("stats lock poisoned"))?;
    Ok(s.print(&format!("raw UNNEST insert into PostgreSQL, pages of {page}, {workers} connections"), Some(elapsed)))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(80).collect()
}

/// Tops the ledger up to `target` rows with one `INSERT … SELECT generate_series` per `chunk`
/// rows: UUIDv7-shaped ids whose timestamps walk from a year ago to now (3 s apart, so every
/// fill id sorts below the ids tablets make during the run), under one fill device and the
/// organisation's loadgen employees and links, half starts and half stops.
pub async fn prefill(pool: &PgPool, refs: &OrgRefs, target: i64, chunk: i64) -> Result<()> {
    let (have,): (i64,) = sqlx::query_as("SELECT count(*) FROM events").fetch_one(pool).await?;
    let need = target - have;
    println!("events now: {have}; target {target}; inserting {}", need.max(0));
    if need <= 0 {
        return Ok(());
    }
    let device = raw_device(pool, refs.organisation, "sync-loadgen prefill").await?;
    let step_ms: i64 = 3000;
    let base_ms = Utc::now().timestamp_millis() - need * step_ms - 60_000;
    let started = Instant::now();
    let mut done = 0_i64;
    while done < need {
        let n = chunk.min(need - done);
        let t = Instant::now();
        let r = sqlx::query(
            "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, \
             occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags) \
             SELECT encode(set_byte(x.b, 6, (get_byte(x.b, 6) & 15) | 112), 'hex')::uuid, \
                    $1, $2, g, ($3::uuid[])[1 + (g / 2) % cardinality($3::uuid[])], \
                    CASE WHEN g % 2 = 1 THEN 'start' ELSE 'stop' END, \
                    CASE WHEN g % 2 = 1 THEN ($4::uuid[])[1 + (g / 2) % cardinality($4::uuid[])] END, \
                    NULL, to_timestamp(($5 + g * $6) / 1000.0), 3600, to_timestamp(($5 + g * $6) / 1000.0), 3600, \
                    to_timestamp(($5 + g * $6) / 1000.0), 'accepted', NULL \
             FROM generate_series($7::int8, $8::int8) AS g, \
                  LATERAL (SELECT overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send($5 + g * $6) FROM 3) FROM 1 FOR 6) AS b) AS x",
        )
        .bind(refs.organisation)
        .bind(device)
        .bind(&refs.employees)
        .bind(&refs.links)
        .bind(base_ms)
        .bind(step_ms)
        .bind(done + 1)
        .bind(done + n)
        .execute(pool)
        .await?;
        done += i64::try_from(r.rows_affected())?;
        println!(
            "  +{} rows in {:.1} s ({:.0} rows/s); {done}/{need}; load {}",
            r.rows_affected(),
            t.elapsed().as_secs_f64(),
            n as f64 / t.elapsed().as_secs_f64().max(1e-9),
            crate::stats::loadavg()
        );
    }
    sqlx::query("ANALYZE events").execute(pool).await?;
    let (total, size): (i64, String) =
        sqlx::query_as("SELECT count(*), pg_size_pretty(pg_total_relation_size('events')) FROM events").fetch_one(pool).await?;
    println!("pre-fill done in {:.0} s: events holds {total} rows, {size} with indexes", started.elapsed().as_secs_f64());
    Ok(())
}
