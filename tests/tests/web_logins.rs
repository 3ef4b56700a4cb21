//! Web logins handed out from the admin API (issue 12, item 8): an admin gives a person a
//! `username` and a write-only `password` on `POST`/`PATCH /api/v1/employees`, and that person
//! logs in; a manager may not; the password is never answered; the CLI's password rule holds.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestServer};

both_databases!(
    an_admin_gives_logins_and_the_person_logs_in,
    a_manager_cannot_give_logins,
    bad_logins_are_refused_naming_the_field,
);

/// Asserts no answer carries a password or its hash under any key, nor the secret's text.
fn assert_no_secret(body: &Value, secret: &str) {
    let text = body.to_string();
    assert!(!text.contains(secret), "the password is in an answer: {text}");
    assert!(!text.contains("password") && !text.contains("pbkdf2"), "a password field or hash in an answer: {text}");
}

async fn an_admin_gives_logins_and_the_person_logs_in(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Logins Web AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    // A new person with a login and no number (someone who never stamps); the name is kept
    // lower-case, as the CLI stores it.
    let secret = "ten chars ok";
    let (status, lena) = admin
        .post("/api/v1/employees", json!({"name": "Lena Lind", "role": "manager", "username": "Lena.Lind", "password": secret}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lena}");
    assert_eq!(lena["username"], "lena.lind");
    assert_no_secret(&lena, secret);
    let lena_id = lena["id"].as_str().unwrap().to_owned();
    // She logs in as the admin typed her name, or in lower case.
    let mut as_typed = AdminClient::anonymous(&server);
    let (status, me) = as_typed.try_login("Lena.Lind", secret).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let mut as_lena = AdminClient::anonymous(&server);
    let (status, me) = as_lena.try_login("lena.lind", secret).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["role"], "manager");
    assert_no_secret(&me, secret);
    // She manages: lists people (and sees no secret there either).
    let (status, list) = as_lena.get("/api/v1/employees").await;
    assert_eq!(status, StatusCode::OK);
    assert_no_secret(&list, secret);

    // A stamping employee gets a login later, by PATCH; the PIN stays, and the login works.
    let staff = seed.staff[0];
    let second = "another good one";
    let (status, patched) = admin
        .call(Method::PATCH, &format!("/api/v1/employees/{staff}"), Some(json!({"username": "staff.one", "password": second})))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["username"], "staff.one");
    assert_eq!(patched["number"], "101");
    assert_no_secret(&patched, second);
    let mut as_staff = AdminClient::anonymous(&server);
    let (status, me) = as_staff.try_login("staff.one", second).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["role"], "employee");

    // A new password replaces the old one; the person's other sessions end.
    let third = "a third password";
    let (status, body) = admin.call(Method::PATCH, &format!("/api/v1/employees/{lena_id}"), Some(json!({"password": third}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_no_secret(&body, third);
    assert_error(&as_lena.get("/api/v1/auth/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    let mut again = AdminClient::anonymous(&server);
    assert_error(&again.try_login("lena.lind", secret).await, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(again.try_login("lena.lind", third).await.0, StatusCode::OK);

    // The lists, the audit log and every other read are free of the secrets.
    let (_, list) = admin.get("/api/v1/employees").await;
    let (_, audit) = admin.get("/api/v1/audit?kind=credentials_changed").await;
    for body in [&list, &audit] {
        for s in [secret, second, third] {
            assert!(!body.to_string().contains(s), "a password in {body}");
        }
    }
    let fields: Vec<&Value> = audit["items"].as_array().unwrap().iter().map(|i| &i["details"]["fields"]).collect();
    assert!(fields.contains(&&json!(["username", "password"])) && fields.contains(&&json!(["password"])), "{audit}");
}

async fn a_manager_cannot_give_logins(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Logins Refused AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let got = manager.post("/api/v1/employees", json!({"name": "Planted", "username": "planted", "password": "planted password"})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_authorised");
    let staff = seed.staff[1];
    for body in [json!({"username": "taken.over"}), json!({"password": "planted password"})] {
        let got = manager.call(Method::PATCH, &format!("/api/v1/employees/{staff}"), Some(body)).await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_authorised");
    }
    // Nothing was created or changed, and neither login works.
    let (_, list) = admin.get("/api/v1/employees").await;
    let items = list["items"].as_array().unwrap();
    assert!(!items.iter().any(|p| p["name"] == "Planted"), "{list}");
    assert!(items.iter().find(|p| p["id"] == staff.to_string()).unwrap()["username"].is_null(), "{list}");
    let mut probe = AdminClient::anonymous(&server);
    assert_error(&probe.try_login("planted", "planted password").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_error(&probe.try_login("taken.over", "planted password").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    // An employee cannot either (they may not write people at all).
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let got = employee.call(Method::PATCH, &format!("/api/v1/employees/{staff}"), Some(json!({"password": "planted password"}))).await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
}

async fn bad_logins_are_refused_naming_the_field(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Logins Bad AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    // The CLI's rule: at least 10 characters (counted as characters, not bytes).
    for short in ["", "short", "nine char", "åäöåäöåäö"] {
        let got = admin.post("/api/v1/employees", json!({"name": "Short", "username": "short.pw", "password": short})).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(got.1["error"]["message"].as_str().unwrap().contains("password"), "{}", got.1);
        assert!(!got.1.to_string().contains(short) || short.is_empty(), "the refused password is echoed: {}", got.1);
    }
    let got = admin
        .call(Method::PATCH, &format!("/api/v1/employees/{}", seed.staff[0]), Some(json!({"username": "x", "password": "short"})))
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(got.1["error"]["message"].as_str().unwrap().contains("password"), "{}", got.1);
    // Ten characters of which some are not ASCII: accepted.
    let got = admin.post("/api/v1/employees", json!({"name": "Umlaut", "username": "umlaut", "password": "åäöåäöåäöå"})).await;
    assert_eq!(got.0, StatusCode::CREATED, "{}", got.1);
    // A username breaking its rule names it.
    for bad in [json!(""), json!("   "), json!("a\u{7}b"), json!("x".repeat(101))] {
        let got = admin.post("/api/v1/employees", json!({"name": "Bad Name", "username": bad, "password": "long enough pw"})).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(got.1["error"]["message"].as_str().unwrap().contains("username"), "{}", got.1);
    }
    // A taken username, in any case, is the contract's conflict naming the field.
    for taken in [seed.manager_username.clone(), seed.manager_username.to_uppercase()] {
        let got = admin.post("/api/v1/employees", json!({"name": "Twin", "username": taken, "password": "long enough pw"})).await;
        assert_error(&got, StatusCode::CONFLICT, "already_exists");
        assert_eq!(got.1["error"]["details"]["field"], "username", "{}", got.1);
        let got = admin
            .call(Method::PATCH, &format!("/api/v1/employees/{}", seed.staff[1]), Some(json!({"username": taken})))
            .await;
        assert_error(&got, StatusCode::CONFLICT, "already_exists");
        assert_eq!(got.1["error"]["details"]["field"], "username", "{}", got.1);
    }
    // Nothing half-written: the refused PATCH left staff 102 without a login.
    let (_, list) = admin.get("/api/v1/employees").await;
    let p = list["items"].as_array().unwrap().iter().find(|p| p["id"] == seed.staff[1].to_string()).unwrap().clone();
    assert!(p["username"].is_null(), "{p}");
    // A password is never part of an answer, even a refusal.
    assert!(!list.to_string().contains("long enough pw"));
    // The OpenAPI document says so: write-only in both bodies, absent from the employee answer.
    let (status, doc) = admin.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    for s in ["EmployeeInput", "EmployeeCreate"] {
        assert_eq!(schemas[s]["properties"]["password"]["writeOnly"], true, "{s}: {}", schemas[s]);
        assert_eq!(schemas[s]["properties"]["password"]["minLength"], 10, "{s}");
    }
    assert!(schemas["EmployeeView"]["properties"].get("password").is_none());
}
