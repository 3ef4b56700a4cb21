//! The timesheet's cost (issue 12, "Tests and figures"), in process against the real store,
//! without HTTP: what a 500-event sync page costs to ingest (classify + the page's insert with
//! its dirty days) against what its projection then costs (rebuilding the days it touched), the
//! rebuild of one employee-month, and rendering a month for every employee.
//!
//! ```sh
//! cargo bench -p sync-server --bench timesheet                      # SQLite in a temp dir, 1,000 employees
//! BENCH_EMPLOYEES=200 cargo bench -p sync-server --bench timesheet
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ts cargo bench -p sync-server --bench timesheet
//! BENCH_DATABASE_URL=… BENCH_PREFILL_ROWS=10000000 BENCH_PAGE=50 BENCH_EMPLOYEES=200 cargo bench -p sync-server --bench timesheet
//! ```
//! A PostgreSQL database named by `BENCH_DATABASE_URL` must exist; each run makes its own
//! organisation in it. `BENCH_PAGE` is the sync page size (default 500, the protocol's maximum;
//! 50 is a tablet's five-minute sync). `BENCH_PREFILL_ROWS` (PostgreSQL only) first tops the
//! `events` table up to that many rows of another organisation, written straight into the table
//! (one `INSERT … SELECT FROM generate_series` per million, as `sync-loadgen prefill` does), so
//! the ledger's indexes are the size of a real fleet's; a second run on the same database reuses
//! them. Figures and the command that produced them are recorded in docs/BENCHMARKS.md; nothing
//! here asserts a time.

use std::collections::BTreeSet;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use shared_model::{PunchEvent, PunchKind, Role};
use sync_server::clock::Clock;
use sync_server::config::Settings;
use sync_server::ledger::projection;
use sync_server::store::timesheet::{self as ts, AssignmentRow, WorkModelRow};
use sync_server::store::{self as db, ledger, ChangedBy, NewDevice, NewEnrolmentCode, NewLink, NewPerson, Redeemed, SyncBookkeeping};
use shared_model::PayPeriod;
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let employees = env_usize("BENCH_EMPLOYEES", 1000);
    let page_size = env_usize("BENCH_PAGE", shared_model::wire::MAX_EVENTS_PER_PAGE).clamp(1, shared_model::wire::MAX_EVENTS_PER_PAGE);
    let dir = tempfile::tempdir()?;
    let database_url = std::env::var("BENCH_DATABASE_URL").ok();
    let settings = Settings { data_dir: dir.path().to_path_buf(), database_url: database_url.clone(), ..Settings::default() };
    let state = sync_server::build_state(&settings, Clock::default()).await?;
    let store = &state.store;
    let backend = if database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("timesheet bench: {backend}, {employees} employees, November 2026 (21 weekdays, 4 stamps a day), pages of {page_size}");
    if let (Some(url), Some(rows)) = (&database_url, std::env::var("BENCH_PREFILL_ROWS").ok().and_then(|v| v.parse::<i64>().ok())) {
        prefill(&state, url, rows).await?;
    }

    // The organisation: one link, a full-time model for everyone from 1 November.
    let now = Utc::now();
    let mut tx = store.begin().await?;
    let org = db::organisations::create(&mut tx, &format!("Bench {}", Uuid::now_v7()), "Europe/Stockholm", now).await?;
    let link = db::links::create(&mut tx, org.id, &NewLink { id: Uuid::now_v7(), project: "Bench".into(), account: "Work".into(), active: true }, now).await?;
    let model = WorkModelRow { id: Uuid::now_v7(), name: "Heltid".into(), mon_min: 480, tue_min: 480, wed_min: 480, thu_min: 480, fri_min: 480, sat_min: 0, sun_min: 0 };
    ts::save_work_model(&mut tx, org.id, &model, true, now).await?;
    tx.commit().await?;
    let from = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let mut people = Vec::with_capacity(employees);
    for i in 0..employees {
        let p = NewPerson {
            id: Uuid::now_v7(),
            organisation_id: org.id,
            number: Some(format!("{}", 1000 + i)),
            name: format!("Bench {i}"),
            role: Role::Employee,
            username: None,
            password_hash: None,
            pin_hash: None,
            personnummer_hmac: None,
            personnummer_last4: None,
            active: true,
        };
        let mut tx = store.begin().await?;
        let id = db::people::create(&mut tx, &p, &ChangedBy::default(), now).await?.id;
        db::people::set_links(&mut tx, org.id, id, &[link.id]).await?;
        let a = AssignmentRow { valid_from: from, work_model_id: model.id, flex_model: "accumulating".into(), flex_opening_min: 0, vacation_centidays: Some(2500) };
        ts::put_assignment(&mut tx, org.id, id, &a, id, now).await?;
        tx.commit().await?;
        people.push(id);
    }
    // A tablet, enrolled the way the API does it.
    let code_hash = format!("bench-{}", Uuid::now_v7());
    let mut tx = store.begin().await?;
    db::enrolment::create_code(&mut tx, &NewEnrolmentCode { code_hash: code_hash.clone(), organisation_id: org.id, created_by: None, created_at: now, expires_at: now + Duration::hours(1), device_name: None })
        .await?;
    let device = match db::enrolment::redeem(&mut tx, &code_hash, &NewDevice { id: Uuid::now_v7(), public_key: "bench".into(), platform: "bench".into(), app_version: "bench".into(), now })
        .await?
    {
        Redeemed::Enrolled { device, .. } => *device,
        _ => anyhow::bail!("enrolment failed"),
    };
    tx.commit().await?;

    // November's stamps in pages of 500, the way a tablet sends them (day by day, everyone).
    let cet = FixedOffset::east_opt(3600).ok_or_else(|| anyhow::anyhow!("UTC+1 is no offset"))?;
    let mut seq = 0i64;
    let mut events = Vec::new();
    for day in from.iter_days().take_while(|d| d.month() == 11) {
        if day.weekday().num_days_from_monday() >= 5 {
            continue;
        }
        for e in &people {
            for (h, m, kind) in [(8, 0, PunchKind::Start), (12, 0, PunchKind::Stop), (12, 30, PunchKind::Start), (16, 30, PunchKind::Stop)] {
                seq += 1;
                let wall = day.and_hms_opt(h, m, 0).ok_or_else(|| anyhow::anyhow!("{day} {h}:{m} is no time"))?;
                let at = cet.from_local_datetime(&wall).single().ok_or_else(|| anyhow::anyhow!("{wall} is not one instant"))?;
                events.push(PunchEvent {
                    id: Uuid::now_v7(),
                    device_seq: seq,
                    employee_id: *e,
                    kind,
                    link_id: if kind == PunchKind::Start { Some(link.id) } else { None },
                    comment: None,
                    occurred_at: at,
                    device_clock_at: at,
                });
            }
        }
    }
    let pages: Vec<Vec<PunchEvent>> = events.chunks(page_size).map(<[PunchEvent]>::to_vec).collect();
    println!("{} events in {} pages", events.len(), pages.len());
    let (mut ingest, mut project) = (Vec::new(), Vec::new());
    let mut rebuilt_days = 0usize;
    for page in pages {
        let t = Instant::now();
        let classified = sync_server::ledger::ingest::classify(&state, &device, &org, page).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let book = SyncBookkeeping { now: Utc::now(), pending_after: 1, oldest_pending_at: None, clock_offset_s: Some(0) };
        let mut tx = store.begin().await?;
        db::events::store_page(&mut tx, &device, &classified.events, &book, &classified.dirty).await?;
        tx.commit().await?;
        ingest.push(ms(t.elapsed()));
        let t = Instant::now();
        rebuilt_days += projection::drain(&state, Some(org.id)).await?;
        project.push(ms(t.elapsed()));
    }
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let (si, sp) = (sum(&ingest), sum(&project));
    println!("all pages: ingest {:.0} ms, projection {:.0} ms in all", si, sp);
    let mut sorted_i = ingest.clone();
    sorted_i.sort_by(f64::total_cmp);
    let mut sorted_p = project.clone();
    sorted_p.sort_by(f64::total_cmp);
    println!(
        "sync page of {page_size}: ingest p50 {:.1} ms p95 {:.1} ms; its projection p50 {:.1} ms p95 {:.1} ms; projection/ingest = {:.0} % ({rebuilt_days} days rebuilt)",
        percentile(&sorted_i, 0.5),
        percentile(&sorted_i, 0.95),
        percentile(&sorted_p, 0.5),
        percentile(&sorted_p, 0.95),
        100.0 * sp / si
    );

    // One employee-month rebuilt from scratch (every day of November dirty), for 20 employees.
    let mut one = Vec::new();
    for e in people.iter().take(20) {
        let days: Vec<(Uuid, NaiveDate)> = from.iter_days().take_while(|d| d.month() == 11).map(|d| (*e, d)).collect();
        let mut tx = store.begin().await?;
        ledger::mark_dirty(&mut tx, org.id, &days, Utc::now()).await?;
        tx.commit().await?;
        let t = Instant::now();
        projection::drain(&state, Some(org.id)).await?;
        one.push(ms(t.elapsed()));
    }
    one.sort_by(f64::total_cmp);
    println!("rebuild of one employee-month: p50 {:.1} ms, p95 {:.1} ms", percentile(&one, 0.5), percentile(&one, 0.95));

    // The month as the timesheet endpoint computes it, for every employee.
    let period = PayPeriod::new(2026, 11)?;
    let t = Instant::now();
    let mut per = Vec::with_capacity(people.len());
    let mut check = BTreeSet::new();
    let mut one_by_one = Vec::with_capacity(people.len());
    for e in &people {
        let t1 = Instant::now();
        let m = sync_server::timesheet::month(&state, org.id, *e, period).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        per.push(ms(t1.elapsed()));
        check.insert(m.totals.actual_min);
        one_by_one.push(serde_json::to_value(&m)?);
    }
    let total = t.elapsed();
    per.sort_by(f64::total_cmp);
    println!(
        "timesheet month of {} employees: {:.0} ms in all, per employee p50 {:.2} ms p95 {:.2} ms (Ist of every month: {:?} min)",
        people.len(),
        ms(total),
        percentile(&per, 0.5),
        percentile(&per, 0.95),
        check
    );

    // The same months for the whole organisation at once (what the payroll office and the
    // tablets' weeks read): every table once, then the same composition per employee.
    let t = Instant::now();
    let facts = sync_server::timesheet::OrgMonthFacts::load(&state, org.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let refs = people
        .iter()
        .enumerate()
        .map(|(i, id)| sync_server::timesheet::EmployeeRef { id: *id, name: format!("Bench {i}"), number: Some(format!("{}", 1000 + i)) })
        .collect();
    let months = sync_server::timesheet::months_of(&state, &facts, refs, period).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let batched = t.elapsed();
    let same = months.iter().zip(&one_by_one).filter(|(a, b)| serde_json::to_value(a).ok().as_ref() == Some(*b)).count();
    println!("timesheet months of {} employees at once: {:.0} ms ({same} of {} equal to the one-by-one months)", months.len(), ms(batched), one_by_one.len());
    if same != one_by_one.len() {
        anyhow::bail!("the batched months differ from the one-by-one months");
    }

    // The payroll run of November (issue 15): the tablet reports nothing left, the run locks the
    // month and stores its basis (every employee's month, summed); then the exports of it.
    let book = SyncBookkeeping { now: Utc::now(), pending_after: 0, oldest_pending_at: None, clock_offset_s: Some(0) };
    let mut tx = store.begin().await?;
    db::events::store_page(&mut tx, &device, &[], &book, &[]).await?;
    tx.commit().await?;
    let t = Instant::now();
    let run = sync_server::ledger::gate::run(&state, org.id, period, people[0]).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let run_ms = ms(t.elapsed());
    let t = Instant::now();
    let basis = sync_server::payroll::compute_and_store(&state, org.id, run.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let read_ms = ms(t.elapsed());
    let t = Instant::now();
    let xml = sync_server::payroll::paxml::basis_paxml(&basis, "Bench AB").map_err(|e| anyhow::anyhow!("{e}"))?;
    let paxml_ms = ms(t.elapsed());
    let t = Instant::now();
    let csv = sync_server::payroll::csv::basis_csv(&basis, sync_server::timesheet::csv::Lang::Sv).map_err(|e| anyhow::anyhow!("{e}"))?;
    let csv_ms = ms(t.elapsed());
    let t = Instant::now();
    let tlu = sync_server::payroll::visma::basis_tlu(&basis, "Bench AB").map_err(|e| anyhow::anyhow!("{e}"))?;
    let tlu_ms = ms(t.elapsed());
    println!(
        "payroll run of {} employees (lock + basis computed and stored): {run_ms:.0} ms; stored basis read back: {read_ms:.0} ms; PAXml {paxml_ms:.0} ms ({} kB); CSV {csv_ms:.0} ms ({} kB); Visma {tlu_ms:.0} ms ({} kB); basis + PAXml {:.0} ms",
        basis.employees.len(),
        xml.len() / 1024,
        csv.len() / 1024,
        tlu.len() / 1024,
        run_ms + paxml_ms
    );
    Ok(())
}

/// Tops `events` up to `rows` rows with stamps of a filler organisation (its own tablet, 50
/// employees, one link), written straight into the table as `sync-loadgen prefill` does: ids
/// UUIDv7-shaped with timestamps 3 s apart ending before the bench's November, half starts and
/// half stops. Nothing marks them dirty: they stand for the history the projection already holds.
async fn prefill(state: &sync_server::state::AppState, url: &str, rows: i64) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(url).await?;
    let (have,): (i64,) = sqlx::query_as("SELECT count(*) FROM events").fetch_one(&pool).await?;
    let need = rows - have;
    println!("pre-fill: events holds {have} rows; target {rows}");
    if need <= 0 {
        return Ok(());
    }
    let now = Utc::now();
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = db::organisations::create(&mut tx, &format!("Filler {}", Uuid::now_v7()), "Europe/Stockholm", now).await?;
    let link = db::links::create(&mut tx, org.id, &NewLink { id: Uuid::now_v7(), project: "Filler".into(), account: "Work".into(), active: true }, now).await?;
    let mut people = Vec::new();
    for i in 0..50 {
        let p = NewPerson {
            id: Uuid::now_v7(),
            organisation_id: org.id,
            number: Some(format!("F{i}")),
            name: format!("Filler {i}"),
            role: Role::Employee,
            username: None,
            password_hash: None,
            pin_hash: None,
            personnummer_hmac: None,
            personnummer_last4: None,
            active: true,
        };
        people.push(db::people::create(&mut tx, &p, &ChangedBy::default(), now).await?.id);
    }
    let code_hash = format!("filler-{}", Uuid::now_v7());
    db::enrolment::create_code(&mut tx, &NewEnrolmentCode { code_hash: code_hash.clone(), organisation_id: org.id, created_by: None, created_at: now, expires_at: now + Duration::hours(1), device_name: None })
        .await?;
    let device = match db::enrolment::redeem(&mut tx, &code_hash, &NewDevice { id: Uuid::now_v7(), public_key: "filler".into(), platform: "filler".into(), app_version: "bench".into(), now })
        .await?
    {
        Redeemed::Enrolled { device, .. } => device.id,
        _ => anyhow::bail!("enrolment of the filler tablet failed"),
    };
    tx.commit().await?;
    let step_ms: i64 = 3000;
    let end_ms = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().map(|t| t.timestamp_millis()).unwrap_or_default();
    let base_ms = end_ms - need * step_ms;
    let started = Instant::now();
    let mut done = 0_i64;
    while done < need {
        let n = (need - done).min(1_000_000);
        let r = sqlx::query(
            "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, \
             occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags) \
             SELECT encode(set_byte(x.b, 6, (get_byte(x.b, 6) & 15) | 112), 'hex')::uuid, \
                    $1, $2, g, ($3::uuid[])[1 + (g / 2) % cardinality($3::uuid[])], \
                    CASE WHEN g % 2 = 1 THEN 'start' ELSE 'stop' END, CASE WHEN g % 2 = 1 THEN $4::uuid END, \
                    NULL, to_timestamp(($5 + g * $6) / 1000.0), 3600, to_timestamp(($5 + g * $6) / 1000.0), 3600, \
                    to_timestamp(($5 + g * $6) / 1000.0), 'accepted', NULL \
             FROM generate_series($7::int8, $8::int8) AS g, \
                  LATERAL (SELECT overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send($5 + g * $6) FROM 3) FROM 1 FOR 6) AS b) AS x",
        )
        .bind(org.id)
        .bind(device)
        .bind(&people)
        .bind(link.id)
        .bind(base_ms)
        .bind(step_ms)
        .bind(done + 1)
        .bind(done + n)
        .execute(&pool)
        .await?;
        done += i64::try_from(r.rows_affected())?;
        println!("  pre-fill {done}/{need} rows after {:.0} s", started.elapsed().as_secs_f64());
    }
    sqlx::query("ANALYZE").execute(&pool).await?;
    let (total, size): (i64, String) =
        sqlx::query_as("SELECT count(*), pg_size_pretty(pg_total_relation_size('events')) FROM events").fetch_one(&pool).await?;
    println!("pre-fill done in {:.0} s: events holds {total} rows, {size} with indexes", started.elapsed().as_secs_f64());
    Ok(())
}
