//! Device governance and the payroll gate over real HTTP on both databases (seed 000, I1–I5,
//! INTERP-42, INTERP-45): requirements with history, the gate at a DST month end, uninstall on
//! the tablet and from the web, quarantine, locks, roles and tenant isolation.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};

both_databases!(
    disabled_for_period_lifecycle,
    the_gate_at_a_dst_month_end_in_stockholm_and_berlin,
    uninstall_on_the_tablet,
    uninstall_from_the_web_and_quarantine,
    governance_roles_and_tenant_isolation,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Moves server and device clocks together to `instant`.
fn travel(server: &TestServer, devices: &mut [&mut TestDevice], instant: DateTime<Utc>) {
    let delta = instant - server.clock.now();
    server.clock.advance(delta);
    for d in devices.iter_mut() {
        d.clock_error = server.clock.now() - Utc::now();
    }
}

async fn disabled_for_period_lifecycle(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Lifecycle AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let mut a = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let b = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    // Mid-November 2026 in Stockholm: the open period is 2026-11.
    travel(&server, &mut [&mut a], at("2026-11-15T10:00:00+01:00"));
    let path = format!("/api/v1/devices/{}/sync-requirement", a.id);
    let (status, d) = manager.call(Method::PUT, &path, Some(json!({"state": "disabled_for_period"}))).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["sync_requirement"], json!({"state": "disabled_for_period", "period": "2026-11"}), "defaults to the open period");
    // Bad states and periods.
    for body in [json!({"state": "paused"}), json!({"state": "active", "period": "2026-11"}), json!({"state": "disabled_for_period", "period": "2026-13"}), json!({"state": "active", "x": 1})] {
        assert_error(&manager.call(Method::PUT, &path, Some(body)).await, StatusCode::BAD_REQUEST, "invalid_request");
    }
    // The gate for 2026-11 skips A; B (never synced) blocks it.
    travel(&server, &mut [&mut a], at("2026-12-01T08:00:00+01:00"));
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let (_, check) = manager.get("/api/v1/payroll-runs/check?period=2026-11").await;
    assert_eq!(check["ready"], false);
    let blocking: Vec<&str> = check["blocking_devices"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(blocking, vec![b.id.to_string().as_str()]);
    // ... but A blocks December, for which it is not disabled.
    let (_, dec) = manager.get("/api/v1/payroll-runs/check?period=2026-12").await;
    assert_eq!(dec["blocking_devices"].as_array().unwrap().len(), 2);
    let got = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_error(&got, StatusCode::CONFLICT, "devices_not_synced");
    assert_eq!(got.1["error"]["details"]["blocking_devices"][0]["id"], b.id.to_string());
    assert_eq!(got.1["error"]["details"]["blocking_devices"][0]["reason"], "not_synced_since_period_end");
    // B is disabled permanently; the run goes out and locks November.
    let (status, _) = manager
        .call(Method::PUT, &format!("/api/v1/devices/{}/sync-requirement", b.id), Some(json!({"state": "disabled_permanently"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, run) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let _ = &b;
    assert_eq!(run["period"], "2026-11");
    // Locking returned A to active, recorded with by: null.
    let (_, history) = manager.get(&format!("/api/v1/devices/{}/history", a.id)).await;
    let items = history["items"].as_array().unwrap();
    let events: Vec<&str> = items.iter().map(|h| h["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["installed", "sync_requirement_changed", "sync_requirement_changed"]);
    assert_eq!(items[0]["sync_requirement"], json!({"state": "active"}));
    assert_eq!(items[1]["by"]["id"], seed.manager_id.to_string());
    assert_eq!(items[1]["sync_requirement"]["period"], "2026-11");
    assert_eq!(items[2]["by"], Value::Null);
    assert_eq!(items[2]["sync_requirement"], json!({"state": "active"}));
    let (_, b_history) = manager.get(&format!("/api/v1/devices/{}/history", b.id)).await;
    assert_eq!(b_history["items"].as_array().unwrap().last().unwrap()["sync_requirement"], json!({"state": "disabled_permanently"}));
    // A second run is refused (lock checked first); unlock reopens it.
    assert_error(&manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await, StatusCode::CONFLICT, "period_locked");
    let (_, check) = manager.get("/api/v1/payroll-runs/check?period=2026-11").await;
    assert_eq!(check["locked"], true);
    assert_eq!(manager.post("/api/v1/periods/2026-11/unlock", json!({})).await.0, StatusCode::NO_CONTENT);
    assert_error(&manager.post("/api/v1/periods/2026-11/unlock", json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&manager.get("/api/v1/payroll-runs/check?period=11-2026").await, StatusCode::BAD_REQUEST, "invalid_request");
    // The audit log has it all, newest first, filterable by kind.
    let (_, audit) = admin.get("/api/v1/audit?kind=period_unlocked").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit["items"][0]["by"]["id"], seed.manager_id.to_string());
    let (_, all) = admin.get("/api/v1/audit?limit=1000").await;
    let kinds: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    for k in ["enrolment_code_created", "device_enrolled", "sync_requirement_changed", "payroll_run", "period_locked", "period_unlocked"] {
        assert!(kinds.contains(&k), "audit lacks {k}: {kinds:?}");
    }
    assert_eq!(kinds[0], "period_unlocked");
    // Back to active, A now blocks the rerun until it syncs completely.
    let got = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_error(&got, StatusCode::CONFLICT, "devices_not_synced");
    assert_eq!(got.1["error"]["details"]["blocking_devices"][0]["id"], a.id.to_string());
    assert_eq!(a.sync(&[], 0, None).await.0, StatusCode::OK);
    let (status, _) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-11"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // A late stamp for a locked period is stored (and flagged), never refused.
    let mut late = a.events(seed.staff[0], seed.links[0], 2);
    for e in &mut late {
        e.occurred_at = at("2026-11-20T08:00:00+01:00").fixed_offset();
    }
    let (status, body) = a.sync(&late, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 2);
    assert_eq!(flags_of(&server, late[0].id).await.as_deref(), Some("locked_period"));
}

async fn the_gate_at_a_dst_month_end_in_stockholm_and_berlin(backend: Backend) {
    let server = TestServer::start(backend).await;
    for (org_name, zone) in [("Stockholm AB", "Europe/Stockholm"), ("Berlin GmbH", "Europe/Berlin")] {
        let seed = server.seed(org_name).await;
        if zone != "Europe/Stockholm" {
            let pool_zone = zone.to_owned();
            // The seed makes Stockholm organisations; move this one to Berlin.
            set_zone(&server, seed.org.id, &pool_zone).await;
        }
        let admin = AdminClient::login(&server, &seed.admin_username).await;
        let manager = AdminClient::login(&server, &seed.manager_username).await;
        let mut early = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
        let mut late = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
        let mut pending = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
        let mut gone = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
        // October 2026 holds the autumn DST change; it ends at 2026-11-01T00:00+01:00 in both zones.
        let end = at("2026-11-01T00:00:00+01:00");
        travel(&server, &mut [&mut early], end - Duration::seconds(1));
        assert_eq!(early.sync(&[], 0, None).await.0, StatusCode::OK);
        travel(&server, &mut [&mut late, &mut gone], end + Duration::seconds(1));
        assert_eq!(late.sync(&[], 0, None).await.0, StatusCode::OK);
        assert_eq!(gone.sync(&[], 3, None).await.0, StatusCode::OK);
        // Synced after the end, but still holding events: blocks, reason pending_events.
        travel(&server, &mut [&mut pending], end + Duration::hours(2));
        assert_eq!(pending.sync(&[], 4, None).await.0, StatusCode::OK);
        // An uninstalled device never blocks.
        let (status, _) = admin.call(Method::DELETE, &format!("/api/v1/devices/{}", gone.id), Some(json!({"confirm": true}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, check) = manager.get("/api/v1/payroll-runs/check?period=2026-10").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(check["period_end"], "2026-10-31T23:00:00Z", "{org_name}");
        let mut blocking: Vec<(String, String, i64)> = check["blocking_devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap().to_owned(), d["reason"].as_str().unwrap().to_owned(), d["pending_events"].as_i64().unwrap()))
            .collect();
        blocking.sort();
        let mut expected = vec![
            (early.id.to_string(), "not_synced_since_period_end".to_owned(), 0),
            (pending.id.to_string(), "pending_events".to_owned(), 4),
        ];
        expected.sort();
        assert_eq!(blocking, expected, "{org_name}");
        assert!(check["blocking_devices"].as_array().unwrap().iter().any(|d| d["last_full_sync_at"].is_string()));
    }
}

async fn flags_of(server: &TestServer, event: uuid::Uuid) -> Option<String> {
    let url = server.db.url.clone();
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT flags FROM events WHERE id = $1").bind(event).fetch_one(&pool).await.unwrap()
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT flags FROM events WHERE id = $1").bind(event).fetch_one(&pool).await.unwrap()
    }
}

async fn set_zone(server: &TestServer, org: uuid::Uuid, zone: &str) {
    // Organisations have no zone-changing endpoint yet; tests set it in the database directly.
    let url = server.db.url.clone();
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query("UPDATE organisations SET time_zone = $1 WHERE id = $2").bind(zone).bind(org).execute(&pool).await.unwrap();
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query("UPDATE organisations SET time_zone = $1 WHERE id = $2").bind(zone).bind(org).execute(&pool).await.unwrap();
    }
}

async fn uninstall_on_the_tablet(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Uninstall AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let uninstall = |pnr: &str| json!({"personnummer": pnr});
    let other = server.seed("Other AB").await;
    let other_admin = AdminClient::login(&server, &other.admin_username).await;
    let foreign = TestDevice::enrol(&server, &other_admin.enrolment_code().await).await;
    // An admin whose number exists only in Uninstall AB cannot uninstall Other AB's tablet.
    let (status, _) = admin.post("/api/v1/employees", json!({"number": "77", "name": "Only A", "role": "admin", "personnummer": "19090527-1474"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_error(&foreign.signed("/api/v1/device/uninstall", &json!({"personnummer": "19090527-1474"})).await, StatusCode::FORBIDDEN, "not_authorised");
    // An employee's personnummer: 403; an invalid one: 400; another organisation's admin: 403.
    assert_error(&device.signed("/api/v1/device/uninstall", &uninstall("19460823-9986")).await, StatusCode::FORBIDDEN, "not_authorised");
    assert_error(&device.signed("/api/v1/device/uninstall", &uninstall("19811218-9875")).await, StatusCode::BAD_REQUEST, "invalid_personnummer");
    // Pending events: 409 with the admin's number (in another spelling).
    assert_eq!(device.sync(&[], 2, None).await.0, StatusCode::OK);
    assert_error(&device.signed("/api/v1/device/uninstall", &uninstall("811218-9876")).await, StatusCode::CONFLICT, "unsynced_events");
    assert_eq!(device.sync(&[], 0, None).await.0, StatusCode::OK);
    // The fifth attempt in the window still goes through; the sixth would be refused.
    let (status, body) = device.signed("/api/v1/device/uninstall", &uninstall("198112189876")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["by"]["id"], seed.admin_id.to_string());
    assert!(body["uninstalled_at"].is_string());
    // Gone from the registry; its history answers 404; the audit log keeps it.
    let (_, list) = manager.get("/api/v1/devices").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    assert_error(&manager.get(&format!("/api/v1/devices/{}/history", device.id)).await, StatusCode::NOT_FOUND, "not_found");
    let (_, audit) = admin.get("/api/v1/audit?kind=device_uninstalled").await;
    assert_eq!(audit["items"][0]["subject"], device.id.to_string());
    assert_eq!(audit["items"][0]["details"]["via"], "tablet");

    // Rate limit: five attempts per device per 15 minutes, then 429.
    let d2 = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    for _ in 0..5 {
        assert_error(&d2.signed("/api/v1/device/uninstall", &uninstall("19460823-9986")).await, StatusCode::FORBIDDEN, "not_authorised");
    }
    let got = d2.signed("/api/v1/device/uninstall", &uninstall("19811218-9876")).await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // A manager's personnummer works once the window has passed.
    server.clock.advance(Duration::minutes(16));
    let mut d2 = d2;
    d2.clock_error = Duration::minutes(16);
    let (status, body) = d2.signed("/api/v1/device/uninstall", &uninstall("19640823-3234")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["by"]["id"], seed.manager_id.to_string());
}

async fn uninstall_from_the_web_and_quarantine(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Web AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    assert_eq!(device.sync(&[], 7, None).await.0, StatusCode::OK);
    let path = format!("/api/v1/devices/{}", device.id);
    for body in [None, Some(json!({})), Some(json!({"confirm": false}))] {
        let got = admin.call(Method::DELETE, &path, body).await;
        assert_error(&got, StatusCode::CONFLICT, "confirmation_required");
        assert_eq!(got.1["error"]["details"]["pending_events"], 7);
        assert!(got.1["error"]["details"]["last_contact_at"].is_string());
    }
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    assert_error(&manager.call(Method::DELETE, &path, Some(json!({"confirm": true}))).await, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = admin.call(Method::DELETE, &path, Some(json!({"confirm": true}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(&admin.call(Method::DELETE, &path, Some(json!({"confirm": true}))).await, StatusCode::NOT_FOUND, "not_found");
    // The revoked tablet syncs its held events: refused with 403, kept in quarantine.
    let events = device.events(seed.staff[0], seed.links[0], 4);
    let got = device.sync(&events, 0, None).await;
    assert_error(&got, StatusCode::FORBIDDEN, "device_uninstalled");
    let quarantined: Vec<String> = serde_json::from_value(got.1["error"]["details"]["quarantined"].clone()).unwrap();
    assert_eq!(quarantined.len(), 4);
    // Resending is harmless.
    assert_error(&device.sync(&events, 0, None).await, StatusCode::FORBIDDEN, "device_uninstalled");
    assert_eq!(server.count_events(seed.org.id, "quarantined").await, 4);
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 0);
    let (_, q) = admin.get("/api/v1/quarantine").await;
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["device_id"], device.id.to_string());
    assert_eq!(admin.post(&format!("/api/v1/quarantine/{}/accept", events[0].id), json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(admin.post(&format!("/api/v1/quarantine/{}/reject", events[1].id), json!({})).await.0, StatusCode::NO_CONTENT);
    assert_error(&admin.post(&format!("/api/v1/quarantine/{}/accept", events[1].id), json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 1);
    assert_eq!(server.count_events(seed.org.id, "rejected").await, 1);
    assert_eq!(server.count_events(seed.org.id, "quarantined").await, 2);
    let (_, audit) = admin.get("/api/v1/audit?kind=quarantine_rejected").await;
    assert_eq!(audit["items"][0]["subject"], events[1].id.to_string());
    // The revoked tablet cannot uninstall itself either.
    assert_error(&device.signed("/api/v1/device/uninstall", &json!({"personnummer": "19811218-9876"})).await, StatusCode::FORBIDDEN, "device_uninstalled");
}

async fn governance_roles_and_tenant_isolation(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = server.seed("Gov A").await;
    let b = server.seed("Gov B").await;
    let admin_a = AdminClient::login(&server, &a.admin_username).await;
    let device = TestDevice::enrol(&server, &admin_a.enrolment_code().await).await;
    let callers = [
        ("admin", AdminClient::login(&server, &a.admin_username).await, true),
        ("manager", AdminClient::login(&server, &a.manager_username).await, true),
        ("employee", AdminClient::login(&server, &a.employee_username).await, true),
        ("other admin", AdminClient::login(&server, &b.admin_username).await, false),
    ];
    let d = device.id;
    // (method, path, body, roles allowed in the own organisation)
    let endpoints: Vec<(Method, String, Option<Value>, &[&str])> = vec![
        (Method::PUT, format!("/api/v1/devices/{d}/sync-requirement"), Some(json!({"state": "active"})), &["admin", "manager"]),
        (Method::GET, format!("/api/v1/devices/{d}/history"), None, &["admin", "manager"]),
        (Method::GET, "/api/v1/quarantine".into(), None, &["admin"]),
        (Method::GET, "/api/v1/payroll-runs/check?period=2026-01".into(), None, &["admin", "manager"]),
        (Method::GET, "/api/v1/audit".into(), None, &["admin"]),
    ];
    for (method, path, body, allowed) in &endpoints {
        for (who, client, own) in &callers {
            let got = client.call(method.clone(), path, body.clone()).await;
            let expect_ok = *own && allowed.contains(who);
            if expect_ok {
                assert!(got.0.is_success(), "{who} {method} {path}: {got:?}");
            } else if !own && path.contains(&d.to_string()) {
                assert_error(&got, StatusCode::NOT_FOUND, "not_found");
            } else if !own {
                // Allowed by role in its own organisation: sees only its own (empty) data.
                assert!(got.0.is_success(), "{who} {method} {path}: {got:?}");
                assert!(!got.1.to_string().contains(&d.to_string()), "{who} sees A's device via {path}");
            } else {
                assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
            }
        }
    }
    // State-changing endpoints: an employee is refused; B's admin cannot touch A's device or periods.
    let employee = &callers[2].1;
    let other = &callers[3].1;
    assert_error(&employee.post("/api/v1/payroll-runs", json!({"period": "2026-01"})).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&employee.post("/api/v1/periods/2026-01/unlock", json!({})).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&employee.call(Method::DELETE, &format!("/api/v1/devices/{d}"), Some(json!({"confirm": true}))).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&other.call(Method::DELETE, &format!("/api/v1/devices/{d}"), Some(json!({"confirm": true}))).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &other.call(Method::PUT, &format!("/api/v1/devices/{d}/sync-requirement"), Some(json!({"state": "disabled_permanently"}))).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // B's payroll run does not see A's unsynced tablet, and locks only B's period.
    let (status, _) = other.post("/api/v1/payroll-runs", json!({"period": "2026-01"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, check_a) = callers[1].1.get("/api/v1/payroll-runs/check?period=2026-01").await;
    assert_eq!(check_a["locked"], false);
    assert_eq!(check_a["blocking_devices"][0]["id"], d.to_string());
    assert_error(&other.post("/api/v1/periods/2026-02/unlock", json!({})).await, StatusCode::NOT_FOUND, "not_found");
    let (_, reg) = callers[0].1.get("/api/v1/devices").await;
    assert_eq!(reg["items"][0]["sync_requirement"], json!({"state": "active"}));
}
