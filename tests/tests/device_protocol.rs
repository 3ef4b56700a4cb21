//! The device protocol over real HTTP on both databases: the conformance story (enrol → sync →
//! duplicate page → registry) and every way a request can be wrong.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};

both_databases!(
    conformance_story,
    unsigned_and_wrongly_signed_requests_are_refused,
    a_replayed_request_changes_nothing,
    a_clock_26_hours_off_is_answered_with_server_time_and_the_retry_succeeds,
    malformed_pages_are_refused_whole,
    conflicts_store_nothing_of_the_page,
    references_of_another_organisation_are_refused_and_anomalies_flagged,
    enrolment_codes_are_single_use_and_expire,
    fifty_devices_sync_at_once,
);

async fn conformance_story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Story AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let code = admin.enrolment_code().await;
    let mut device = TestDevice::enrol(&server, &code).await;

    // First sync: 3 events, nothing left; the roster comes along.
    let events = device.events(seed.staff[0], seed.links[0], 3);
    let (status, body) = device.sync(&events, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let acked: Vec<String> = serde_json::from_value(body["acked"].clone()).unwrap();
    assert_eq!(acked, events.iter().map(|e| e.id.to_string()).collect::<Vec<_>>());
    assert_eq!(body["config"]["sync_interval_s"], 300);
    assert_eq!(body["config"]["sync_requirement"], json!({"state": "active"}));
    let roster = &body["roster"];
    let version = roster["version"].as_str().unwrap().to_owned();
    let staff = roster["employees"].as_array().unwrap().iter().find(|e| e["number"] == "101").unwrap();
    assert!(staff["pin_hash"].as_str().unwrap().starts_with("$pbkdf2-sha256$i="));
    assert!(shared_model::secret_hash::verify("0101", staff["pin_hash"].as_str().unwrap()).unwrap());
    assert_eq!(staff["links"].as_array().unwrap().len(), 2);
    assert_eq!(roster["links"].as_array().unwrap().len(), 2);
    assert!(roster["employees"].as_array().unwrap().iter().all(|e| e["number"].is_string()), "web-only users are not in the roster");

    // The same page again: every id acked, nothing stored twice; the roster is current.
    let (status, body) = device.sync(&events, 0, Some(&version)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["acked"].as_array().unwrap().len(), 3);
    assert!(body["roster"].is_null());
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 3);

    // A page that leaves events behind: pending bookkeeping, last full sync unchanged.
    let more = device.events(seed.staff[1], seed.links[1], 2);
    let oldest = (Utc::now() - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (status, _) = device
        .signed("/api/v1/device/sync", &json!({"events": more, "pending_after": 12, "oldest_pending_at": oldest, "roster_version": version}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, list) = admin.get("/api/v1/devices").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let d = &items[0];
    assert_eq!(d["id"], device.id.to_string());
    for field in ["installed_at", "last_contact_at", "last_full_sync_at", "platform", "app_version", "oldest_pending_at"] {
        assert!(d[field].is_string(), "{field} missing: {d}");
    }
    assert_eq!(d["installed_by"]["id"], seed.admin_id.to_string());
    assert_eq!(d["pending_events"], 12);
    assert_eq!(d["sync_requirement"], json!({"state": "active"}));
    assert_eq!(d["clock_offset_s"], 0);
    assert!(d["last_full_sync_at"].as_str().unwrap() < d["last_contact_at"].as_str().unwrap());
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 5);

    // Roster changes move the version: a new link assignment reaches the tablet.
    let (status, _) = admin
        .call(reqwest::Method::PUT, &format!("/api/v1/employees/{}/links", seed.staff[0]), Some(json!({"link_ids": [seed.links[1]]})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = device.sync(&[], 0, Some(&version)).await;
    assert_ne!(body["roster"]["version"].as_str().unwrap(), version);
    let staff = body["roster"]["employees"].as_array().unwrap().iter().find(|e| e["number"] == "101").unwrap().clone();
    assert_eq!(staff["links"], json!([seed.links[1]]));
}

async fn unsigned_and_wrongly_signed_requests_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Sig AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let events = device.events(seed.staff[0], seed.links[0], 2);
    let body = serde_json::to_vec(&json!({"events": events, "pending_after": 0})).unwrap();
    let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);

    assert_error(&device.send("/api/v1/device/sync", &body, None).await, StatusCode::UNAUTHORIZED, "bad_signature");
    // Signed by another key.
    let (other, _) = shared_model::device_auth::DeviceKey::generate().unwrap();
    let sig = other.sign("POST", "/api/v1/device/sync", &ts, &body);
    let got = device.send("/api/v1/device/sync", &body, Some((device.id.to_string(), ts.clone(), sig))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    // Signed over another body.
    let sig = device.key.sign("POST", "/api/v1/device/sync", &ts, b"{}");
    let got = device.send("/api/v1/device/sync", &body, Some((device.id.to_string(), ts.clone(), sig))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    // An unknown device id, garbage headers.
    let sig = device.key.sign("POST", "/api/v1/device/sync", &ts, &body);
    let got = device.send("/api/v1/device/sync", &body, Some((uuid::Uuid::now_v7().to_string(), ts.clone(), sig.clone()))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    let got = device.send("/api/v1/device/sync", &body, Some((device.id.to_string(), "yesterday".into(), sig))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    let got = device.send("/api/v1/device/sync", &body, Some(("x".into(), ts.clone(), "!!".into()))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 0);
}

async fn a_replayed_request_changes_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Replay AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let events = device.events(seed.staff[0], seed.links[0], 2);
    let body = serde_json::to_vec(&json!({"events": events, "pending_after": 5})).unwrap();
    let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let (status, _) = device.signed_raw("/api/v1/device/sync", &body, &ts).await;
    assert_eq!(status, StatusCode::OK);
    // The tablet then syncs everything; a replay of the old request must not restore "5 pending".
    let (status, _) = device.sync(&[], 0, None).await;
    assert_eq!(status, StatusCode::OK);
    let replay = device.signed_raw("/api/v1/device/sync", &body, &ts).await;
    assert_error(&replay, StatusCode::UNAUTHORIZED, "bad_signature");
    let (_, list) = admin.get("/api/v1/devices").await;
    assert_eq!(list["items"][0]["pending_events"], 0);
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 2);
}

async fn a_clock_26_hours_off_is_answered_with_server_time_and_the_retry_succeeds(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Clock AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    device.clock_error = Duration::hours(26);
    let got = device.sync(&[], 0, None).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "clock_skew");
    let server_time: chrono::DateTime<Utc> = got.1["error"]["details"]["server_time"].as_str().unwrap().parse().unwrap();
    let learned = server_time - device.now(); // about −26 h
    assert!((learned + Duration::hours(26)).num_seconds().abs() < 60, "{learned}");
    // The registry already shows the skew the refused request revealed.
    let (_, list) = admin.get("/api/v1/devices").await;
    let offset = list["items"][0]["clock_offset_s"].as_i64().unwrap();
    assert!((offset - 26 * 3600).abs() < 60, "{offset}");
    // The tablet corrects its signing clock and stamps with corrected time, keeping its raw clock.
    let raw_error = device.clock_error;
    device.clock_error = raw_error + learned;
    let mut events = device.events(seed.staff[0], seed.links[0], 2);
    for e in &mut events {
        e.device_clock_at = e.occurred_at + raw_error;
    }
    let (status, body) = device.sync(&events, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = admin.get("/api/v1/devices").await;
    let offset = list["items"][0]["clock_offset_s"].as_i64().unwrap();
    assert_eq!(offset, 26 * 3600, "raw clock minus corrected time of the stamps");
}

async fn malformed_pages_are_refused_whole(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Bad AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;

    // An unknown field, at the top and inside an event.
    let ok = device.events(seed.staff[0], seed.links[0], 1);
    let got = device.signed("/api/v1/device/sync", &json!({"events": ok, "pending_after": 0, "admin": true})).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(got.1["error"]["message"].as_str().unwrap().contains("admin"), "{}", got.1);
    let mut e = serde_json::to_value(&ok[0]).unwrap();
    e["color"] = json!("red");
    let got = device.signed("/api/v1/device/sync", &json!({"events": [e], "pending_after": 0})).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");

    // 501 events.
    let many = device.events(seed.staff[0], seed.links[0], 501);
    let got = device.sync(&many, 0, None).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(got.1["error"]["message"].as_str().unwrap().contains("500"));

    // A start without a link, in a page with a good event: nothing stored.
    let mut page = device.events(seed.staff[0], seed.links[0], 2);
    let mut bad = page[0].clone();
    bad.id = uuid::Uuid::now_v7();
    bad.device_seq = 10_000;
    bad.link_id = None;
    page.push(bad);
    let got = device.sync(&page, 0, None).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");

    // Not JSON at all, and an empty body.
    let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_error(&device.signed_raw("/api/v1/device/sync", b"{\"events\": [", &ts).await, StatusCode::BAD_REQUEST, "invalid_request");
    let ts = (Utc::now() + Duration::milliseconds(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_error(&device.signed_raw("/api/v1/device/sync", b"", &ts).await, StatusCode::BAD_REQUEST, "invalid_request");

    // An oversized body is refused before it is read whole.
    let huge = vec![b' '; sync_server::api::MAX_BODY_BYTES + 10];
    let got = device.signed_raw("/api/v1/device/sync", &huge, &ts).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    assert_eq!(server.count_events(seed.org.id, "accepted").await, 0);
    // The page of 500 goes through.
    let (status, body) = device.sync(&many[..500], 1, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 500);
}

async fn conflicts_store_nothing_of_the_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Conflict AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let first = device.events(seed.staff[0], seed.links[0], 2);
    assert_eq!(device.sync(&first, 0, None).await.0, StatusCode::OK);

    // Same sequence, other id and content, alongside a new good event.
    let mut reuse = device.events(seed.staff[0], seed.links[0], 2);
    reuse[0].device_seq = first[0].device_seq;
    let got = device.sync(&reuse, 0, None).await;
    assert_error(&got, StatusCode::CONFLICT, "sequence_conflict");
    assert_eq!(got.1["error"]["details"]["device_seq"], first[0].device_seq);

    // Same id, other content.
    let mut changed = first[1].clone();
    changed.comment = Some("edited".into());
    let got = device.sync(&[changed], 0, None).await;
    assert_error(&got, StatusCode::CONFLICT, "event_conflict");

    // Two events of one page sharing a sequence number.
    let mut twins = device.events(seed.staff[0], seed.links[0], 2);
    twins[1].device_seq = twins[0].device_seq;
    assert_error(&device.sync(&twins, 0, None).await, StatusCode::CONFLICT, "sequence_conflict");

    assert_eq!(server.count_events(seed.org.id, "accepted").await, 2);
    // The same id twice in one page is a harmless duplicate.
    let fresh = device.events(seed.staff[0], seed.links[0], 1);
    let (status, body) = device.sync(&[fresh[0].clone(), fresh[0].clone()], 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["acked"], json!([fresh[0].id]));
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 3);
}

async fn references_of_another_organisation_are_refused_and_anomalies_flagged(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = server.seed("Ref A").await;
    let b = server.seed("Ref B").await;
    let admin = AdminClient::login(&server, &a.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let foreign_employee = device.events(b.staff[0], a.links[0], 1);
    assert_error(&device.sync(&foreign_employee, 0, None).await, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    let foreign_link = device.events(a.staff[0], b.links[0], 1);
    assert_error(&device.sync(&foreign_link, 0, None).await, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    assert_eq!(server.count_events(b.org.id, "accepted").await, 0);

    // A deactivated link and a link not assigned: stored and flagged, never refused.
    let (status, _) = admin.call(reqwest::Method::PATCH, &format!("/api/v1/links/{}", a.links[1]), Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin
        .call(reqwest::Method::PUT, &format!("/api/v1/employees/{}/links", a.staff[1]), Some(json!({"link_ids": []})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut page = device.events(a.staff[0], a.links[1], 1);
    page.extend(device.events(a.staff[1], a.links[0], 1));
    let (status, body) = device.sync(&page, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(server.count_events(a.org.id, "accepted").await, 2);
}

async fn enrolment_codes_are_single_use_and_expire(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Enrol AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let code = admin.enrolment_code().await;
    assert!(code.len() == 9 && code.as_bytes()[4] == b'-', "{code}");
    let http = reqwest::Client::new();
    let (key, _) = shared_model::device_auth::DeviceKey::generate().unwrap();
    let enrol = |code: String, pk: String| {
        let http = http.clone();
        let url = server.url("/api/v1/device/enrol");
        async move {
            let r = http
                .post(url)
                .json(&json!({"enrolment_code": code, "public_key": pk, "platform": "test", "app_version": "0.1.0"}))
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Typed in lower case with spaces: still the code.
    let typed = code.to_lowercase().replace('-', " - ");
    let (status, body) = enrol(typed, key.public_key_b64()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["organisation"]["time_zone"], "Europe/Stockholm");
    assert_eq!(body["sync_interval_s"], 300);
    assert!(body["server_time"].is_string());
    assert_error(&enrol(code.clone(), key.public_key_b64()).await, StatusCode::GONE, "enrolment_code_expired");
    assert_error(&enrol("ZZZZ-ZZZZ".into(), key.public_key_b64()).await, StatusCode::NOT_FOUND, "unknown_enrolment_code");
    // An expired code: the server's clock moves past its 15 minutes.
    let late = admin.enrolment_code().await;
    server.clock.advance(Duration::minutes(16));
    assert_error(&enrol(late, key.public_key_b64()).await, StatusCode::GONE, "enrolment_code_expired");
    // A malformed public key.
    server.clock.advance(Duration::minutes(-16));
    let fresh = admin.enrolment_code().await;
    assert_error(&enrol(fresh.clone(), "AAAA".into()).await, StatusCode::BAD_REQUEST, "invalid_request");
    // ... and the refused request did not use the code up.
    assert_eq!(enrol(fresh, key.public_key_b64()).await.0, StatusCode::CREATED);
    // Codes are for admins only.
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    assert_error(&manager.post("/api/v1/enrolment-codes", json!({})).await, StatusCode::FORBIDDEN, "forbidden");
}

async fn fifty_devices_sync_at_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Fleet AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut devices = Vec::new();
    for _ in 0..50 {
        devices.push(TestDevice::enrol(&server, &admin.enrolment_code().await).await);
    }
    let tasks = devices.into_iter().enumerate().map(|(i, mut d)| {
        let employee = seed.staff[i % 2];
        let link = seed.links[i % 2];
        tokio::spawn(async move {
            let events = d.events(employee, link, 20);
            let (status, body) = d.sync(&events, 0, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["acked"].as_array().unwrap().len(), 20);
            // A duplicate delivery of the same page, concurrently with the others.
            let (status, _) = d.sync(&events, 0, None).await;
            assert_eq!(status, StatusCode::OK);
        })
    });
    for t in futures::future::join_all(tasks).await {
        t.unwrap();
    }
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 1000);
    let (_, list) = admin.get("/api/v1/devices?limit=1000").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(items.iter().all(|d| d["last_full_sync_at"].is_string()));
    // Pagination walks all 50 in pages of 20.
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/devices?limit=20&cursor={c}"),
            None => "/api/v1/devices?limit=20".into(),
        };
        let (_, page) = admin.get(&path).await;
        seen += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 50);
}
