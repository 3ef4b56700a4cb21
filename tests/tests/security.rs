//! The holes an outside probe found (issue 10), each proven closed over real HTTP on both
//! databases: idle and slow connections, a manager setting passwords, a re-padded replay, a
//! silently dropped event version, sessions outliving a password change, racing throttles and
//! blocking hashing, world-readable files, error answers without the error body, and a payroll
//! run for a month that has not ended.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, FixedOffset, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use stampclock_tests::admin::assert_error;
use stampclock_tests::server::PASSWORD;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};
use sync_server::serve::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

both_databases!(
    idle_and_stalled_connections_are_cut_off_while_health_answers,
    the_connection_cap_holds_new_connections_until_one_closes,
    a_manager_cannot_set_web_logins_and_credential_changes_are_audited,
    a_re_padded_signature_is_not_a_new_request,
    one_id_twice_in_a_page_is_stored_once_or_refused_whole,
    a_new_password_ends_the_other_sessions,
    parallel_wrong_logins_are_counted_before_they_are_checked,
    parallel_wrong_enrolment_codes_are_counted_before_they_are_checked,
    hashing_passwords_does_not_stall_health,
    the_data_directory_and_its_files_are_private,
    every_error_answer_has_the_error_body,
    a_month_that_has_not_ended_cannot_be_run,
);

/// Lets one test process hold a few hundred sockets on each side.
fn raise_open_files_limit() {
    let _ = rlimit::increase_nofile_limit(8192);
}

/// Reads until the server closes the connection (or `limit` passes); answers what was read and
/// whether the server closed it.
async fn read_until_closed(stream: &mut TcpStream, limit: StdDuration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0_u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn idle_and_stalled_connections_are_cut_off_while_health_answers(backend: Backend) {
    raise_open_files_limit();
    let limits = ConnectionLimits {
        max_connections: 2000,
        header_timeout: StdDuration::from_secs(2),
        body_timeout: StdDuration::from_secs(2),
    };
    let server = TestServer::start_with_limits(backend, limits).await;
    // 100 connections that send nothing, 100 that stop halfway through their headers, 100 that
    // stall mid-body.
    let mut silent = Vec::new();
    let mut half_headers = Vec::new();
    let mut mid_body = Vec::new();
    for _ in 0..100 {
        silent.push(TcpStream::connect(server.addr).await.unwrap());
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"POST /api/v1/device/sync HTTP/1.1\r\nHost: x\r\nContent-Ty").await.unwrap();
        half_headers.push(s);
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"POST /api/v1/links HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"pro")
            .await
            .unwrap();
        mid_body.push(s);
    }
    // A keep-alive connection that made one request and then idles.
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut first = [0_u8; 12];
    kept.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // While all of them are held open, health answers.
    for _ in 0..50 {
        if server.open_connections.get() >= 300 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    assert!(server.open_connections.get() >= 300, "the idle connections are open: {}", server.open_connections.get());
    let (status, body) = AdminClient::anonymous(&server).get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Then the server cuts every one of them off; the stalled bodies get a 408 with the body.
    let generous = StdDuration::from_secs(30);
    for mut s in silent.into_iter().chain(half_headers) {
        let (_, closed) = read_until_closed(&mut s, generous).await;
        assert!(closed, "a connection without a complete request head was left open");
    }
    for mut s in mid_body {
        let (text, closed) = read_until_closed(&mut s, generous).await;
        assert!(closed, "a connection stalled mid-body was left open");
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("\"request_timeout\""), "{text}");
    }
    let (_, closed) = read_until_closed(&mut kept, generous).await;
    assert!(closed, "an idle keep-alive connection was left open");
    for _ in 0..100 {
        if server.open_connections.get() == 0 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(server.open_connections.get(), 0);
}

async fn the_connection_cap_holds_new_connections_until_one_closes(backend: Backend) {
    let limits = ConnectionLimits {
        max_connections: 5,
        header_timeout: StdDuration::from_secs(2),
        body_timeout: StdDuration::from_secs(2),
    };
    let server = TestServer::start_with_limits(backend, limits).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(TcpStream::connect(server.addr).await.unwrap());
    }
    for _ in 0..50 {
        if server.open_connections.get() == 5 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    assert_eq!(server.open_connections.get(), 5);
    // A sixth connection waits in the backlog: not served while the five are open …
    let url = server.url("/api/v1/health");
    let health = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert!(!health.is_finished(), "a connection past the cap was served");
    assert!(server.open_connections.get() <= 5, "the cap was exceeded");
    // … and served once the header timeout has closed the idle ones.
    let status = tokio::time::timeout(StdDuration::from_secs(30), health).await.expect("served in time").unwrap().unwrap();
    assert_eq!(status, StatusCode::OK);
}

async fn a_manager_cannot_set_web_logins_and_credential_changes_are_audited(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Logins AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    // A second manager to attack.
    let (status, other) = admin
        .post("/api/v1/employees", json!({"name": "Other Manager", "role": "manager", "username": "other.manager", "password": "first password 1"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other_id = other["id"].as_str().unwrap().to_owned();
    for body in [json!({"password": "planted password 1"}), json!({"username": "taken.over"}), json!({"name": "X", "password": "planted password 1"})] {
        let got = manager.call(Method::PATCH, &format!("/api/v1/employees/{other_id}"), Some(body)).await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_authorised");
    }
    // The planted password does not log in; the real one still does.
    let mut probe = AdminClient::anonymous(&server);
    assert_error(&probe.try_login("other.manager", "planted password 1").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(probe.try_login("other.manager", "first password 1").await.0, StatusCode::OK);
    // Nor can a manager plant a new login, of any role.
    let (_, before) = admin.get("/api/v1/employees").await;
    for role in ["manager", "employee", "team_lead"] {
        let got = manager
            .post("/api/v1/employees", json!({"name": "Plant", "number": "900", "role": role, "username": "plant", "password": "planted password 1"}))
            .await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_authorised");
    }
    let (_, after) = admin.get("/api/v1/employees").await;
    assert_eq!(before["items"].as_array().unwrap().len(), after["items"].as_array().unwrap().len(), "nothing was created");
    // Managers still manage staff who stamp (number and PIN).
    let (status, staff) = manager.post("/api/v1/employees", json!({"name": "Staff", "number": "901", "pin": "4321"})).await;
    assert_eq!(status, StatusCode::CREATED, "{staff}");
    // Every credential change is audited: who, whose, which fields, never the secret.
    let (status, _) = admin.call(Method::PATCH, &format!("/api/v1/employees/{other_id}"), Some(json!({"password": "second password 2"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, audit) = admin.get("/api/v1/audit?kind=credentials_changed").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let items = audit["items"].as_array().unwrap();
    let text = audit.to_string();
    assert!(!text.contains("password 1") && !text.contains("password 2") && !text.contains("4321"), "a secret in the audit log: {text}");
    let changed = items
        .iter()
        .find(|i| i["subject"] == other_id.as_str() && i["details"]["fields"] == json!(["password"]))
        .unwrap_or_else(|| panic!("no audit row of the password change: {text}"));
    assert_eq!(changed["by"]["id"], seed.admin_id.to_string());
    let created = items
        .iter()
        .find(|i| i["subject"] == other_id.as_str() && i["details"]["fields"] == json!(["username", "password"]))
        .unwrap_or_else(|| panic!("no audit row of the login created with the person: {text}"));
    assert_eq!(created["by"]["id"], seed.admin_id.to_string());
    let staff_id = staff["id"].as_str().unwrap();
    let pin = items.iter().find(|i| i["subject"] == staff_id).unwrap_or_else(|| panic!("no audit row of the PIN: {text}"));
    assert_eq!(pin["details"]["fields"], json!(["pin"]));
    assert_eq!(pin["by"]["id"], seed.manager_id.to_string());
}

async fn a_re_padded_signature_is_not_a_new_request(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Replay AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    // The captured request: a full sync (nothing pending).
    let path = "/api/v1/device/sync";
    let captured = serde_json::to_vec(&json!({"events": [], "pending_after": 0, "oldest_pending_at": null, "roster_version": null})).unwrap();
    let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let sig = device.key.sign("POST", path, &ts, &captured);
    let device_id = device.id.to_string();
    let headers = |s: &str| Some((device_id.clone(), ts.clone(), s.to_owned()));
    assert_eq!(device.send(path, &captured, headers(&sig)).await.0, StatusCode::OK);
    // Later the tablet holds stamps it has not sent yet.
    let events = device.events(seed.staff[0], seed.links[0], 2);
    let (status, body) = device.sync(&events[..1], 7, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The captured request again, its signature spelled with padding or otherwise: refused.
    for spelling in [format!("{sig}="), format!("{sig}=="), format!("{sig}%3D"), format!("{sig} ")] {
        let got = device.send(path, &captured, headers(&spelling)).await;
        assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    }
    assert_error(&device.send(path, &captured, headers(&sig)).await, StatusCode::UNAUTHORIZED, "bad_signature");
    // A fresh request with a padded signature is refused as well: one canonical form.
    let ts2 = (Utc::now() + Duration::milliseconds(5)).to_rfc3339_opts(SecondsFormat::Micros, true);
    let sig2 = device.key.sign("POST", path, &ts2, &captured);
    let got = device.send(path, &captured, Some((device.id.to_string(), ts2, format!("{sig2}=")))).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "bad_signature");
    // The registry still says stamps are waiting on the tablet: the gate stays shut.
    let (_, devices) = admin.get("/api/v1/devices").await;
    let d = devices["items"].as_array().unwrap().iter().find(|d| d["id"] == device.id.to_string()).unwrap().clone();
    assert_eq!(d["pending_events"], 7, "{d}");
}

async fn one_id_twice_in_a_page_is_stored_once_or_refused_whole(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Twice AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let mut device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let events = device.events(seed.staff[0], seed.links[0], 3);
    // The same id twice with different content: 409, nothing of the page stored.
    let mut changed = events[1].clone();
    changed.comment = Some("a second version".into());
    let page = vec![events[0].clone(), events[1].clone(), changed, events[2].clone()];
    let got = device.sync(&page, 0, None).await;
    assert_error(&got, StatusCode::CONFLICT, "event_conflict");
    assert_eq!(got.1["error"]["details"]["event_id"], events[1].id.to_string());
    // Only the offset differs (the same instant): still another version.
    let mut shifted = events[1].clone();
    shifted.occurred_at = shifted.occurred_at.with_timezone(&FixedOffset::east_opt(7200).unwrap());
    let got = device.sync(&[events[1].clone(), shifted], 0, None).await;
    assert_error(&got, StatusCode::CONFLICT, "event_conflict");
    // One device_seq under two ids: 409 sequence_conflict.
    let mut other_id = events[2].clone();
    other_id.id = uuid::Uuid::now_v7();
    let got = device.sync(&[events[2].clone(), other_id], 0, None).await;
    assert_error(&got, StatusCode::CONFLICT, "sequence_conflict");
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 0, "nothing stored");
    // The same id twice with the same content is stored once and acknowledged.
    let page = vec![events[0].clone(), events[0].clone(), events[1].clone(), events[2].clone()];
    let (status, body) = device.sync(&page, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let acked: Vec<&str> = body["acked"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for e in &events {
        assert!(acked.contains(&e.id.to_string().as_str()), "{e:?} acked");
    }
    assert_eq!(server.count_events(seed.org.id, "accepted").await, 3);
}

async fn a_new_password_ends_the_other_sessions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Sessions AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let on_phone = AdminClient::login(&server, &seed.employee_username).await;
    let on_laptop = AdminClient::login(&server, &seed.employee_username).await;
    assert_eq!(on_phone.get("/api/v1/auth/me").await.0, StatusCode::OK);
    // An admin gives the employee a new password: both of the employee's sessions end.
    let path = format!("/api/v1/employees/{}", seed.employee_id);
    let (status, body) = admin.call(Method::PATCH, &path, Some(json!({"password": "a brand new password"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for c in [&on_phone, &on_laptop] {
        assert_error(&c.get("/api/v1/auth/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    // The admin's own change of their own password keeps the session that made it, and ends
    // their other one.
    let elsewhere = AdminClient::login(&server, &seed.admin_username).await;
    let path = format!("/api/v1/employees/{}", seed.admin_id);
    let (status, body) = admin.call(Method::PATCH, &path, Some(json!({"password": "the admin's new password"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(admin.get("/api/v1/auth/me").await.0, StatusCode::OK);
    assert_error(&elsewhere.get("/api/v1/auth/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    // A change that is not a password leaves sessions alone.
    let keep = AdminClient::login(&server, &seed.manager_username).await;
    let path = format!("/api/v1/employees/{}", seed.manager_id);
    assert_eq!(admin.call(Method::PATCH, &path, Some(json!({"name": "Renamed"}))).await.0, StatusCode::OK);
    assert_eq!(keep.get("/api/v1/auth/me").await.0, StatusCode::OK);
    let mut fresh = AdminClient::anonymous(&server);
    assert_error(&fresh.try_login(&seed.employee_username, PASSWORD).await, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(fresh.try_login(&seed.employee_username, "a brand new password").await.0, StatusCode::OK);
}

/// A client whose requests leave from `local` (another loopback address is another client).
fn client_from(local: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from(local)).build().unwrap()
}

async fn login_from(http: &reqwest::Client, server: &TestServer, username: &str, password: &str) -> (StatusCode, Value) {
    let resp = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn parallel_wrong_logins_are_counted_before_they_are_checked(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let seed = server.seed("Race AB").await;
    let attacker = client_from([127, 0, 0, 1]);
    let tries = (0..60).map(|_| {
        let (server, http, user) = (Arc::clone(&server), attacker.clone(), seed.admin_username.clone());
        tokio::spawn(async move { login_from(&http, &server, &user, "wrong password!").await.0 })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(evaluated, 5, "exactly five of 60 parallel attempts may be checked: {statuses:?}");
    assert_eq!(refused, 55);
    // The attacker's address stays refused for this user, even with the right password.
    assert_eq!(login_from(&attacker, &server, &seed.admin_username, PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    // The admin at another address is slowed down (a delay that grows), never locked out.
    let owner = client_from([127, 0, 0, 2]);
    let mut waited_s = 0;
    loop {
        let (status, body) = login_from(&owner, &server, &seed.admin_username, PASSWORD).await;
        if status == StatusCode::OK {
            break;
        }
        assert_error(&(status, body.clone()), StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        let retry = body["error"]["details"]["retry_after_s"].as_i64().unwrap();
        assert!((1..=60).contains(&retry), "a per-user delay of at most a minute, not a lockout: {retry}");
        waited_s += retry;
        assert!(waited_s <= 120, "the account's owner waited {waited_s} s");
        server.clock.advance(Duration::seconds(retry));
    }
}

async fn parallel_wrong_enrolment_codes_are_counted_before_they_are_checked(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let seed = server.seed("Codes AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let tries = (0..40).map(|i| {
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            let (key, _) = shared_model::device_auth::DeviceKey::generate().unwrap();
            let resp = reqwest::Client::new()
                .post(server.url("/api/v1/device/enrol"))
                .json(&json!({"enrolment_code": format!("WRNG-{i:04}"), "public_key": key.public_key_b64(),
                              "platform": "probe", "app_version": "0"}))
                .send()
                .await
                .unwrap();
            resp.status()
        })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 30);
    // A right code from another address is not held up by it; a right code is not counted.
    let code = admin.enrolment_code().await;
    let (key, _) = shared_model::device_auth::DeviceKey::generate().unwrap();
    let resp = client_from([127, 0, 0, 3])
        .post(server.url("/api/v1/device/enrol"))
        .json(&json!({"enrolment_code": code, "public_key": key.public_key_b64(), "platform": "tablet", "app_version": "0.1.0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}

async fn hashing_passwords_does_not_stall_health(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let _seed = server.seed("Hashing AB").await;
    // 30 failed logins for 30 unknown users from 30 addresses: each costs a full PBKDF2 check.
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let logins: Vec<_> = (0..30_u8)
        .map(|i| {
            let (server, done) = (Arc::clone(&server), Arc::clone(&done));
            tokio::spawn(async move {
                let got = login_from(&client_from([127, 0, 1, i + 1]), &server, &format!("nobody-{i}"), "wrong password!").await;
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                got.0
            })
        })
        .collect();
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    // Health answers while most of that work is still queued: it never waits behind hashing.
    let (status, _) = AdminClient::anonymous(&server).get("/api/v1/health").await;
    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(status, StatusCode::OK);
    assert!(finished < 15, "health answered only after {finished} of 30 password checks had finished");
    for l in logins {
        assert_eq!(l.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).mode() & 0o777
}

#[cfg(unix)]
async fn the_data_directory_and_its_files_are_private(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let db = stampclock_tests::backend::TestDb::create(backend).await;
    let data_dir = db.dir.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let settings = sync_server::config::Settings {
        data_dir: data_dir.clone(),
        database_url: (backend == Backend::Postgres).then(|| db.url.clone()),
        ..Default::default()
    };
    let state = sync_server::build_state(&settings, sync_server::clock::Clock::default()).await.unwrap();
    // Something written, so the WAL and shared-memory files exist.
    let mut tx = state.store.begin().await.unwrap();
    sync_server::store::organisations::create(&mut tx, "Modes AB", "Europe/Stockholm", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    sync_server::demo::fill(&state, &data_dir).await.unwrap();
    assert_eq!(mode(&data_dir), 0o700, "data directory");
    let mut files = vec!["personnummer.key", "demo-enrolment-code.txt", "demo-restaurant-enrolment-code.txt"];
    if backend == Backend::Sqlite {
        files.extend(["stampclock.db", "stampclock.db-wal", "stampclock.db-shm"]);
    }
    for f in files {
        assert_eq!(mode(&data_dir.join(f)), 0o600, "{f}");
    }
    for entry in std::fs::read_dir(&data_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path) & 0o077, 0, "{} is readable by others", path.display());
    }
}

async fn every_error_answer_has_the_error_body(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Bodies AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let http = reqwest::Client::new();
    let cases: Vec<(Method, &str, StatusCode, &str)> = vec![
        (Method::GET, "/api/v1/device/sync", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (Method::OPTIONS, "/api/v1/employees", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (Method::DELETE, "/api/v1/health", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (Method::GET, "/ui/%FF", StatusCode::BAD_REQUEST, "invalid_request"),
        (Method::GET, "/ui/no-such-file.js", StatusCode::NOT_FOUND, "not_found"),
        (Method::GET, "/i18n/xx.json", StatusCode::NOT_FOUND, "not_found"),
        (Method::PATCH, "/api/v1/employees/%FF", StatusCode::BAD_REQUEST, "invalid_request"),
    ];
    for (method, path, status, code) in cases {
        let mut req = http.request(method.clone(), server.url(path));
        if let (Some(c), Some(t)) = (&admin.cookie, &admin.csrf) {
            req = req.header("cookie", c).header("x-csrf-token", t);
        }
        let resp = req.send().await.unwrap();
        let got_status = resp.status();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let allow = resp.headers().get("allow").is_some();
        let text = resp.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text:?}"));
        assert!(content_type.starts_with("application/json"), "{method} {path}: {content_type}");
        assert_error(&(got_status, body), status, code);
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(allow, "{method} {path}: a 405 names the allowed methods");
        }
    }
}

async fn a_month_that_has_not_ended_cannot_be_run(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Not ended AB").await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let tz: chrono_tz::Tz = "Europe/Stockholm".parse().unwrap();
    let open = shared_model::PayPeriod::containing(server.clock.now(), tz).to_string();
    // Without tablets, and for a month far ahead: refused, nothing locked.
    for period in [open.as_str(), "2099-12"] {
        let got = manager.post("/api/v1/payroll-runs", json!({"period": period})).await;
        assert_error(&got, StatusCode::CONFLICT, "period_not_ended");
        assert!(got.1["error"]["details"]["period_end"].is_string());
        let (_, check) = manager.get(&format!("/api/v1/payroll-runs/check?period={period}")).await;
        assert_eq!((check["ended"].clone(), check["ready"].clone(), check["locked"].clone()), (json!(false), json!(false), json!(false)));
    }
    // With a tablet that blocks the run, the answer is still "not ended", not "sync the tablets".
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let _device = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    assert_error(&manager.post("/api/v1/payroll-runs", json!({"period": open})).await, StatusCode::CONFLICT, "period_not_ended");
    // `period_locked` is checked first.
    let period: shared_model::PayPeriod = open.parse().unwrap();
    let mut tx = server.state.store.begin().await.unwrap();
    sync_server::store::locks::run_payroll(&mut tx, seed.org.id, period, seed.manager_id, server.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_error(&manager.post("/api/v1/payroll-runs", json!({"period": open})).await, StatusCode::CONFLICT, "period_locked");
    // Once the month is over the gate speaks of the tablets again.
    let next = shared_model::PayPeriod::containing(server.clock.now(), tz).next();
    server.clock.advance(next.end(tz) - server.clock.now() + Duration::minutes(1));
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let got = manager.post("/api/v1/payroll-runs", json!({"period": next.to_string()})).await;
    assert_error(&got, StatusCode::CONFLICT, "devices_not_synced");
}
