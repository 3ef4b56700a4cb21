//! A logged-in web client: `protocol_client::WebClient` (session cookie plus CSRF token, like
//! the admin UI), panicking where a test would.

use std::ops::{Deref, DerefMut};

use protocol_client::WebClient;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::server::{TestServer, PASSWORD};

/// An HTTP client holding a session. The client's fields (`base`, `http`, `cookie`, `csrf`)
/// are reached through `Deref`.
pub struct AdminClient {
    pub web: WebClient,
}

impl Deref for AdminClient {
    type Target = WebClient;
    fn deref(&self) -> &WebClient {
        &self.web
    }
}

impl DerefMut for AdminClient {
    fn deref_mut(&mut self) -> &mut WebClient {
        &mut self.web
    }
}

impl AdminClient {
    /// A client without a session.
    pub fn anonymous(server: &TestServer) -> AdminClient {
        AdminClient { web: WebClient::anonymous(&server.url("")) }
    }

    /// Logs in with the seeded password; panics if that fails.
    pub async fn login(server: &TestServer, username: &str) -> AdminClient {
        let mut c = AdminClient::anonymous(server);
        let (status, body) = c.try_login(username, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        c
    }

    /// Attempts a login and keeps the session on success; checks the cookie's flags when one
    /// is set.
    pub async fn try_login(&mut self, username: &str, password: &str) -> (StatusCode, Value) {
        let got = self.web.try_login(username, password).await.expect("login request");
        if let Some(set) = &self.web.set_cookie {
            assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "cookie flags: {set}");
        }
        got
    }

    /// Sends a request with the session and CSRF token; answers status and JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.web.call(method, path, body).await.expect("request")
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
