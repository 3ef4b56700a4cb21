//! A restaurant stamps without projects (the first-day issue, item 1): the organisation setting
//! `links_required` (`GET`/`PATCH /api/v1/organisation`), which reaches the tablets in the
//! enrolment and sync answers; a start without a link is refused with 400 `invalid_request`
//! where links are required and accepted where they are not, and the day shows the interval
//! without a link. And the audit log records people, their links and the links themselves
//! (item 7). An admin or manager asks every tablet to sync at its next contact (item 2). On
//! both databases.

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
    an_admin_asks_every_tablet_to_sync_at_its_next_contact,
    an_enrolment_code_names_the_tablet_it_enrols,
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

/// The registry row of `device` as `client` sees it.
async fn registry_row(client: &AdminClient, device: uuid::Uuid) -> Value {
    let (status, list) = client.get("/api/v1/devices?limit=100").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().iter().find(|d| d["id"] == device.to_string()).cloned().unwrap_or(Value::Null)
}

async fn an_admin_asks_every_tablet_to_sync_at_its_next_contact(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Krogen AB").await;
    let other = server.seed("Annan AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let other_admin = AdminClient::login(&server, &other.admin_username).await;
    let entry = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let kitchen = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let elsewhere = TestDevice::enrol(&server, &other_admin.enrolment_code().await).await;
    // Every tablet has synced fully and holds the current roster.
    let mut versions = Vec::new();
    for tablet in [&entry, &kitchen, &elsewhere] {
        let (status, body) = tablet.sync(&[], 0, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["config"]["sync_requested"], false, "nobody asked yet");
        versions.push(body["roster"]["version"].as_str().expect("a first sync gets the roster").to_owned());
    }
    let (_, body) = entry.sync(&[], 0, Some(&versions[0])).await;
    assert_eq!(body["roster"], Value::Null, "a current roster is not sent again");
    assert_eq!(registry_row(&manager, entry.id).await["sync_request_pending"], false);

    // Staff may not ask; a manager may, for every installed tablet of the organisation only.
    assert_error(&employee.post("/api/v1/devices/sync-request", json!({})).await, StatusCode::FORBIDDEN, "forbidden");
    let (status, asked) = manager.post("/api/v1/devices/sync-request", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    assert_eq!(asked["devices"], 2, "{asked}");
    for tablet in [&entry, &kitchen] {
        let row = registry_row(&manager, tablet.id).await;
        assert_eq!(row["sync_request_pending"], true, "{row}");
        assert_eq!(row["sync_requested_at"], asked["requested_at"], "{row}");
    }
    let row = registry_row(&other_admin, elsewhere.id).await;
    assert_eq!(row["sync_request_pending"], false, "another organisation's tablet is not asked: {row}");
    assert_eq!(row["sync_requested_at"], Value::Null);

    // The entry tablet's next contact is answered with the request and the roster, even though
    // its version is current; a page that leaves events queued does not answer the request.
    let (status, body) = entry.sync(&[], 3, Some(&versions[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["config"]["sync_requested"], true, "{body}");
    assert_eq!(body["roster"]["version"], versions[0].as_str(), "the roster is sent anew");
    assert_eq!(registry_row(&manager, entry.id).await["sync_request_pending"], true, "three events are still on the tablet");
    // The full sync that follows answers it; the kitchen tablet has not been in contact yet.
    let (_, body) = entry.sync(&[], 0, Some(&versions[0])).await;
    assert_eq!(body["config"]["sync_requested"], true);
    let row = registry_row(&manager, entry.id).await;
    assert_eq!(row["sync_request_pending"], false, "{row}");
    assert_eq!(registry_row(&manager, kitchen.id).await["sync_request_pending"], true);
    let (_, body) = entry.sync(&[], 0, Some(&versions[0])).await;
    assert_eq!(body["config"]["sync_requested"], false, "answered once, not again");
    assert_eq!(body["roster"], Value::Null);

    // One tablet may be asked alone; another organisation's tablet or a malformed id is 404.
    let (status, one) = admin.post(&format!("/api/v1/devices/{}/sync-request", entry.id), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["devices"], 1);
    assert_error(&admin.post(&format!("/api/v1/devices/{}/sync-request", elsewhere.id), json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&admin.post("/api/v1/devices/not-a-uuid/sync-request", json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(registry_row(&other_admin, elsewhere.id).await["sync_request_pending"], false);

    // Recorded: who asked, and how many tablets.
    let rows = audit_of(&admin, "devices_sync_requested").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let everyone = rows.iter().find(|r| r["subject"] == Value::Null).cloned().expect("the organisation-wide request");
    assert_eq!(everyone["by"]["id"], seed.manager_id.to_string());
    assert_eq!(everyone["details"]["devices"], 2);
    assert!(rows.iter().any(|r| r["subject"] == entry.id.to_string() && r["details"]["devices"] == 1), "{rows:?}");
}

async fn an_enrolment_code_names_the_tablet_it_enrols(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Krogen AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    // Bad names are refused naming the field, and no code is made.
    // 61 characters as sent are refused even where trimming would leave one (the schema's
    // maxLength counts what is sent).
    let padded = format!("{}0", "\u{85}".repeat(60));
    for bad in [json!(""), json!("   "), json!("x".repeat(61)), json!("Kök\u{7}"), json!(7), json!(padded)] {
        let got = admin.post("/api/v1/enrolment-codes", json!({"device_name": bad})).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(got.1["error"]["message"].as_str().unwrap().contains("device_name"), "{}", got.1);
    }
    assert!(audit_of(&admin, "enrolment_code_created").await.is_empty(), "nothing half-made");
    let (status, code) = admin.post("/api/v1/enrolment-codes", json!({"device_name": "  Kök  "})).await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    assert_eq!(code["device_name"], "Kök", "trimmed");
    let (status, enrolled) = raw_enrol(&server, code["code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    let id: uuid::Uuid = enrolled["device_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(registry_row(&admin, id).await["name"], "Kök", "named from its first minute");
    let rows = audit_of(&admin, "device_enrolled").await;
    assert_eq!(rows[0]["details"]["name"], "Kök");
    assert_eq!(audit_of(&admin, "enrolment_code_created").await[0]["details"]["device_name"], "Kök");
    // A code without a name enrols an unnamed tablet, as before; an admin names it later.
    let plain = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    assert_eq!(registry_row(&admin, plain.id).await["name"], Value::Null);
}
