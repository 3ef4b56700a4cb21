//! A logged-in web client: session cookie plus CSRF token, like the admin UI.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::server::{TestServer, PASSWORD};

/// An HTTP client holding a session.
pub struct AdminClient {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl AdminClient {
    /// A client without a session.
    pub fn anonymous(server: &TestServer) -> AdminClient {
        AdminClient { base: server.url(""), http: reqwest::Client::new(), cookie: None, csrf: None }
    }

    /// Logs in with the seeded password; panics if that fails.
    pub async fn login(server: &TestServer, username: &str) -> AdminClient {
        let mut c = AdminClient::anonymous(server);
        let (status, body) = c.try_login(username, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        c
    }

    /// Attempts a login and keeps the session on success.
    pub async fn try_login(&mut self, username: &str, password: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        let status = resp.status();
        if let Some(set) = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "cookie flags: {set}");
            self.cookie = set.split(';').next().map(str::to_owned);
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status == StatusCode::OK {
            self.csrf = body["csrf_token"].as_str().map(str::to_owned);
        }
        (status, body)
    }

    /// Sends a request with the session and CSRF token; answers status and JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Creates an enrolment code; panics unless 201.
    pub async fn enrolment_code(&self) -> String {
        let (status, body) = self.post("/api/v1/enrolment-codes", serde_json::json!({"expires_in_s": 900})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["code"].as_str().expect("code").to_owned()
    }
}

/// Asserts an error response carries the contract's shape and code.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "expected {status} {code}, got {} {}", got.0, got.1);
    assert_eq!(got.1["error"]["code"], code, "body: {}", got.1);
    assert!(got.1["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "message missing: {}", got.1);
}
