//! A restaurant stamps without projects (the first-day issue, item 1): the organisation setting
//! `links_required` (`GET`/`PATCH /api/v1/organisation`), which reaches the tablets in the
//! enrolment and sync answers; a start without a link is refused with 400 `invalid_request`
//! where links are required and accepted where they are not, and the day shows the interval
//! without a link. And the audit log records people, their links and the links themselves
//! (item 7). On both databases.

use chrono::{DateTime, FixedOffset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared_model::PunchKind;
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};

both_databases!(
    links_are_required_by_default_and_a_start_without_one_is_refused,
    without_required_links_staff_stamp_in_and_out_with_no_link,
    the_audit_log_records_people_and_links_never_a_secret,
);

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

async fn links_are_required_by_default_and_a_start_without_one_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Projekt AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let (status, org) = employee.get("/api/v1/organisation").await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["links_required"], true, "every organisation requires links unless it says otherwise");
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let staff = seed.staff[0];
    let start = tablet.event(staff, PunchKind::Start, None, at("2026-11-16T08:00:00+01:00"));
    let (status, body) = tablet.sync(std::slice::from_ref(&start), 0, None).await;
    assert_error(&(status, body.clone()), StatusCode::BAD_REQUEST, "invalid_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("link_id"), "the message names the field: {body}");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 0, "nothing of the page is stored");
    // A start with a link is taken as before, and the config says links are required.
    let mut with_link = start.clone();
    with_link.link_id = Some(seed.links[0]);
    let (status, body) = tablet.sync(&[with_link], 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["config"]["links_required"], true);
    // Only admins change it; a value that is no boolean is refused naming the field.
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    assert_error(&manager.call(Method::PATCH, "/api/v1/organisation", Some(json!({"links_required": false}))).await, StatusCode::FORBIDDEN, "forbidden");
    let bad = admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"links_required": "no"}))).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(bad.1["error"]["message"].as_str().unwrap().contains("links_required"), "{}", bad.1);
    assert_eq!(admin.get("/api/v1/organisation").await.1["links_required"], true, "nothing changed");
}

async fn without_required_links_staff_stamp_in_and_out_with_no_link(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Krogen AB").await;
    let other = server.seed("Annan AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let staff = seed.staff[0];
    let day = vec![
        tablet.event(staff, PunchKind::Start, None, at("2026-11-16T10:00:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-16T14:00:00+01:00")),
        tablet.event(staff, PunchKind::Start, None, at("2026-11-16T14:30:00+01:00")),
        tablet.event(staff, PunchKind::Stop, None, at("2026-11-16T22:00:00+01:00")),
    ];
    assert_error(&tablet.sync(&day, 0, None).await, StatusCode::BAD_REQUEST, "invalid_request");

    // The owner turns links off: audited, shown, and the same page (as the tablet resends it)
    // is now taken.
    let (status, org) = admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"links_required": false}))).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["links_required"], false);
    assert_eq!(org["time_zone"], "Europe/Stockholm", "the other settings are untouched");
    let (_, audit) = admin.get("/api/v1/audit?kind=organisation_changed").await;
    assert_eq!(audit["items"][0]["details"]["links_required"], false, "{audit}");
    assert_eq!(AdminClient::login(&server, &other.admin_username).await.get("/api/v1/organisation").await.1["links_required"], true, "another organisation keeps its setting");
    let (status, body) = tablet.sync(&day, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["acked"].as_array().unwrap().len(), 4);
    assert_eq!(body["config"]["links_required"], false, "tablets learn it from the sync answer");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 4);
    // A tablet enrolled now knows it from its first answer.
    let code = admin.enrolment_code().await;
    let (status, enrolled) = raw_enrol(&server, &code).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    assert_eq!(enrolled["links_required"], false);

    // The day shows two intervals without a link: 11:30 worked, a 30-minute break.
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let (status, days) = manager.get(&format!("/api/v1/employees/{staff}/days?from=2026-11-16&to=2026-11-16")).await;
    assert_eq!(status, StatusCode::OK, "{days}");
    let monday = &days["days"][0];
    assert_eq!(monday["actual_min"], 690, "{monday}");
    assert_eq!(monday["break_min"], 30);
    assert_eq!(monday["anomalies"], json!([]));
    let intervals = monday["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 2);
    assert!(intervals.iter().all(|i| i["link_id"] == Value::Null), "{monday}");
    // The month's timesheet counts it as Ist.
    let (status, month) = manager.get(&format!("/api/v1/timesheets/{staff}/2026-11")).await;
    assert_eq!(status, StatusCode::OK, "{month}");
    let row = month["days"].as_array().unwrap().iter().find(|d| d["date"] == "2026-11-16").cloned().unwrap_or_default();
    assert_eq!(row["actual_min"], 690, "{row}");

    // Turned back on, a start without a link is refused again; one with a link still works.
    assert_eq!(admin.call(Method::PATCH, "/api/v1/organisation", Some(json!({"links_required": true}))).await.0, StatusCode::OK);
    let again = tablet.event(staff, PunchKind::Start, None, at("2026-11-17T10:00:00+01:00"));
    assert_error(&tablet.sync(&[again], 0, None).await, StatusCode::BAD_REQUEST, "invalid_request");
}

/// `POST /api/v1/device/enrol` with a throwaway key, for the answer's body.
async fn raw_enrol(server: &TestServer, code: &str) -> (StatusCode, Value) {
    let key = shared_model::device_auth::DeviceKey::generate().expect("key").0;
    let body = json!({"enrolment_code": code, "public_key": key.public_key_b64(), "platform": "test", "app_version": "0"});
    let resp = reqwest::Client::new().post(server.url("/api/v1/device/enrol")).json(&body).send().await.expect("enrol");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn audit_of(admin: &AdminClient, kind: &str) -> Vec<Value> {
    let (status, body) = admin.get(&format!("/api/v1/audit?kind={kind}&limit=100")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn the_audit_log_records_people_and_links_never_a_secret(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Revision AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    // A person created by the manager, with a PIN and a personnummer.
    let (status, person) = manager
        .post("/api/v1/employees", json!({"number": "301", "name": "Nora Nilsson", "role": "employee", "pin": "8642", "personnummer": "19870412-1287"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    let id = person["id"].as_str().unwrap().to_owned();
    let created = audit_of(&admin, "person_created").await;
    let row = created.iter().find(|r| r["subject"] == id.as_str()).cloned().expect("person_created row");
    assert_eq!(row["by"]["id"], seed.manager_id.to_string(), "who");
    assert_eq!(row["details"]["name"], "Nora Nilsson");
    assert_eq!(row["details"]["number"], "301");
    // Renamed and promoted, then deactivated: each field from → to.
    let path = format!("/api/v1/employees/{id}");
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"name": "Nora Berg", "role": "team_lead"}))).await.0, StatusCode::OK);
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"active": false}))).await.0, StatusCode::OK);
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"name": "Nora Berg"}))).await.0, StatusCode::OK, "no change, no row");
    let changed = audit_of(&admin, "person_changed").await;
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0]["details"]["changes"]["name"], json!({"from": "Nora Nilsson", "to": "Nora Berg"}));
    assert_eq!(changed[0]["details"]["changes"]["role"], json!({"from": "employee", "to": "team_lead"}));
    let deactivated = audit_of(&admin, "person_deactivated").await;
    assert_eq!(deactivated.len(), 1);
    assert_eq!(deactivated[0]["details"]["changes"]["active"], json!({"from": true, "to": false}));
    // Links: created, changed, and given to a person (added / removed).
    let (status, link) = manager.post("/api/v1/links", json!({"project": "Catering", "account": "Servering"})).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    let link_id = link["id"].as_str().unwrap().to_owned();
    assert_eq!(manager.call(Method::PATCH, &format!("/api/v1/links/{link_id}"), Some(json!({"active": false}))).await.0, StatusCode::OK);
    let links = [audit_of(&admin, "link_created").await, audit_of(&admin, "link_changed").await];
    assert_eq!(links[0][0]["details"], json!({"project": "Catering", "account": "Servering", "active": true}));
    assert_eq!(links[1][0]["details"]["active"], false);
    let staff = seed.staff[0];
    let put = manager.call(Method::PUT, &format!("/api/v1/employees/{staff}/links"), Some(json!({"link_ids": [seed.links[0], link_id]}))).await;
    assert_eq!(put.0, StatusCode::OK, "{}", put.1);
    let moved = audit_of(&admin, "person_links_changed").await;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["subject"], staff.to_string());
    assert_eq!(moved[0]["details"]["added"], json!([link_id]));
    assert_eq!(moved[0]["details"]["removed"], json!([seed.links[1]]));
    // Never a secret: no PIN, no personnummer, no hash anywhere in the log.
    let (_, all) = admin.get("/api/v1/audit?limit=1000").await;
    let text = all.to_string();
    for secret in ["\"8642\"", "19870412", "\"1287\"", "pbkdf2"] {
        assert!(!text.contains(secret), "the audit log holds {secret}: {text}");
    }
    // The PIN itself shows as a credential change by field name.
    let creds = audit_of(&admin, "credentials_changed").await;
    assert!(creds.iter().any(|r| r["subject"] == id.as_str() && r["details"]["fields"].as_array().is_some_and(|f| f.contains(&json!("pin")))), "{creds:?}");
}
