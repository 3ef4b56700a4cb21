//! Timesheets over real HTTP on both databases (issue 12, docs/TIMESHEET.md): stamps posted
//! over the signed device protocol and entries over the API → the month endpoint → the figures
//! of the rules A–E and L, checked by rule id; corrections, locks, absences, CSV and roles.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared_model::{PayPeriod, PunchKind};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};
use sync_server::timesheet;
use uuid::Uuid;

both_databases!(
    b3_b4_c1_c3_l_a_stamped_month_shows_soll_ist_flex_warnings_and_absences,
    a1_a7_d6_e1_e2_a6_manual_entries_and_bookings,
    b5_the_flex_balance_runs_over_months_or_resets_each_month,
    d1_d4_corrections_supersede_and_stay_visible,
    e3_a_locked_month_refuses_every_change,
    b4_absences_over_a_range_and_the_csv_in_four_languages,
    timesheets_check_roles_models_and_bad_input,
    d3_g_tz_b4_the_8_hour_rule_both_ways_dst_nights_and_every_absence_kind,
);

/// The months of the whole organisation read at once (`timesheet::months_of`, what the
/// payroll office and the tablets' weeks use) equal the months read one by one.
async fn batched_months_agree(server: &TestServer, seed: &stampclock_tests::Seed, periods: &[&str]) {
    let state = &server.state;
    let org = seed.org.id;
    let mut people = vec![seed.admin_id, seed.manager_id, seed.employee_id];
    people.extend(seed.staff.iter().copied());
    sync_server::ledger::projection::drain(state, Some(org)).await.unwrap();
    let facts = timesheet::OrgMonthFacts::load(state, org).await.unwrap();
    for period in periods {
        let period: PayPeriod = period.parse().unwrap();
        let mut refs = Vec::new();
        let mut singles = Vec::new();
        for e in &people {
            let m = timesheet::month(state, org, *e, period).await.unwrap();
            refs.push(m.employee.clone());
            singles.push(serde_json::to_value(&m).unwrap());
        }
        let batched = timesheet::months_of(state, &facts, refs, period).await.unwrap();
        assert_eq!(batched.len(), singles.len());
        for (b, single) in batched.iter().zip(&singles) {
            assert_eq!(&serde_json::to_value(b).unwrap(), single, "{period}: the batched month differs");
        }
    }
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

async fn month(client: &AdminClient, employee: Uuid, m: &str) -> Value {
    let (status, body) = client.get(&format!("/api/v1/timesheets/{employee}/{m}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn day<'a>(month: &'a Value, date: &str) -> &'a Value {
    month["days"].as_array().unwrap().iter().find(|d| d["date"] == date).unwrap_or_else(|| panic!("no {date}"))
}

/// A full-time model (8 h Monday–Friday) assigned from `from`.
async fn full_time(manager: &AdminClient, employee: Uuid, from: &str, flex_model: &str, opening: i64) -> Uuid {
    let name = format!("Heltid {}", Uuid::now_v7());
    let (status, model) = manager.post("/api/v1/work-models", json!({"name": name, "minutes": [480, 480, 480, 480, 480, 0, 0]})).await;
    assert_eq!(status, StatusCode::CREATED, "{model}");
    assert_eq!(model["regular"], true);
    let id: Uuid = model["id"].as_str().unwrap().parse().unwrap();
    let (status, body) = manager
        .call(
            Method::PUT,
            &format!("/api/v1/employees/{employee}/work-model"),
            Some(json!({"work_model_id": id, "valid_from": from, "flex_model": flex_model, "flex_opening_min": opening, "vacation_days": "25"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn put_entry(client: &AdminClient, employee: Uuid, date: &str, start: &str, end: &str, brk: &str) -> (StatusCode, Value) {
    client.call(Method::PUT, &format!("/api/v1/timesheets/{employee}/days/{date}"), Some(json!({"start": start, "end": end, "break": brk}))).await
}

async fn b3_b4_c1_c3_l_a_stamped_month_shows_soll_ist_flex_warnings_and_absences(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Soll AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    // L: Saxony keeps Buß- und Bettag, 18 November 2026 (a Wednesday).
    let (status, org) = admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"holiday_calendar": "DE-SN"}))).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["holiday_calendar"], "DE-SN");
    let staff = seed.staff[0];
    let link = seed.links[0];
    full_time(&manager, staff, "2026-11-01", "accumulating", 60).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let page = vec![
        // Monday 16th: 08:00–12:00, 12:30–16:30 → Ist 8:00, break 0:30 (C1: enough).
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-16T08:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-16T12:00:00+01:00")),
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-16T12:30:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-16T16:30:00+01:00")),
        // Tuesday 17th: 07:00–18:00 without a break → Ist 11:00: C1 and C3 warn.
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-17T07:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-17T18:00:00+01:00")),
        // The holiday: a night shift 18th 22:00 – 19th 06:00 belongs to the 18th (D3); Soll 0.
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-18T22:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-19T06:00:00+01:00")),
        // Monday 23rd, sick after two hours: Soll = Ist, no flex (B4 category 3).
        tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-23T08:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-23T10:00:00+01:00")),
    ];
    let (status, body) = tablet.sync(&page, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (kind, date) in [("vacation", "2026-11-20"), ("sick", "2026-11-23")] {
        let (status, body) = manager.post("/api/v1/absences", json!({"employee_id": staff, "kind": kind, "from": date, "to": date})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let m = month(&manager, staff, "2026-11").await;
    assert_eq!(m["days"].as_array().unwrap().len(), 30, "A7: every calendar day");
    assert_eq!(m["work_model"]["minutes"], json!([480, 480, 480, 480, 480, 0, 0]));
    let d16 = day(&m, "2026-11-16");
    assert_eq!((d16["source"].as_str(), d16["target_min"].as_i64(), d16["actual_min"].as_i64(), d16["flex_min"].as_i64()), (Some("stamps"), Some(480), Some(480), Some(0)));
    assert_eq!(d16["break_min"], 30);
    assert_eq!(d16["warnings"], json!([]));
    assert_eq!(d16["bookings"][0]["minutes"], 480, "E1 on a stamped day: the stamps' links");
    assert_eq!(d16["bookings"][0]["project"], "Alfa");
    let d17 = day(&m, "2026-11-17");
    assert_eq!((d17["actual_min"].as_i64(), d17["flex_min"].as_i64()), (Some(660), Some(180)));
    assert_eq!(d17["warnings"], json!(["arbzg_break", "arbzg_10h"]), "C1 + C3");
    let d18 = day(&m, "2026-11-18");
    assert_eq!(d18["holiday"], "Buß- und Bettag", "L");
    assert_eq!((d18["target_min"].as_i64(), d18["actual_min"].as_i64(), d18["flex_min"].as_i64()), (Some(0), Some(480), Some(480)), "B4 category 1, D3");
    assert_eq!(day(&m, "2026-11-19")["actual_min"], 0, "D3: the night's end counts on the 18th");
    let d20 = day(&m, "2026-11-20");
    assert_eq!(d20["absence"]["kind"], "vacation");
    assert_eq!((d20["target_min"].as_i64(), d20["flex_min"].as_i64()), (Some(0), Some(0)), "B4 category 1");
    let d23 = day(&m, "2026-11-23");
    assert_eq!((d23["target_min"].as_i64(), d23["actual_min"].as_i64(), d23["flex_min"].as_i64()), (Some(120), Some(120), Some(0)), "B4 category 3");
    let d24 = day(&m, "2026-11-24");
    assert_eq!((d24["source"].clone(), d24["target_min"].as_i64(), d24["flex_min"].as_i64()), (Value::Null, Some(480), Some(-480)), "B3 INTERP-50");
    let d21 = day(&m, "2026-11-21");
    assert_eq!((d21["weekend"].as_bool(), d21["target_min"].as_i64()), (Some(true), Some(0)), "B4 weekend");
    // B6: 21 weekdays, less the holiday, the vacation day and the sick day, plus the sick day's Soll = Ist.
    assert_eq!(m["totals"]["target_min"], 18 * 480 + 120);
    assert_eq!(m["totals"]["actual_min"], 480 + 660 + 480 + 120);
    assert_eq!(m["totals"]["flex_min"], 1740 - (18 * 480 + 120));
    assert_eq!(m["flex_balance_min"], 60 + 1740 - (18 * 480 + 120), "B5: the opening balance plus the month");
    assert_eq!(m["vacation_left"], json!({"unit": "days", "days": "24", "minutes": null}), "B2");
    assert_eq!(m["locked"], false);
    // An employee without a model has Soll 0 (and their Ist is all flex).
    let other = month(&manager, seed.staff[1], "2026-11").await;
    assert_eq!((other["work_model"].clone(), other["totals"]["target_min"].as_i64()), (Value::Null, Some(0)));
    batched_months_agree(&server, &seed, &["2026-11"]).await;
}

async fn a1_a7_d6_e1_e2_a6_manual_entries_and_bookings(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Entry AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let me = seed.employee_id;
    let link = seed.links[0];
    full_time(&manager, me, "2026-10-01", "accumulating", 0).await;
    // A1/A2 formats: "8" is 08:00, "1630" 16:30, "30" a 30-minute break; the employee enters their own (self-service).
    let (status, d) = put_entry(&employee, me, "2026-11-10", "8", "1630", "30").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!((d["source"].as_str(), d["actual_min"].as_i64(), d["break_min"].as_i64(), d["flex_min"].as_i64()), (Some("entry"), Some(480), Some(30), Some(0)));
    assert_eq!(d["start"], "2026-11-10T07:00:00Z");
    assert_eq!(d["entry"]["start"], "08:00");
    assert_eq!(d["entry"]["end"], "16:30");
    // A3: over midnight; end before start lies on the next day.
    let (status, d) = put_entry(&employee, me, "2026-11-11", "22:00", "6", "").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!((d["actual_min"].as_i64(), d["entry"]["crosses_midnight"].as_bool()), (Some(480), Some(true)));
    // A3 + G-TZ: the autumn DST night 24/25 October 2026 lasts an hour longer.
    let (status, d) = put_entry(&manager, me, "2026-10-24", "22:00", "06:00", "0:30").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["actual_min"], 9 * 60 - 30);
    // A6 before anything else: one row per day (A7) — a second PUT replaces the entry.
    let (status, d) = put_entry(&employee, me, "2026-11-11", "22:00", "4", "").await;
    assert_eq!((status, d["actual_min"].as_i64()), (StatusCode::OK, Some(360)));
    // A5: nothing in the future.
    let tomorrow = (Utc::now() + Duration::days(2)).format("%Y-%m-%d").to_string();
    assert_error(&put_entry(&employee, me, &tomorrow, "8", "16", "").await, StatusCode::UNPROCESSABLE_ENTITY, "future_entry");
    // Bad input names the field.
    for (start, end, brk, field) in [("25:00", "16", "", "start"), ("8", "16:61", "", "end"), ("8", "16", "abc", "break"), ("8", "8", "", "end"), ("8", "9", "2:00", "break")] {
        let got = put_entry(&employee, me, "2026-11-12", start, end, brk).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(got.1["error"]["message"].as_str().unwrap().starts_with(field), "{field}: {}", got.1);
    }
    assert_error(&put_entry(&employee, me, "2026-11-31", "8", "16", "").await, StatusCode::BAD_REQUEST, "invalid_request");
    // Bookings (E1): 300 + 200 would exceed the Ist of 480.
    let bookings = format!("/api/v1/timesheets/{me}/days/2026-11-10/bookings");
    let (status, b1) = employee.post(&bookings, json!({"link_id": link, "minutes": 300})).await;
    assert_eq!(status, StatusCode::CREATED, "{b1}");
    assert_error(&employee.post(&bookings, json!({"link_id": link, "minutes": 200})).await, StatusCode::UNPROCESSABLE_ENTITY, "bookings_exceed_actual");
    // E2: "book fully" books what remains; then nothing remains.
    let (status, b2) = employee.post(&bookings, json!({"link_id": seed.links[1], "fully": true})).await;
    assert_eq!((status, b2["minutes"].as_i64()), (StatusCode::CREATED, Some(180)), "{b2}");
    assert_error(&employee.post(&bookings, json!({"link_id": link, "fully": true})).await, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_book");
    assert_error(&employee.post(&bookings, json!({"link_id": Uuid::now_v7(), "minutes": 1})).await, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    // E1 on edit: PATCH above the Ist is refused; within it is fine.
    let b1_path = format!("{bookings}/{}", b1["id"].as_str().unwrap());
    assert_error(&employee.call(Method::PATCH, &b1_path, Some(json!({"minutes": 301}))).await, StatusCode::UNPROCESSABLE_ENTITY, "bookings_exceed_actual");
    let (status, patched) = employee.call(Method::PATCH, &b1_path, Some(json!({"minutes": 240}))).await;
    assert_eq!((status, patched["minutes"].as_i64()), (StatusCode::OK, Some(240)));
    // INTERP-24: the work time cannot shrink below the bookings (420 booked, 4 h entered).
    assert_error(&put_entry(&employee, me, "2026-11-10", "8", "12", "").await, StatusCode::UNPROCESSABLE_ENTITY, "bookings_exceed_actual");
    let m = month(&employee, me, "2026-11").await;
    assert_eq!(m["totals"]["booked_min"], 420, "B6");
    assert_eq!(day(&m, "2026-11-10")["bookings"].as_array().unwrap().len(), 2);
    // A6: deleting the work time deletes its bookings.
    let (status, _) = employee.call(Method::DELETE, &format!("/api/v1/timesheets/{me}/days/2026-11-10"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let m = month(&employee, me, "2026-11").await;
    let d10 = day(&m, "2026-11-10");
    assert_eq!((d10["source"].clone(), d10["bookings"].as_array().unwrap().len(), d10["flex_min"].as_i64()), (Value::Null, 0, Some(-480)));
    assert_error(&employee.call(Method::DELETE, &format!("/api/v1/timesheets/{me}/days/2026-11-10"), None).await, StatusCode::NOT_FOUND, "not_found");
    // D6: a day the punch clock recorded takes no entry and no manual booking.
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let page = vec![
        tablet.event(me, PunchKind::Start, Some(link), at("2026-11-13T08:00:00+01:00")),
        tablet.event(me, PunchKind::Stop, None, at("2026-11-13T12:00:00+01:00")),
    ];
    assert_eq!(tablet.sync(&page, 0, None).await.0, StatusCode::OK);
    assert_error(&put_entry(&employee, me, "2026-11-13", "8", "16", "").await, StatusCode::UNPROCESSABLE_ENTITY, "day_has_stamps");
    let stamped = format!("/api/v1/timesheets/{me}/days/2026-11-13/bookings");
    assert_error(&employee.post(&stamped, json!({"link_id": link, "fully": true})).await, StatusCode::UNPROCESSABLE_ENTITY, "day_has_stamps");
    // D6 the other way round: a tablet stamps a day that has an entry → shown as an anomaly.
    let late = vec![
        tablet.event(me, PunchKind::Start, Some(link), at("2026-11-11T09:00:00+01:00")),
        tablet.event(me, PunchKind::Stop, None, at("2026-11-11T10:00:00+01:00")),
    ];
    assert_eq!(tablet.sync(&late, 0, None).await.0, StatusCode::OK);
    let m = month(&manager, me, "2026-11").await;
    let codes: Vec<&str> = day(&m, "2026-11-11")["anomalies"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"entry_and_stamps"), "{codes:?}");
    // Another employee's day: forbidden for an employee.
    assert_error(&put_entry(&employee, seed.staff[0], "2026-11-10", "8", "16", "").await, StatusCode::FORBIDDEN, "forbidden");
    // The strict policy (Calumet, D4): the employee no longer edits; the manager still does.
    let (status, _) = admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"policy": "strict"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(&put_entry(&employee, me, "2026-11-16", "8", "16", "").await, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(put_entry(&manager, me, "2026-11-16", "8", "16", "").await.0, StatusCode::OK);
    batched_months_agree(&server, &seed, &["2026-10", "2026-11"]).await;
}

async fn b5_the_flex_balance_runs_over_months_or_resets_each_month(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Flex AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let (a, b) = (seed.staff[0], seed.staff[1]);
    full_time(&manager, a, "2026-10-26", "accumulating", 0).await;
    full_time(&manager, b, "2026-10-26", "within_month", 0).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    for person in [a, b] {
        // 26–30 October: 8:30 a day → +30 each (+150).
        for d in 26..=30 {
            assert_eq!(put_entry(&manager, person, &format!("2026-10-{d}"), "8", "17", "30").await.0, StatusCode::OK);
        }
        // B5 + D3: a night shift 31 October 22:00 – 1 November 02:00 counts in October (a Saturday: +240).
        let night = vec![
            tablet.event(person, PunchKind::Start, Some(seed.links[0]), at("2026-10-31T22:00:00+01:00")),
            tablet.event(person, PunchKind::Stop, None, at("2026-11-01T02:00:00+01:00")),
        ];
        assert_eq!(tablet.sync(&night, 0, None).await.0, StatusCode::OK);
        // 2 November: 8:30 → +30; the other 20 weekdays of November are unrecorded (−480 each).
        assert_eq!(put_entry(&manager, person, "2026-11-02", "8", "17", "30").await.0, StatusCode::OK);
    }
    let october_flex = 150 + 240;
    let november_flex = 30 - 20 * 480;
    for person in [a, b] {
        let oct = month(&manager, person, "2026-10").await;
        assert_eq!(day(&oct, "2026-10-31")["actual_min"], 240, "D3 + B5: the night is October's");
        assert_eq!(oct["totals"]["flex_min"], october_flex);
        assert_eq!(oct["flex_balance_min"], october_flex);
        assert_eq!(month(&manager, person, "2026-11").await["totals"]["flex_min"], november_flex);
    }
    assert_eq!(month(&manager, a, "2026-11").await["flex_balance_min"], october_flex + november_flex, "B5 accumulating");
    let reset = month(&manager, b, "2026-11").await;
    assert_eq!(reset["flex_model"], "within_month");
    assert_eq!(reset["flex_balance_min"], november_flex, "B5: back to 00:00 on the 1st");
    batched_months_agree(&server, &seed, &["2026-10", "2026-11", "2026-12"]).await;
}

async fn d1_d4_corrections_supersede_and_stay_visible(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Correct AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let staff = seed.staff[0];
    let link = seed.links[0];
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let start = tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-12T08:00:00+01:00"));
    let stop = tablet.event(staff, PunchKind::Stop, None, at("2026-11-12T16:00:00+01:00"));
    let running = tablet.event(staff, PunchKind::Start, Some(link), at("2026-11-13T08:00:00+01:00"));
    assert_eq!(tablet.sync(&[start.clone(), stop.clone(), running.clone()], 0, None).await.0, StatusCode::OK);
    let correct = |id: Uuid, body: Value| {
        let manager = &manager;
        async move { manager.post(&format!("/api/v1/events/{id}/corrections"), body).await }
    };
    // Change the stop to 17:00: a new record supersedes it; Ist 9:00.
    let (status, made) = correct(stop.id, json!({"action": "change_time", "at": "2026-11-12T16:00:00Z", "reason": "stamped out at the wrong tablet"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!((made["supersedes"].as_str(), made["work_date"].as_str()), (Some(stop.id.to_string().as_str()), Some("2026-11-12")));
    let m = month(&manager, staff, "2026-11").await;
    let d12 = day(&m, "2026-11-12");
    assert_eq!(d12["actual_min"], 540);
    let history = d12["corrections"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{d12}");
    assert_eq!(history[0]["original_at"], "2026-11-12T15:00:00Z", "the original stays visible");
    assert_eq!(history[0]["reason"], "stamped out at the wrong tablet");
    assert!(history[0]["author"].as_str().unwrap().contains("manager"));
    // The superseded record cannot be corrected again.
    assert_error(&correct(stop.id, json!({"action": "delete", "reason": "again"})).await, StatusCode::CONFLICT, "event_conflict");
    // add_stop to the running start of the 13th: 08:00–12:00.
    let (status, _) = correct(running.id, json!({"action": "add_stop", "at": "2026-11-13T11:00:00Z", "reason": "forgot to stamp out"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(day(&month(&manager, staff, "2026-11").await, "2026-11-13")["actual_min"], 240);
    // Bad input names the field; the future is refused.
    let no_reason = correct(start.id, json!({"action": "delete", "reason": " "})).await;
    assert_error(&no_reason, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(no_reason.1["error"]["message"].as_str().unwrap().starts_with("reason"));
    assert_error(&correct(start.id, json!({"action": "teleport", "reason": "x"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&correct(start.id, json!({"action": "change_time", "reason": "x"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    let future = (Utc::now() + Duration::days(1)).to_rfc3339();
    assert_error(&correct(start.id, json!({"action": "change_time", "at": future, "reason": "x"})).await, StatusCode::UNPROCESSABLE_ENTITY, "future_entry");
    assert_error(&correct(Uuid::now_v7(), json!({"action": "delete", "reason": "x"})).await, StatusCode::NOT_FOUND, "not_found");
    // Delete the start: the stop is left alone — an anomaly the manager sees, never dropped.
    let (status, _) = correct(start.id, json!({"action": "delete", "reason": "double stamp"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let m = month(&manager, staff, "2026-11").await;
    let d12 = day(&m, "2026-11-12");
    assert_eq!(d12["actual_min"], 0);
    assert_eq!(d12["anomalies"][0]["code"], "stop_without_start");
    let (status, list) = manager.get("/api/v1/anomalies?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list["items"].as_array().unwrap().iter().any(|i| i["code"] == "stop_without_start" && i["date"] == "2026-11-12"), "{list}");
    assert_error(&employee.get("/api/v1/anomalies?from=2026-11-01&to=2026-11-30").await, StatusCode::FORBIDDEN, "forbidden");
    // D4: under self-service an employee corrects their own stamps, never a colleague's.
    let own = tablet.event(seed.employee_id, PunchKind::Start, Some(seed.links[0]), at("2026-11-16T08:00:00+01:00"));
    assert_eq!(tablet.sync(std::slice::from_ref(&own), 0, None).await.0, StatusCode::OK);
    assert_error(&employee.post(&format!("/api/v1/events/{}/corrections", running.id), json!({"action": "delete", "reason": "x"})).await, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) = employee.post(&format!("/api/v1/events/{}/corrections", own.id), json!({"action": "add_stop", "at": "2026-11-16T15:00:00Z", "reason": "forgot"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Under strict (Calumet) not even their own.
    let (status, _) = admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"policy": "strict"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(&employee.post(&format!("/api/v1/events/{}/corrections", own.id), json!({"action": "delete", "reason": "x"})).await, StatusCode::FORBIDDEN, "forbidden");
    batched_months_agree(&server, &seed, &["2026-11"]).await;
}

async fn e3_a_locked_month_refuses_every_change(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Lock AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let me = seed.employee_id;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let start = tablet.event(me, PunchKind::Start, Some(seed.links[0]), at("2026-11-12T08:00:00+01:00"));
    assert_eq!(tablet.sync(std::slice::from_ref(&start), 0, None).await.0, StatusCode::OK);
    assert_eq!(put_entry(&employee, me, "2026-11-10", "8", "16", "").await.0, StatusCode::OK);
    let lock_path = format!("/api/v1/timesheets/{me}/2026-11/lock");
    assert_error(&employee.post(&lock_path, json!({})).await, StatusCode::FORBIDDEN, "forbidden");
    let (status, lock) = manager.post(&lock_path, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{lock}");
    assert_eq!((lock["locked"].as_bool(), lock["lock"]["scope"].as_str()), (Some(true), Some("employee")));
    let m = month(&employee, me, "2026-11").await;
    assert_eq!(m["locked"], true);
    // Every change to the month: 409 period_locked.
    assert_error(&put_entry(&employee, me, "2026-11-11", "8", "16", "").await, StatusCode::CONFLICT, "period_locked");
    assert_error(&put_entry(&manager, me, "2026-11-10", "9", "16", "").await, StatusCode::CONFLICT, "period_locked");
    assert_error(&employee.call(Method::DELETE, &format!("/api/v1/timesheets/{me}/days/2026-11-10"), None).await, StatusCode::CONFLICT, "period_locked");
    assert_error(&employee.post(&format!("/api/v1/timesheets/{me}/days/2026-11-10/bookings"), json!({"link_id": seed.links[0], "fully": true})).await, StatusCode::CONFLICT, "period_locked");
    assert_error(&manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "vacation", "from": "2026-11-30", "to": "2026-12-01"})).await, StatusCode::CONFLICT, "period_locked");
    assert_error(
        &manager.post(&format!("/api/v1/events/{}/corrections", start.id), json!({"action": "add_stop", "at": "2026-11-12T15:00:00Z", "reason": "x"})).await,
        StatusCode::CONFLICT,
        "period_locked",
    );
    // E3 + INTERP-25: a tablet's stamp into the locked month is stored, flagged and not counted.
    let late = vec![
        tablet.event(me, PunchKind::Start, Some(seed.links[0]), at("2026-11-20T08:00:00+01:00")),
        tablet.event(me, PunchKind::Stop, None, at("2026-11-20T12:00:00+01:00")),
    ];
    assert_eq!(tablet.sync(&late, 0, None).await.0, StatusCode::OK, "a stamp is never refused");
    let m = month(&manager, me, "2026-11").await;
    let d20 = day(&m, "2026-11-20");
    assert_eq!(d20["actual_min"], 0, "{d20}");
    assert!(d20["anomalies"].as_array().unwrap().iter().any(|a| a["code"] == "locked_period"), "{d20}");
    // Other people and other months stay open.
    assert_eq!(put_entry(&manager, seed.staff[0], "2026-11-10", "8", "16", "").await.0, StatusCode::OK);
    assert_eq!(put_entry(&employee, me, "2026-10-30", "8", "16", "").await.0, StatusCode::OK);
    // Unlock restores editability; both are in the audit log.
    let (status, lock) = manager.post(&format!("/api/v1/timesheets/{me}/2026-11/unlock"), json!({})).await;
    assert_eq!((status, lock["locked"].as_bool()), (StatusCode::OK, Some(false)));
    assert_eq!(put_entry(&employee, me, "2026-11-11", "8", "16", "").await.0, StatusCode::OK);
    assert_eq!(day(&month(&manager, me, "2026-11").await, "2026-11-20")["actual_min"], 240, "after the unlock the late stamp counts");
    let (_, audit) = admin.get("/api/v1/audit?limit=1000").await;
    let kinds: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|i| i["kind"].as_str()).collect();
    assert!(kinds.contains(&"timesheet_locked") && kinds.contains(&"timesheet_unlocked"), "{kinds:?}");
    // A payroll run locks the organisation's month: the timesheet shows that scope.
    assert_eq!(tablet.sync(&[], 0, None).await.0, StatusCode::OK);
    let (status, run) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let m = month(&manager, me, "2026-11").await;
    assert_eq!((m["locked"].as_bool(), m["lock"]["scope"].as_str()), (Some(true), Some("organisation")));
    assert_error(&put_entry(&manager, me, "2026-11-11", "8", "16", "").await, StatusCode::CONFLICT, "period_locked");
    batched_months_agree(&server, &seed, &["2026-10", "2026-11"]).await;
}

async fn b4_absences_over_a_range_and_the_csv_in_four_languages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Absence AB").await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let me = seed.employee_id;
    full_time(&manager, me, "2026-01-01", "accumulating", 0).await;
    let (status, body) = manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "vacation", "from": "2026-11-02", "to": "2026-11-08", "note": "Kreta"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 7);
    // An overlapping range refuses everything.
    let overlap = manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "sick", "from": "2026-11-08", "to": "2026-11-10"})).await;
    assert_error(&overlap, StatusCode::CONFLICT, "absence_exists");
    assert_eq!(overlap.1["error"]["details"]["date"], "2026-11-08");
    let (_, list) = manager.get(&format!("/api/v1/absences?employee_id={me}&from=2026-11-01&to=2026-11-30")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 7, "nothing half-written");
    // Half days and vocational school (B4 category 2).
    let (status, _) = manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "half_vacation", "from": "2026-11-09", "to": "2026-11-09"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_error(&manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "vocational_school", "from": "2026-11-10", "to": "2026-11-10"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, _) = manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "vocational_school", "from": "2026-11-10", "to": "2026-11-10", "target_min": 360})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_error(&manager.post("/api/v1/absences", json!({"employee_id": me, "kind": "holiday", "from": "2026-11-11", "to": "2026-11-11"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&employee.post("/api/v1/absences", json!({"employee_id": me, "kind": "sick", "from": "2026-11-11", "to": "2026-11-11"})).await, StatusCode::FORBIDDEN, "forbidden");
    let m = month(&employee, me, "2026-11").await;
    assert_eq!((day(&m, "2026-11-03")["target_min"].as_i64(), day(&m, "2026-11-03")["flex_min"].as_i64()), (Some(0), Some(0)), "B4 category 1");
    assert_eq!(day(&m, "2026-11-09")["target_min"], 240, "B4 half vacation day");
    assert_eq!(day(&m, "2026-11-10")["target_min"], 360, "B4 vocational school");
    assert_eq!(day(&m, "2026-11-03")["absence"]["note"], "Kreta");
    // B2: 25 days less 5 weekdays and a half (the weekend of the range takes nothing).
    assert_eq!(m["vacation_left"]["days"], "19.5");
    // Delete one day; audited.
    let id = day(&m, "2026-11-06")["absence"]["id"].as_str().unwrap().to_owned();
    let (status, _) = manager.call(Method::DELETE, &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(month(&employee, me, "2026-11").await["vacation_left"]["days"], "20.5");
    // The CSV: BOM, ';', CRLF, a header in the language asked for, 30 days and a total.
    for (lang, header, vacation) in [("de", "Datum;Wochentag;Quelle", "Urlaub"), ("sv", "Datum;Veckodag;Källa", "semester"), ("da", "Dato;Ugedag;Kilde", "ferie"), ("en", "Date;Weekday;Source", "vacation")] {
        let res = employee
            .http
            .get(server.url(&format!("/api/v1/timesheets/{me}/2026-11.csv?lang={lang}")))
            .header("Cookie", employee.cookie.clone().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("2026-11.csv"));
        let bytes = res.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 32, "{lang}: header, 30 days, total");
        assert!(lines[0].starts_with(header), "{lang}: {}", lines[0]);
        assert!(lines[3].starts_with("2026-11-03;") && lines[3].contains(vacation), "{lang}: {}", lines[3]);
        assert!(lines[2].contains(";00:00;00:00;00:00;"), "{lang}: a Monday on vacation: {}", lines[2]);
    }
    let bad = employee.get(&format!("/api/v1/timesheets/{me}/2026-11.csv?lang=fr")).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&employee.get(&format!("/api/v1/timesheets/{}/2026-11.csv", seed.staff[0])).await, StatusCode::FORBIDDEN, "forbidden");
}

async fn timesheets_check_roles_models_and_bad_input(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Roles AB").await;
    let other = server.seed("Other AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    // Reading: own only for an employee; other organisations' people do not exist.
    assert_eq!(employee.get(&format!("/api/v1/timesheets/{}/2026-11", seed.employee_id)).await.0, StatusCode::OK);
    assert_error(&employee.get(&format!("/api/v1/timesheets/{}/2026-11", seed.staff[0])).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&manager.get(&format!("/api/v1/timesheets/{}/2026-11", other.staff[0])).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&manager.get(&format!("/api/v1/timesheets/{}/2026-13", seed.staff[0])).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&manager.get(&format!("/api/v1/timesheets/{}/november", seed.staff[0])).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&manager.get("/api/v1/timesheets/not-a-uuid/2026-11").await, StatusCode::NOT_FOUND, "not_found");
    // A7 across a leap day: February 2028 has 29 rows.
    assert_eq!(month(&manager, seed.staff[0], "2028-02").await["days"].as_array().unwrap().len(), 29);
    // Work models (B1): the name is required and unique, seven days of 0–1440 minutes.
    assert_error(&employee.post("/api/v1/work-models", json!({"name": "x", "minutes": [0, 0, 0, 0, 0, 0, 0]})).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&manager.post("/api/v1/work-models", json!({"name": " ", "minutes": [480, 480, 480, 480, 480, 0, 0]})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&manager.post("/api/v1/work-models", json!({"name": "Six", "minutes": [480, 480, 480, 480, 480, 0]})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&manager.post("/api/v1/work-models", json!({"name": "Long", "minutes": [1441, 0, 0, 0, 0, 0, 0]})).await, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, irregular) = manager.post("/api/v1/work-models", json!({"name": "Deltid", "minutes": [480, 420, 240, 120, 0, 0, 0]})).await;
    assert_eq!(status, StatusCode::CREATED, "{irregular}");
    assert_eq!(irregular["regular"], false, "B1: 8/7/4/2/0/0/0 is irregular");
    assert_error(&manager.post("/api/v1/work-models", json!({"name": "Deltid", "minutes": [0, 0, 0, 0, 0, 0, 0]})).await, StatusCode::CONFLICT, "already_exists");
    let id = irregular["id"].as_str().unwrap();
    let (status, renamed) = manager.call(Method::PATCH, &format!("/api/v1/work-models/{id}"), Some(json!({"name": "Deltid 2"}))).await;
    assert_eq!((status, renamed["minutes"][1].as_i64()), (StatusCode::OK, Some(420)));
    let (_, list) = manager.get("/api/v1/work-models").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // B2 under an irregular model: vacation left in hours (average day 1260/4 = 315 min × 20 days).
    let me = seed.employee_id;
    let assign = |body: Value| {
        let manager = &manager;
        async move { manager.call(Method::PUT, &format!("/api/v1/employees/{me}/work-model"), Some(body)).await }
    };
    let (status, _) = assign(json!({"work_model_id": id, "valid_from": "2026-01-01", "vacation_days": "20"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(month(&employee, me, "2026-11").await["vacation_left"], json!({"unit": "hours", "days": null, "minutes": 6300}));
    assert_error(&assign(json!({"work_model_id": Uuid::now_v7(), "valid_from": "2026-01-01"})).await, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    assert_error(&assign(json!({"work_model_id": id, "valid_from": "2026-02-30"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&assign(json!({"work_model_id": id, "valid_from": "2026-01-01", "flex_model": "yearly"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&assign(json!({"work_model_id": id, "valid_from": "2026-01-01", "vacation_days": "2.555"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&employee.call(Method::PUT, &format!("/api/v1/employees/{me}/work-model"), Some(json!({"work_model_id": id, "valid_from": "2026-01-01"}))).await, StatusCode::FORBIDDEN, "forbidden");
    // The organisation: admins only; unknown calendars and policies are refused.
    assert_error(&manager.call(Method::PATCH, "/api/v1/organisation", Some(json!({"holiday_calendar": "DK"}))).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"holiday_calendar": "DE-XX"}))).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"policy": "lenient"}))).await, StatusCode::BAD_REQUEST, "invalid_request");
    let (_, org) = employee.get("/api/v1/organisation").await;
    assert_eq!((org["holiday_calendar"].as_str(), org["policy"].as_str()), (Some("SE"), Some("self_service")));
    // Malformed bodies.
    assert_error(&employee.call(Method::PUT, &format!("/api/v1/timesheets/{me}/days/2026-11-10"), Some(json!({"start": "8"}))).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&employee.post(&format!("/api/v1/timesheets/{me}/days/2026-11-10/bookings"), json!({"link_id": seed.links[0], "minutes": 0})).await, StatusCode::BAD_REQUEST, "invalid_request");
}

async fn d3_g_tz_b4_the_8_hour_rule_both_ways_dst_nights_and_every_absence_kind(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Nights AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let (a, b) = (seed.staff[0], seed.staff[1]);
    let link = Some(seed.links[0]);
    full_time(&manager, a, "2026-01-01", "accumulating", 0).await;
    full_time(&manager, b, "2026-01-01", "accumulating", 0).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let page = vec![
        // D3 ≤ 8 h: 24 Feb 22:00–25 Feb 02:00, then 03:00–05:00 (gap 1 h) → both on the 24th.
        tablet.event(a, PunchKind::Start, link, at("2026-02-24T22:00:00+01:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-02-25T02:00:00+01:00")),
        tablet.event(a, PunchKind::Start, link, at("2026-02-25T03:00:00+01:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-02-25T05:00:00+01:00")),
        // D3 > 8 h: 26 Feb 20:00–27 Feb 02:00, then 11:00–13:00 (gap 9 h) → the second on the 27th.
        tablet.event(a, PunchKind::Start, link, at("2026-02-26T20:00:00+01:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-02-27T02:00:00+01:00")),
        tablet.event(a, PunchKind::Start, link, at("2026-02-27T11:00:00+01:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-02-27T13:00:00+01:00")),
        // G-TZ: the spring night 28/29 March 2026 is an hour shorter (22:00 CET – 06:00 CEST = 7 h).
        tablet.event(a, PunchKind::Start, link, at("2026-03-28T22:00:00+01:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-03-29T06:00:00+02:00")),
        // … and the autumn night 24/25 October an hour longer (22:00 CEST – 06:00 CET = 9 h): C3.
        tablet.event(a, PunchKind::Start, link, at("2026-10-24T22:00:00+02:00")),
        tablet.event(a, PunchKind::Stop, None, at("2026-10-25T06:00:00+01:00")),
    ];
    let (status, body) = tablet.sync(&page, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let feb = month(&manager, a, "2026-02").await;
    assert_eq!(day(&feb, "2026-02-24")["actual_min"], 360, "D3: the gap of 1 h keeps the 24th");
    assert_eq!(day(&feb, "2026-02-25")["actual_min"], 0);
    assert_eq!(day(&feb, "2026-02-26")["actual_min"], 360);
    assert_eq!(day(&feb, "2026-02-27")["actual_min"], 120, "D3: the gap of 9 h starts the 27th");
    assert_eq!(feb["days"].as_array().unwrap().len(), 28);
    assert_eq!(day(&month(&manager, a, "2026-03").await, "2026-03-28")["actual_min"], 420, "G-TZ spring night");
    let oct = day(&month(&manager, a, "2026-10").await, "2026-10-24").clone();
    assert_eq!(oct["actual_min"], 540, "G-TZ autumn night");
    assert_eq!(oct["warnings"], json!(["arbzg_break"]), "C1 at 9 h without a break; C3 only above 10 h");
    // B4, every kind on a Monday–Friday of a full-time model (Soll 8:00): its category's Soll.
    let kinds: [(&str, &str, Option<i64>, i64); 9] = [
        ("vacation", "2026-11-02", None, 0),
        ("flex_leave", "2026-11-03", None, 0),
        ("maternity", "2026-11-04", None, 0),
        ("parental", "2026-11-05", None, 0),
        ("special_leave", "2026-11-06", None, 0),
        ("half_vacation", "2026-11-09", None, 240),
        ("half_special_leave", "2026-11-10", None, 240),
        ("vocational_school", "2026-11-11", Some(300), 300),
        ("sick", "2026-11-12", None, 0),
    ];
    for (kind, date, target, _) in kinds {
        let mut body = json!({"employee_id": b, "kind": kind, "from": date, "to": date});
        if let Some(t) = target {
            body["target_min"] = json!(t);
        }
        let (status, answer) = manager.post("/api/v1/absences", body).await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {answer}");
    }
    let nov = month(&manager, b, "2026-11").await;
    for (kind, date, _, soll) in kinds {
        let d = day(&nov, date);
        assert_eq!(d["absence"]["kind"], kind);
        assert_eq!((d["target_min"].as_i64(), d["flex_min"].as_i64()), (Some(soll), Some(-soll)), "B4 {kind} on {date}");
    }
    batched_months_agree(&server, &seed, &["2026-02", "2026-03", "2026-10", "2026-11"]).await;
}
