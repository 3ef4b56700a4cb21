//! The admin API over real HTTP on both databases: sessions, CSRF, throttling, roles, people,
//! links, and tenant isolation on every endpoint.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestServer};

both_databases!(
    sessions_need_csrf_and_end_at_logout,
    login_is_throttled_after_five_failures,
    roles_are_enforced,
    people_and_links_are_validated,
    tenant_isolation_on_every_endpoint,
    health_and_openapi_answer,
    an_employee_reads_their_own_links_with_names,
);

async fn sessions_need_csrf_and_end_at_logout(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Session AB").await;
    let anon = AdminClient::anonymous(&server);
    assert_error(&anon.get("/api/v1/devices").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    let mut admin = AdminClient::login(&server, &seed.admin_username).await;
    let (status, me) = admin.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["csrf_token"], admin.csrf.clone().unwrap());
    // A state change without the CSRF token is refused.
    let token = admin.csrf.take();
    assert_error(&admin.post("/api/v1/links", json!({"project": "P", "account": "A"})).await, StatusCode::FORBIDDEN, "csrf_failed");
    admin.csrf = Some("forged".into());
    assert_error(&admin.post("/api/v1/links", json!({"project": "P", "account": "A"})).await, StatusCode::FORBIDDEN, "csrf_failed");
    admin.csrf = token;
    assert_eq!(admin.post("/api/v1/links", json!({"project": "P", "account": "A"})).await.0, StatusCode::CREATED);
    // Logout ends the session for good.
    assert_eq!(admin.post("/api/v1/auth/logout", json!({})).await.0, StatusCode::NO_CONTENT);
    assert_error(&admin.get("/api/v1/devices").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    // A session expires with time.
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    server.clock.advance(chrono::Duration::hours(13));
    assert_error(&admin.get("/api/v1/devices").await, StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn login_is_throttled_after_five_failures(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Throttle AB").await;
    let mut c = AdminClient::anonymous(&server);
    assert_error(&c.try_login("nobody", "whatever-password").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    for _ in 0..5 {
        assert_error(&c.try_login(&seed.admin_username, "wrong password!").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    // The sixth attempt is refused even with the right password.
    let got = c.try_login(&seed.admin_username, stampclock_tests::server::PASSWORD).await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(got.1["error"]["details"]["retry_after_s"].as_i64().unwrap() > 0);
    // Another user is not locked out by it; after the window the right password works.
    assert_eq!(c.try_login(&seed.manager_username, stampclock_tests::server::PASSWORD).await.0, StatusCode::OK);
    server.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(c.try_login(&seed.admin_username, stampclock_tests::server::PASSWORD).await.0, StatusCode::OK);
}

/// Every admin-API endpoint of this server with a valid body.
fn endpoints(seed: &stampclock_tests::Seed) -> Vec<(Method, String, Option<Value>)> {
    let e = seed.staff[0];
    let l = seed.links[0];
    vec![
        (Method::GET, "/api/v1/employees".into(), None),
        (Method::POST, "/api/v1/employees".into(), Some(json!({"number": uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(), "name": "New", "pin": "1234"}))),
        (Method::PATCH, format!("/api/v1/employees/{e}"), Some(json!({"name": "Renamed"}))),
        (Method::PUT, format!("/api/v1/employees/{e}/links"), Some(json!({"link_ids": [l]}))),
        (Method::GET, "/api/v1/links".into(), None),
        (Method::POST, "/api/v1/links".into(), Some(json!({"project": format!("P{}", uuid::Uuid::new_v4().simple()), "account": "A"}))),
        (Method::PATCH, format!("/api/v1/links/{l}"), Some(json!({"active": true}))),
        (Method::GET, "/api/v1/devices".into(), None),
        (Method::POST, "/api/v1/enrolment-codes".into(), Some(json!({"expires_in_s": 600}))),
    ]
}

async fn roles_are_enforced(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Roles AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    for i in 0..endpoints(&seed).len() {
        let (method, path, body) = endpoints(&seed).swap_remove(i);
        let admin_only = path.contains("enrolment-codes");
        let got = admin.call(method.clone(), &path, body.clone()).await;
        assert!(got.0.is_success(), "admin {method} {path}: {got:?}");
        let (method, path, body) = endpoints(&seed).swap_remove(i);
        let got = manager.call(method.clone(), &path, body.clone()).await;
        if admin_only {
            assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
        } else {
            assert!(got.0.is_success(), "manager {method} {path}: {got:?}");
        }
        assert_error(&employee.call(method.clone(), &path, body.clone()).await, StatusCode::FORBIDDEN, "forbidden");
    }
    // A manager may not create an admin, nor change one.
    let got = manager.post("/api/v1/employees", json!({"number": "900", "name": "Sneaky", "role": "admin"})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = manager.call(Method::PATCH, &format!("/api/v1/employees/{}", seed.admin_id), Some(json!({"active": false}))).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    // A deactivated user's session ends.
    let got = admin.call(Method::PATCH, &format!("/api/v1/employees/{}", seed.employee_id), Some(json!({"active": false}))).await;
    assert_eq!(got.0, StatusCode::OK, "{:?}", got.1);
    assert_error(&employee.get("/api/v1/auth/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn people_and_links_are_validated(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("People AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let (status, created) = admin
        .post("/api/v1/employees", json!({"number": "555", "name": "Eva", "pin": "4321", "personnummer": "640823-3234"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["personnummer_last4"], "3234");
    assert!(created.get("personnummer").is_none() && created.get("pin").is_none() && created.get("pin_hash").is_none());
    let cases = [
        (json!({"number": "555", "name": "Dup"}), StatusCode::CONFLICT, "already_exists"),
        (json!({"number": "556", "name": "Bad", "personnummer": "640823-3235"}), StatusCode::BAD_REQUEST, "invalid_personnummer"),
        (json!({"number": "557", "name": "Bad", "pin": "12"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "558", "name": "Bad", "pin": "12ab"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "559"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "560", "name": "X", "role": "root"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "561", "name": "X", "salary": 1}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "562", "name": "X", "username": "x", "password": "short"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!({"number": "", "name": "X"}), StatusCode::BAD_REQUEST, "invalid_request"),
        (json!("not an object"), StatusCode::BAD_REQUEST, "invalid_request"),
    ];
    for (body, status, code) in cases {
        let got = admin.post("/api/v1/employees", body.clone()).await;
        assert_error(&got, status, code);
    }
    // Nothing of the refused requests was stored.
    let (_, list) = admin.get("/api/v1/employees?limit=1000").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 6);
    // Links: duplicates and foreign ids.
    assert_error(&admin.post("/api/v1/links", json!({"project": "Alfa", "account": "Montage"})).await, StatusCode::CONFLICT, "already_exists");
    assert_error(&admin.post("/api/v1/links", json!({"project": "Alfa"})).await, StatusCode::BAD_REQUEST, "invalid_request");
    let got = admin
        .call(Method::PUT, &format!("/api/v1/employees/{}/links", created["id"].as_str().unwrap()), Some(json!({"link_ids": [uuid::Uuid::now_v7()]})))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    // Bad query strings and ids.
    assert_error(&admin.get("/api/v1/employees?limit=0").await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&admin.get("/api/v1/employees?limit=1001").await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&admin.get("/api/v1/employees?cursor=xyz").await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_error(&admin.call(Method::PATCH, "/api/v1/employees/not-a-uuid", Some(json!({}))).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&admin.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND, "not_found");
    // A new PIN reaches the roster hash, and the person can be renamed.
    let id = created["id"].as_str().unwrap();
    let (status, patched) = admin.call(Method::PATCH, &format!("/api/v1/employees/{id}"), Some(json!({"name": "Eva E.", "pin": "9999"}))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let roster = server.roster(seed.org.id).await;
    let eva = roster.employees.iter().find(|e| e.number == "555").unwrap();
    assert_eq!(eva.name, "Eva E.");
    assert!(shared_model::secret_hash::verify("9999", eva.pin_hash.as_deref().unwrap()).unwrap());
}

async fn tenant_isolation_on_every_endpoint(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = server.seed("Tenant A").await;
    let b = server.seed("Tenant B").await;
    let admin_b = AdminClient::login(&server, &b.admin_username).await;
    let admin_a = AdminClient::login(&server, &a.admin_username).await;
    let code = admin_a.enrolment_code().await;
    let _device = stampclock_tests::TestDevice::enrol(&server, &code).await;
    // B's lists never contain A's rows.
    let a_ids: Vec<String> = [a.admin_id, a.manager_id, a.employee_id, a.staff[0], a.staff[1], a.links[0], a.links[1]]
        .iter()
        .map(|i| i.to_string())
        .collect();
    for path in ["/api/v1/employees?limit=1000", "/api/v1/links?limit=1000", "/api/v1/devices?limit=1000"] {
        let (status, body) = admin_b.get(path).await;
        assert_eq!(status, StatusCode::OK);
        let text = body.to_string();
        for id in &a_ids {
            assert!(!text.contains(id.as_str()), "{path} leaks {id}");
        }
    }
    let (_, devices) = admin_b.get("/api/v1/devices").await;
    assert_eq!(devices["items"].as_array().unwrap().len(), 0);
    // B cannot change A's people or links, nor assign A's links.
    let attempts = [
        (Method::PATCH, format!("/api/v1/employees/{}", a.staff[0]), json!({"name": "Hijacked"})),
        (Method::PUT, format!("/api/v1/employees/{}/links", a.staff[0]), json!({"link_ids": []})),
        (Method::PATCH, format!("/api/v1/links/{}", a.links[0]), json!({"active": false})),
    ];
    for (method, path, body) in attempts {
        assert_error(&admin_b.call(method, &path, Some(body)).await, StatusCode::NOT_FOUND, "not_found");
    }
    let got = admin_b
        .call(Method::PUT, &format!("/api/v1/employees/{}/links", b.staff[0]), Some(json!({"link_ids": [a.links[0]]})))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference");
    // A's data is untouched.
    let roster = server.roster(a.org.id).await;
    assert!(roster.employees.iter().all(|e| !e.name.contains("Hijacked")));
    assert!(roster.links.iter().all(|l| l.active));
    assert_eq!(roster.employees.iter().find(|e| e.id == a.staff[0]).unwrap().links.len(), 2);
    // Employee numbers are unique per organisation only.
    let (status, _) = admin_b.post("/api/v1/employees", json!({"number": "101", "name": "Same number, other org"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "101 exists in B itself");
    let (status, _) = admin_b.post("/api/v1/employees", json!({"number": "7001", "name": "B person"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = admin_a.post("/api/v1/employees", json!({"number": "7001", "name": "A person"})).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn health_and_openapi_answer(backend: Backend) {
    let server = TestServer::start(backend).await;
    let anon = AdminClient::anonymous(&server);
    let (status, health) = anon.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health, json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": "ok"}));
    let (status, doc) = anon.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/device/enrol", "/api/v1/device/sync", "/api/v1/devices", "/api/v1/employees", "/api/v1/employees/{id}/links",
                 "/api/v1/links", "/api/v1/enrolment-codes", "/api/v1/auth/login", "/api/v1/health",
                 "/api/v1/device/uninstall", "/api/v1/devices/{id}", "/api/v1/devices/{id}/sync-requirement",
                 "/api/v1/devices/{id}/history", "/api/v1/quarantine", "/api/v1/quarantine/{event_id}/accept",
                 "/api/v1/payroll-runs/check", "/api/v1/payroll-runs", "/api/v1/periods/{period}/unlock", "/api/v1/audit"] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"].get("PunchEvent").is_some());
    assert_openapi_is_a_contract(&doc);
}

/// What openapi-spec-validator and code generators need, and what the fuzz step relies on:
/// unique operation ids, path parameters only where the path has their placeholder, the error
/// body on every error answer, declared security with the session answers, and security schemes.
fn assert_openapi_is_a_contract(doc: &Value) {
    let schemes = doc["components"]["securitySchemes"].as_object().expect("securitySchemes");
    assert_eq!(schemes["session"], json!({"type": "apiKey", "in": "cookie", "name": "stampclock_session",
        "description": schemes["session"]["description"]}));
    for (name, header) in [("csrf", "X-CSRF-Token"), ("device_id", "X-Device-Id"), ("device_timestamp", "X-Timestamp"), ("device_signature", "X-Signature")] {
        assert_eq!(schemes[name]["in"], "header", "{name}");
        assert_eq!(schemes[name]["name"], header, "{name}");
    }
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{what}: no operationId"));
            assert!(ids.insert(id.to_owned()), "{what}: operationId {id} is not unique");
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => assert!(path.contains(&format!("{{{name}}}")), "{what}: path parameter {name} without placeholder"),
                    "query" => {}
                    other => panic!("{what}: parameter {name} in {other}; signatures and sessions are security schemes"),
                }
            }
            let responses = op["responses"].as_object().unwrap();
            for (status, r) in responses {
                if status.starts_with('4') || (status.starts_with('5') && status != "503") {
                    assert_eq!(r["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody", "{what} {status}");
                    assert!(r["description"].as_str().unwrap().contains('`'), "{what} {status}: the description names no code");
                }
            }
            let security: Vec<&str> = op["security"].as_array().into_iter().flatten()
                .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str)).collect();
            let public = ["/api/v1/health", "/api/v1/openapi.json", "/api/v1/auth/login", "/api/v1/device/enrol"];
            if public.contains(&path.as_str()) {
                assert!(security.is_empty(), "{what}: public, but declares {security:?}");
            } else if path.starts_with("/api/v1/device/") {
                let mut sorted = security.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, ["device_id", "device_signature", "device_timestamp"], "{what}");
                assert!(responses["401"]["description"].as_str().unwrap().contains("bad_signature"), "{what}");
            } else {
                let expected: &[&str] = if method == "get" { &["session"] } else { &["csrf", "session"] };
                let mut sorted = security.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, expected, "{what}");
                assert!(responses["401"]["description"].as_str().unwrap().contains("unauthenticated"), "{what}");
                if method != "get" {
                    assert!(responses["403"]["description"].as_str().unwrap().contains("csrf_failed"), "{what}");
                }
            }
            if op.get("requestBody").is_some() {
                assert!(responses["400"]["description"].as_str().unwrap().contains("invalid_request"), "{what}");
            }
        }
    }
    // Create bodies require what the handlers require; inputs carry the handlers' limits.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(doc["paths"]["/api/v1/employees"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/EmployeeCreate");
    assert_eq!(schemas["EmployeeCreate"]["required"], json!(["name"]));
    assert_eq!(schemas["LinkCreate"]["required"], json!(["project", "account"]));
    assert_eq!(schemas["EmployeeInput"]["properties"]["pin"]["pattern"], "^[0-9]{4,8}$");
    assert_eq!(schemas["EmployeeInput"]["properties"]["password"]["minLength"], 10);
    assert_eq!(schemas["SyncRequest"]["properties"]["events"]["maxItems"], 500);
    assert_eq!(schemas["PunchEvent"]["properties"]["device_seq"]["minimum"], 1);
    assert_eq!(schemas["CodeRequest"]["properties"]["expires_in_s"]["minimum"], 60);
    assert_eq!(schemas["CodeRequest"]["properties"]["expires_in_s"]["maximum"], 604800);
    assert_eq!(schemas["RequirementInput"]["properties"]["state"]["enum"], json!(["active", "disabled_for_period", "disabled_permanently"]));
    assert!(schemas["RunRequest"]["properties"]["period"]["pattern"].as_str().unwrap().contains("(0[1-9]|1[0-2])"));
    assert!(doc["paths"]["/api/v1/payroll-runs"]["post"]["responses"]["409"]["description"].as_str().unwrap().contains("period_not_ended"));
}

/// `GET /api/v1/employees/{id}/links`: the links a person may stamp on and book to, named, for
/// the person themself (their booking picker) and managers; not a colleague's.
async fn an_employee_reads_their_own_links_with_names(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Own Links AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    // One more link in the organisation that the employee is not assigned.
    let (status, _) = admin.post("/api/v1/links", json!({"project": "Beta", "account": "Other"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let own = format!("/api/v1/employees/{}/links", seed.employee_id);
    let (status, body) = employee.get(&own).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut ids: Vec<&str> = body["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut want: Vec<String> = seed.links.iter().map(|l| l.to_string()).collect();
    want.sort_unstable();
    assert_eq!(ids, want, "{body}");
    assert!(body["items"].as_array().unwrap().iter().all(|l| l["project"] == "Alfa" && l["account"].is_string()), "{body}");
    assert!(body["next_cursor"].is_null());
    // A manager reads anyone's; an employee not a colleague's; a stranger id is 404.
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    assert_eq!(manager.get(&own).await.0, StatusCode::OK);
    let colleague = format!("/api/v1/employees/{}/links", seed.staff[0]);
    assert_error(&employee.get(&colleague).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&admin.get(&format!("/api/v1/employees/{}/links", uuid::Uuid::now_v7())).await, StatusCode::NOT_FOUND, "not_found");
}
