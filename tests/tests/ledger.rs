//! The ledger core over real HTTP on both databases: the per-employee-day projection behind
//! `GET /api/v1/employees/{id}/days` (D1, D2, D3), locks decided by the work day (D3, E3),
//! replays refused by every server process, and a property test that the incrementally kept
//! projection always equals a from-scratch recomputation.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::{PunchEvent, PunchKind};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};
use sync_server::ledger::projection::{self, DayView, OrgFacts};
use sync_server::store::ledger::{self, WebRecord};
use uuid::Uuid;

both_databases!(
    d1_d3_the_days_endpoint_shows_a_night_shift_on_its_work_day,
    the_days_endpoint_checks_roles_and_ranges,
    e3_d3_a_lock_is_decided_by_the_work_day_at_a_month_end,
    a_replay_to_a_second_server_process_is_refused,
    d2_the_projection_always_equals_a_recomputation_from_scratch,
    d2_a_dense_history_without_clean_cuts_is_projected_like_from_scratch,
);

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

async fn days(client: &AdminClient, employee: Uuid, from: &str, to: &str) -> (StatusCode, Value) {
    client.get(&format!("/api/v1/employees/{employee}/days?from={from}&to={to}")).await
}

async fn d1_d3_the_days_endpoint_shows_a_night_shift_on_its_work_day(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Days AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut entrance = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let mut exit = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let staff = seed.staff[0];
    let (a, b) = (seed.links[0], seed.links[1]);
    // Monday: 08:00 start at the entrance, 12:00 switch, 12:00 stop … 12:30 start, stop at the exit.
    let day1 = vec![
        entrance.event(staff, PunchKind::Start, Some(a), at("2026-11-16T08:00:00+01:00")),
        entrance.event(staff, PunchKind::Start, Some(b), at("2026-11-16T10:00:00+01:00")),
        entrance.event(staff, PunchKind::Stop, None, at("2026-11-16T12:00:00+01:00")),
        entrance.event(staff, PunchKind::Start, Some(a), at("2026-11-16T12:30:00+01:00")),
    ];
    let exit_stop = exit.event(staff, PunchKind::Stop, None, at("2026-11-16T16:30:00+01:00"));
    // A night shift over midnight: its work day is the 18th (D3).
    let night = vec![
        entrance.event(staff, PunchKind::Start, Some(a), at("2026-11-18T22:00:00+01:00")),
        entrance.event(staff, PunchKind::Stop, None, at("2026-11-19T06:00:00+01:00")),
    ];
    let exit_stop_id = exit_stop.id;
    assert_eq!(exit.sync(&[exit_stop], 0, None).await.0, StatusCode::OK);
    let mut page = day1.clone();
    page.extend(night.clone());
    assert_eq!(entrance.sync(&page, 0, None).await.0, StatusCode::OK);
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let (status, body) = days(&manager, staff, "2026-11-01", "2026-11-30").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["time_zone"], "Europe/Stockholm");
    let list = body["days"].as_array().unwrap();
    assert_eq!(list.iter().map(|d| d["date"].as_str().unwrap()).collect::<Vec<_>>(), vec!["2026-11-16", "2026-11-18"]);
    let monday = &list[0];
    assert_eq!(monday["actual_min"], 480);
    assert_eq!(monday["break_min"], 30);
    assert_eq!(monday["start"], "2026-11-16T07:00:00Z");
    assert_eq!(monday["end"], "2026-11-16T15:30:00Z");
    assert_eq!(monday["intervals"].as_array().unwrap().len(), 3);
    assert_eq!(monday["anomalies"], json!([]), "start at the entrance, stop at the exit: one interval");
    let last = &monday["intervals"][2];
    assert_eq!(last["record_ids"], json!([day1[3].id, exit_stop_id]));
    assert_eq!(last["minutes"], 240);
    let night_day = &list[1];
    assert_eq!(night_day["actual_min"], 480);
    assert_eq!(night_day["intervals"][0]["end"], "2026-11-19T05:00:00Z");
    // A running task: end and minutes are null and it is not in Ist yet.
    let running = entrance.event(staff, PunchKind::Start, Some(a), at("2026-11-20T08:00:00+01:00"));
    assert_eq!(entrance.sync(&[running], 0, None).await.0, StatusCode::OK);
    let (_, body) = days(&manager, staff, "2026-11-20", "2026-11-20").await;
    assert_eq!(body["days"][0]["intervals"][0]["end"], Value::Null);
    assert_eq!(body["days"][0]["intervals"][0]["minutes"], Value::Null);
    assert_eq!(body["days"][0]["actual_min"], 0);
}

async fn the_days_endpoint_checks_roles_and_ranges(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Range AB").await;
    let other = server.seed("Other AB").await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    assert_eq!(days(&employee, seed.employee_id, "2026-11-01", "2026-11-30").await.0, StatusCode::OK);
    assert_error(&days(&employee, seed.staff[0], "2026-11-01", "2026-11-30").await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&days(&manager, other.staff[0], "2026-11-01", "2026-11-30").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&days(&manager, seed.staff[0], "2026-11-30", "2026-11-01").await, StatusCode::BAD_REQUEST, "invalid_request");
    let too_long = days(&manager, seed.staff[0], "2026-10-01", "2026-12-02").await;
    assert_error(&too_long, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(too_long.1["error"]["message"].as_str().unwrap().contains("62"), "{}", too_long.1);
    assert_error(&days(&manager, seed.staff[0], "2026-11-31", "2026-12-01").await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&days(&manager, seed.staff[0], "yesterday", "2026-12-01").await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(days(&manager, seed.staff[0], "2026-10-31", "2026-12-31").await.0, StatusCode::OK, "62 days are allowed");
}

async fn e3_d3_a_lock_is_decided_by_the_work_day_at_a_month_end(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Month end AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    // A full sync after November ended, then November is run and locked; October stays open.
    assert_eq!(tablet.sync(&[], 0, None).await.0, StatusCode::OK);
    let (status, run) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let staff = seed.staff[0];
    let link = seed.links[0];
    // 30 November 22:00 – 1 December 02:00: work day 30 November, locked (the stop too, though
    // its calendar month is the open December).
    let november = vec![
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-30T22:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-12-01T02:00:00+01:00")),
    ];
    // 31 October 22:00 – 1 November 02:00: work day 31 October, open (the stop too, though its
    // calendar month is the locked November).
    let october = vec![
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-10-31T22:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-01T02:00:00+01:00")),
    ];
    let mut page = november.clone();
    page.extend(october.clone());
    let (status, body) = tablet.sync(&page, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = days(&manager, staff, "2026-10-31", "2026-12-01").await;
    let list = body["days"].as_array().unwrap();
    let day = |d: &str| list.iter().find(|x| x["date"] == d).unwrap_or_else(|| panic!("no {d} in {body}")).clone();
    let nov30 = day("2026-11-30");
    let locked: BTreeSet<String> = nov30["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["code"] == "locked_period")
        .flat_map(|a| a["record_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(locked, november.iter().map(|e| e.id.to_string()).collect(), "both records of the night shift: {nov30}");
    assert_eq!(nov30["actual_min"], 0, "left out of the locked day's figures");
    assert_eq!(nov30["intervals"].as_array().unwrap().len(), 1, "but listed");
    let oct31 = day("2026-10-31");
    assert_eq!(oct31["anomalies"], json!([]), "{oct31}");
    assert_eq!(oct31["actual_min"], 240);
    assert!(list.iter().all(|d| d["date"] != "2026-12-01" && d["date"] != "2026-11-01"), "no day of its own for the stops");
    // Unlocking November brings the late night shift into its figures.
    let (status, _) = manager.post("/api/v1/periods/2026-11/unlock", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = days(&manager, staff, "2026-11-30", "2026-11-30").await;
    assert_eq!(body["days"][0]["actual_min"], 240, "{body}");
    assert_eq!(body["days"][0]["anomalies"], json!([]));
}

async fn a_replay_to_a_second_server_process_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Two processes AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let second = server.second_process().await;
    let path = "/api/v1/device/sync";
    let events = tablet.events(seed.staff[0], seed.links[0], 1);
    let captured = serde_json::to_vec(&json!({"events": [], "pending_after": 0, "oldest_pending_at": null, "roster_version": null})).unwrap();
    let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let sig = tablet.key.sign("POST", path, &ts, &captured);
    let headers = Some((tablet.id.to_string(), ts.clone(), sig.clone()));
    assert_eq!(tablet.send(path, &captured, headers.clone()).await.0, StatusCode::OK);
    // The stamps the tablet still holds …
    assert_eq!(tablet.sync(&[], 3, None).await.0, StatusCode::OK);
    // … cannot be hidden by replaying the full sync to the other process.
    tablet.base = second.url("");
    assert_error(&tablet.send(path, &captured, headers).await, StatusCode::UNAUTHORIZED, "bad_signature");
    let (_, list) = admin.get("/api/v1/devices").await;
    assert_eq!(list["items"][0]["pending_events"], 3, "{list}");
    // The tablet's next, newer request is served by either process.
    let (status, body) = tablet.sync(&events, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}


/// A small deterministic generator (xorshift64*), so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

async fn stored_days(server: &TestServer, org: Uuid, employee: Uuid) -> Vec<DayView> {
    let mut tx = server.state.store.begin().await.unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
    let rows = ledger::days(&mut tx, org, employee, from, to).await.unwrap();
    tx.commit().await.unwrap();
    rows.iter().map(|j| serde_json::from_str(j).unwrap()).collect()
}

async fn d2_the_projection_always_equals_a_recomputation_from_scratch(backend: Backend) {
    let seeds: u64 = std::env::var("STAMPCLOCK_LEDGER_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(4);
    property(backend, seeds, 12, 20).await;
}

/// Four weeks of records no more than ten hours apart: no gap anywhere is a clean cut, so a
/// late record in the middle makes the rebuild widen past its batched read (a week around the
/// dirty days) record by record, the projection's other path.
async fn d2_a_dense_history_without_clean_cuts_is_projected_like_from_scratch(backend: Backend) {
    property(backend, 2, 28, 0).await;
}

/// Random pages of two people's stamps over `span_days`, late, out of order and resent, with
/// corrections and drains in between; `long_gap_percent` of the gaps are up to two days long.
async fn property(backend: Backend, seeds: u64, span_days: i64, long_gap_percent: u64) {
    for seed_no in 0..seeds {
        let server = TestServer::start(backend).await;
        let seed = server.seed("Property AB").await;
        let admin = AdminClient::login(&server, &seed.admin_username).await;
        let mut tablets = [
            TestDevice::enrol(&server, &admin.enrolment_code().await).await,
            TestDevice::enrol(&server, &admin.enrolment_code().await).await,
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed_no + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let cet = FixedOffset::east_opt(3600).unwrap();
        let base = at("2026-11-02T00:00:00+01:00").with_timezone(&Utc);
        // Stamps of two people over twelve days from two tablets, some of them odd on purpose
        // (a stop without a start, a start never stopped, long and over-midnight tasks).
        let mut per_tablet: Vec<Vec<PunchEvent>> = vec![Vec::new(), Vec::new()];
        for employee in [seed.staff[0], seed.staff[1]] {
            let mut t = base + Duration::minutes(rng.below(600) as i64);
            while t < base + Duration::days(span_days) {
                let tablet = rng.below(2) as usize;
                let kind = if rng.chance(55) { PunchKind::Start } else { PunchKind::Stop };
                let link = (kind == PunchKind::Start).then(|| seed.links[rng.below(2) as usize]);
                let e = tablets[tablet].event(employee, kind, link, t.with_timezone(&cet));
                per_tablet[tablet].push(e);
                let spread = if rng.chance(long_gap_percent) { 3000 } else { 600 };
                t += Duration::minutes(20 + rng.below(spread) as i64);
            }
        }
        // Pages in random order and sizes, some sent twice, drains in between.
        let mut pages: Vec<(usize, Vec<PunchEvent>)> = Vec::new();
        for (tablet, events) in per_tablet.iter_mut().enumerate() {
            let mut events = std::mem::take(events);
            for i in (1..events.len()).rev() {
                events.swap(i, rng.below(i as u64 + 1) as usize);
            }
            while !events.is_empty() {
                let n = (1 + rng.below(8) as usize).min(events.len());
                pages.push((tablet, events.drain(..n).collect()));
            }
        }
        for i in (1..pages.len()).rev() {
            pages.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut sent: Vec<PunchEvent> = Vec::new();
        let tz: chrono_tz::Tz = "Europe/Stockholm".parse().unwrap();
        for (i, (tablet, page)) in pages.iter().enumerate() {
            let (status, body) = tablets[*tablet].sync(page, 0, None).await;
            assert_eq!(status, StatusCode::OK, "seed {seed_no}, page {i}: {body}");
            sent.extend(page.iter().cloned());
            if rng.chance(25) {
                let (again, page) = &pages[rng.below(i as u64 + 1) as usize];
                assert_eq!(tablets[*again].sync(page, 0, None).await.0, StatusCode::OK, "a resent page");
            }
            if rng.chance(20) && !sent.is_empty() {
                // A correction as the timesheet will make it: a new record superseding one,
                // moved in time, or a void that removes it; its old and new days are dirty.
                let target = sent[rng.below(sent.len() as u64) as usize].clone();
                let mut tx = server.state.store.begin().await.unwrap();
                let Some((employee, old_at, device)) = ledger::record_of(&mut tx, seed.org.id, target.id).await.unwrap() else { continue };
                let void = rng.chance(30);
                let new_at = old_at + Duration::minutes(rng.below(240) as i64 - 120);
                let record = WebRecord {
                    id: Uuid::now_v7(),
                    organisation_id: seed.org.id,
                    employee_id: employee,
                    author_id: seed.manager_id,
                    kind: if void { "void" } else { target.kind.as_str() },
                    device_id: device,
                    link_id: target.link_id,
                    comment: Some("corrected".into()),
                    occurred_at: if void { old_at } else { new_at },
                    supersedes: Some(target.id),
                    reason: Some("property test".into()),
                };
                // A record already superseded is not corrected twice (the endpoint will refuse it).
                if ledger::insert_web_record(&mut tx, &record, Utc::now()).await.is_ok() {
                    let dirty = [(employee, old_at.with_timezone(&tz).date_naive()), (employee, new_at.with_timezone(&tz).date_naive())];
                    ledger::mark_dirty(&mut tx, seed.org.id, &dirty, Utc::now()).await.unwrap();
                    tx.commit().await.unwrap();
                } else {
                    drop(tx);
                }
            }
            if rng.chance(30) {
                projection::drain(&server.state, Some(seed.org.id)).await.unwrap();
            }
        }
        projection::drain(&server.state, None).await.unwrap();
        let mut total_days = 0;
        for employee in [seed.staff[0], seed.staff[1]] {
            let stored = stored_days(&server, seed.org.id, employee).await;
            let mut tx = server.state.store.begin().await.unwrap();
            let facts = OrgFacts::load(&mut tx, seed.org.id).await.unwrap();
            let scratch = projection::from_scratch(&mut tx, seed.org.id, employee, &facts).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(stored, scratch, "seed {seed_no}: the kept projection of {employee} differs from a recomputation");
            total_days += stored.len();
        }
        assert!(total_days >= 8, "seed {seed_no}: the generator made too few days ({total_days}) to prove anything");
    }
}
