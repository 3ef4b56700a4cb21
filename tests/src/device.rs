//! A simulated tablet: an Ed25519 key, a device id, a sequence counter, signed requests.

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::device_auth::DeviceKey;
use shared_model::{PunchEvent, PunchKind};
use uuid::Uuid;

use crate::server::TestServer;

/// One tablet talking to a test server.
pub struct TestDevice {
    pub base: String,
    pub http: reqwest::Client,
    pub key: DeviceKey,
    pub id: Uuid,
    pub next_seq: i64,
    /// Added to the real clock when signing (a wrong tablet clock).
    pub clock_error: Duration,
    last_signed: std::sync::Mutex<Option<DateTime<Utc>>>,
}

impl TestDevice {
    /// Enrols a new tablet with `code`; panics unless 201.
    pub async fn enrol(server: &TestServer, code: &str) -> TestDevice {
        let (key, _) = DeviceKey::generate().expect("key");
        let http = reqwest::Client::new();
        let resp = http
            .post(server.url("/api/v1/device/enrol"))
            .json(&json!({"enrolment_code": code, "public_key": key.public_key_b64(),
                          "platform": "Linux; WebKitGTK 2.44; stampclock 0.1.0", "app_version": "0.1.0"}))
            .send()
            .await
            .expect("enrol");
        let status = resp.status();
        let body: Value = resp.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "enrol: {body}");
        let id = body["device_id"].as_str().and_then(|s| s.parse().ok()).expect("device id");
        TestDevice { base: server.url(""), http, key, id, next_seq: 1, clock_error: Duration::zero(), last_signed: Default::default() }
    }

    /// The device's idea of now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_error
    }

    /// Sends `body` signed at `timestamp` (as text) to `path`; answers status and JSON.
    pub async fn signed_raw(&self, path: &str, body: &[u8], timestamp: &str) -> (StatusCode, Value) {
        let sig = self.key.sign("POST", path, timestamp, body);
        self.send(path, body, Some((self.id.to_string(), timestamp.to_owned(), sig))).await
    }

    /// Sends with explicit headers (None: unsigned).
    pub async fn send(&self, path: &str, body: &[u8], headers: Option<(String, String, String)>) -> (StatusCode, Value) {
        let mut req = self.http.post(format!("{}{}", self.base, path)).header("content-type", "application/json").body(body.to_vec());
        if let Some((id, ts, sig)) = headers {
            req = req.header("x-device-id", id).header("x-timestamp", ts).header("x-signature", sig);
        }
        let resp = req.send().await.expect("device request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Signs with the device's (possibly wrong) clock and sends. Timestamps carry microseconds
    /// and never repeat: the server refuses an exact replay of a signed request.
    pub async fn signed(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let bytes = serde_json::to_vec(body).expect("json");
        let mut now = self.now();
        {
            let mut last = self.last_signed.lock().expect("lock");
            if let Some(prev) = *last {
                // Only separate near-identical timestamps; a corrected clock may jump back.
                if now <= prev && prev - now < Duration::seconds(1) {
                    now = prev + Duration::microseconds(1);
                }
            }
            *last = Some(now);
        }
        let ts = now.to_rfc3339_opts(SecondsFormat::Micros, true);
        self.signed_raw(path, &bytes, &ts).await
    }

    /// A sync with these events and what remains queued.
    pub async fn sync(&self, events: &[PunchEvent], pending_after: u32, roster_version: Option<&str>) -> (StatusCode, Value) {
        self.signed(
            "/api/v1/device/sync",
            &json!({"events": events, "pending_after": pending_after, "oldest_pending_at": null, "roster_version": roster_version}),
        )
        .await
    }

    /// The next event of this tablet for `employee`; starts need `link`.
    pub fn event(&mut self, employee: Uuid, kind: PunchKind, link: Option<Uuid>, at: DateTime<FixedOffset>) -> PunchEvent {
        let seq = self.next_seq;
        self.next_seq += 1;
        PunchEvent {
            id: Uuid::now_v7(),
            device_seq: seq,
            employee_id: employee,
            kind,
            link_id: link,
            comment: None,
            occurred_at: at,
            device_clock_at: at + self.clock_error,
        }
    }

    /// `n` alternating start/stop events a minute apart, starting `n` minutes ago.
    pub fn events(&mut self, employee: Uuid, link: Uuid, n: usize) -> Vec<PunchEvent> {
        let cet = FixedOffset::east_opt(3600).expect("offset");
        let start = Utc::now() - Duration::minutes(n as i64 + 1);
        (0..n)
            .map(|i| {
                let at = (start + Duration::minutes(i as i64)).with_timezone(&cet);
                if i % 2 == 0 {
                    self.event(employee, PunchKind::Start, Some(link), at)
                } else {
                    self.event(employee, PunchKind::Stop, None, at)
                }
            })
            .collect()
    }
}
