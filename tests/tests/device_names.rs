//! Tablets have names (the first-day issue, item 4): `PATCH /api/v1/devices/{id}` `{"name"}` by
//! admins, shown in the registry and the payroll gate's blockers, audited; bad names refused.

use reqwest::{Method, StatusCode};
use serde_json::json;
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};

both_databases!(an_admin_names_a_tablet_and_every_view_shows_it);

async fn an_admin_names_a_tablet_and_every_view_shows_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Names AB").await;
    let other = server.seed("Elsewhere AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let path = format!("/api/v1/devices/{}", tablet.id);
    let (_, list) = admin.get("/api/v1/devices").await;
    assert_eq!(list["items"][0]["name"], serde_json::Value::Null);
    assert_eq!(list["items"][0]["sync_interval_s"], 300);
    // Managers may not; bad names are refused naming the field; nothing changes.
    assert_error(&manager.call(Method::PATCH, &path, Some(json!({"name": "Entré"}))).await, StatusCode::FORBIDDEN, "forbidden");
    for bad in [json!({"name": ""}), json!({"name": "   "}), json!({"name": "x".repeat(61)}), json!({"name": "a\u{0007}b"}), json!({}), json!({"name": 5})] {
        let got = admin.call(Method::PATCH, &path, Some(bad.clone())).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let got = admin.call(Method::PATCH, &path, Some(json!({"name": "x".repeat(61)}))).await;
    assert!(got.1["error"]["message"].as_str().unwrap().contains("name"), "{}", got.1);
    let (_, list) = admin.get("/api/v1/devices").await;
    assert_eq!(list["items"][0]["name"], serde_json::Value::Null);
    // Another organisation's admin cannot see or name it.
    let stranger = AdminClient::login(&server, &other.admin_username).await;
    assert_error(&stranger.call(Method::PATCH, &path, Some(json!({"name": "Mine"}))).await, StatusCode::NOT_FOUND, "not_found");
    // Named: trimmed, 60 characters allowed, shown in the list and the gate's blockers.
    let (status, body) = admin.call(Method::PATCH, &path, Some(json!({"name": "  Entré  "}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Entré");
    let sixty = "Å".repeat(60);
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"name": sixty}))).await.0, StatusCode::OK);
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"name": "Entré"}))).await.0, StatusCode::OK);
    let (_, list) = manager.get("/api/v1/devices").await;
    assert_eq!(list["items"][0]["name"], "Entré");
    let (_, check) = manager.get("/api/v1/payroll-runs/check?period=2026-11").await;
    assert_eq!(check["blocking_devices"][0]["name"], "Entré", "{check}");
    // Audited, newest first.
    let (_, audit) = admin.get("/api/v1/audit?kind=device_renamed").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 3);
    assert_eq!(audit["items"][0]["details"]["name"], "Entré");
    assert_eq!(audit["items"][0]["subject"], tablet.id.to_string());
    // An uninstalled tablet can no longer be named.
    assert_eq!(admin.call(Method::DELETE, &path, Some(json!({"confirm": true}))).await.0, StatusCode::OK);
    assert_error(&admin.call(Method::PATCH, &path, Some(json!({"name": "Gone"}))).await, StatusCode::NOT_FOUND, "not_found");
}
