//! A web session, as the admin UI holds one: the session cookie from the login answer and the
//! CSRF token from its body, sent back on every state-changing request.

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{read_answer, ClientError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "stampclock_session";
pub const LOGIN_PATH: &str = "/api/v1/auth/login";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An HTTP client that may hold a session.
pub struct WebClient {
    pub http: reqwest::Client,
    /// The server's base URL without a trailing slash.
    pub base: String,
    /// `stampclock_session=…`, as the `Cookie` header sends it.
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// The whole `Set-Cookie` header of the last login answer (None if it set none), so tests
    /// can check the cookie's attributes.
    pub set_cookie: Option<String>,
}

impl WebClient {
    /// A client without a session, with its own HTTP client.
    pub fn anonymous(base: &str) -> WebClient {
        WebClient::with_http(reqwest::Client::new(), base)
    }

    /// A client without a session over `http`.
    pub fn with_http(http: reqwest::Client, base: &str) -> WebClient {
        WebClient { http, base: base.trim_end_matches('/').to_owned(), cookie: None, csrf: None, set_cookie: None }
    }

    /// Logs in at `base`; anything but 200 with a session cookie and a CSRF token is an error.
    pub async fn login(base: &str, username: &str, password: &str) -> Result<WebClient, ClientError> {
        WebClient::login_with(reqwest::Client::new(), base, username, password).await
    }

    /// Logs in at `base` over `http`.
    pub async fn login_with(http: reqwest::Client, base: &str, username: &str, password: &str) -> Result<WebClient, ClientError> {
        let mut c = WebClient::with_http(http, base);
        let what = || format!("login as {username:?}");
        let (status, body) =
            c.try_login(username, password).await.map_err(|source| ClientError::Transport { what: what(), source })?;
        if status != StatusCode::OK {
            return Err(ClientError::Refused { what: what(), status, body });
        }
        if c.cookie.is_none() || c.csrf.is_none() {
            return Err(ClientError::Answer { what: what(), why: format!("no {SESSION_COOKIE} cookie or csrf_token in the answer") });
        }
        Ok(c)
    }

    /// Attempts a login and keeps the session on success; asserts nothing, so tests can look
    /// at refusals. A `Set-Cookie` in the answer replaces the cookie whatever the status.
    pub async fn try_login(&mut self, username: &str, password: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        let resp = self
            .http
            .post(format!("{}{LOGIN_PATH}", self.base))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        let set_cookies: Vec<&str> = resp.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
        // The session cookie if the answer names it, else the first one (as a browser would send it).
        let chosen = set_cookies.iter().find(|v| v.starts_with(&format!("{SESSION_COOKIE}="))).or(set_cookies.first());
        self.set_cookie = chosen.map(|v| (*v).to_owned());
        if let Some(pair) = chosen.and_then(|v| v.split(';').next()) {
            self.cookie = Some(pair.to_owned());
        }
        let (status, body) = read_answer(resp).await;
        if status == StatusCode::OK {
            self.csrf = body["csrf_token"].as_str().map(str::to_owned);
        }
        Ok((status, body))
    }

    /// Sends a request with the session cookie, and the CSRF token unless the method is safe
    /// (GET, HEAD, OPTIONS); answers status and JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<(StatusCode, Value), reqwest::Error> {
        let safe = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c);
        }
        if let (false, Some(t)) = (safe, &self.csrf) {
            req = req.header(CSRF_HEADER, t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Ok(read_answer(req.send().await?).await)
    }

    pub async fn get(&self, path: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<(StatusCode, Value), reqwest::Error> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// A call that must succeed (2xx): answers the body (`null` for an empty one).
    pub async fn call_ok(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, ClientError> {
        let what = || format!("{method} {path}");
        let (status, body) = self.call(method.clone(), path, body).await.map_err(|source| ClientError::Transport { what: what(), source })?;
        if !status.is_success() {
            return Err(ClientError::Refused { what: what(), status, body });
        }
        match body {
            Value::String(s) if s.is_empty() => Ok(Value::Null),
            Value::String(s) => Err(ClientError::Answer { what: what(), why: format!("not JSON: {s}") }),
            v => Ok(v),
        }
    }

    /// Every item of a paged list (`items`, `next_cursor`), a thousand per request.
    pub async fn list_all(&self, path: &str) -> Result<Vec<Value>, ClientError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=1000&cursor={c}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let mut page = self.call_ok(Method::GET, &url, None).await?;
            match page["items"].take() {
                Value::Array(items) => out.extend(items),
                _ => return Err(ClientError::Answer { what: format!("GET {url}"), why: "no items".into() }),
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return Ok(out),
            }
        }
        Err(ClientError::Answer { what: format!("GET {path}"), why: "more than 1000 pages".into() })
    }

    /// A new enrolment code valid for `expires_in_s` seconds.
    pub async fn enrolment_code(&self, expires_in_s: u32) -> Result<String, ClientError> {
        let v = self.call_ok(Method::POST, "/api/v1/enrolment-codes", Some(json!({ "expires_in_s": expires_in_s }))).await?;
        v["code"].as_str().map(str::to_owned).ok_or_else(|| ClientError::Answer {
            what: "POST /api/v1/enrolment-codes".into(),
            why: "no code in the answer".into(),
        })
    }
}
