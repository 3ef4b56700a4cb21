//! A tablet's side of the device protocol: enrolment (unsigned) and signed requests.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};
use shared_model::device_auth::{DeviceKey, HEADER_DEVICE_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use shared_model::wire::{EnrolRequest, EnrolResponse};
use shared_model::PunchEvent;
use uuid::Uuid;

use crate::{read_answer, ClientError};

pub const ENROL_PATH: &str = "/api/v1/device/enrol";
pub const SYNC_PATH: &str = "/api/v1/device/sync";
pub const UNINSTALL_PATH: &str = "/api/v1/device/uninstall";

/// No signing time yet.
const NEVER: i64 = i64::MIN;

/// One enrolled tablet: where it talks to, who it is, and its key.
///
/// Signing timestamps carry microseconds and strictly increase (two requests of one tablet
/// never share a signature, which the server would refuse as a replay), except that a clock
/// corrected back by more than a second starts afresh, as the kiosk does.
pub struct DeviceClient {
    pub http: reqwest::Client,
    /// The server's base URL without a trailing slash (`http://127.0.0.1:8080`).
    pub base: String,
    pub id: Uuid,
    pub key: DeviceKey,
    /// Added to the real clock when signing: a tablet whose clock is wrong (tests).
    pub clock_error: Duration,
    /// The last signing time, microseconds since the epoch (`NEVER` before the first).
    last_signed_us: AtomicI64,
}

impl DeviceClient {
    /// A tablet already enrolled as `id` with `key`.
    pub fn new(http: reqwest::Client, base: impl Into<String>, id: Uuid, key: DeviceKey) -> DeviceClient {
        let base = base.into().trim_end_matches('/').to_owned();
        DeviceClient { http, base, id, key, clock_error: Duration::zero(), last_signed_us: AtomicI64::new(NEVER) }
    }

    /// Enrols a new tablet at `base` with a fresh key and its own HTTP client.
    pub async fn enrol(base: &str, code: &str, platform: &str, app_version: &str) -> Result<DeviceClient, ClientError> {
        DeviceClient::enrol_with(reqwest::Client::new(), base, code, platform, app_version).await
    }

    /// Enrols a new tablet at `base` with a fresh key over `http`; anything but 201 is an error.
    pub async fn enrol_with(
        http: reqwest::Client,
        base: &str,
        code: &str,
        platform: &str,
        app_version: &str,
    ) -> Result<DeviceClient, ClientError> {
        let (key, _) = DeviceKey::generate().map_err(|e| ClientError::Answer { what: "device key".into(), why: e.to_string() })?;
        let req = EnrolRequest {
            enrolment_code: code.to_owned(),
            public_key: key.public_key_b64(),
            platform: platform.to_owned(),
            app_version: app_version.to_owned(),
        };
        let base = base.trim_end_matches('/');
        let resp = http
            .post(format!("{base}{ENROL_PATH}"))
            .json(&req)
            .send()
            .await
            .map_err(|source| ClientError::Transport { what: "enrol".into(), source })?;
        let (status, body) = read_answer(resp).await;
        if status != StatusCode::CREATED {
            return Err(ClientError::Refused { what: "enrol".into(), status, body });
        }
        let answer: EnrolResponse =
            serde_json::from_value(body).map_err(|e| ClientError::Answer { what: "enrol".into(), why: e.to_string() })?;
        Ok(DeviceClient::new(http, base, answer.device_id, key))
    }

    /// The tablet's idea of now (the real clock plus `clock_error`).
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_error
    }

    /// The next signing time: now, or a microsecond after the last one if now is not later
    /// (unless now is more than a second earlier: a corrected clock may jump back).
    pub fn signing_time(&self) -> DateTime<Utc> {
        let now = self.now();
        let now_us = now.timestamp_micros();
        let mut prev = self.last_signed_us.load(Ordering::Acquire);
        loop {
            let t = if prev != NEVER && now_us <= prev && prev - now_us < 1_000_000 { prev + 1 } else { now_us };
            match self.last_signed_us.compare_exchange_weak(prev, t, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return DateTime::from_timestamp_micros(t).unwrap_or(now),
                Err(p) => prev = p,
            }
        }
    }

    /// The next signing timestamp as `X-Timestamp` carries it.
    pub fn timestamp(&self) -> String {
        self.signing_time().to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// A POST of `body` to `path`, signed at `timestamp`, ready to send (the caller reads the
    /// answer as it likes: the load generator's hot path).
    pub fn request_signed_at(&self, path: &str, body: Vec<u8>, timestamp: &str) -> reqwest::RequestBuilder {
        let signature = self.key.sign("POST", path, timestamp, &body);
        self.http
            .post(format!("{}{}", self.base, path))
            .header(CONTENT_TYPE, "application/json")
            .header(HEADER_DEVICE_ID, self.id.to_string())
            .header(HEADER_TIMESTAMP, timestamp)
            .header(HEADER_SIGNATURE, signature)
            .body(body)
    }

    /// A POST of `body` to `path`, signed now, ready to send.
    pub fn request(&self, path: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
        let timestamp = self.timestamp();
        self.request_signed_at(path, body, &timestamp)
    }

    /// Sends `body` signed at `timestamp` (as text) to `path`; answers status and JSON.
    pub async fn signed_raw(&self, path: &str, body: Vec<u8>, timestamp: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        Ok(read_answer(self.request_signed_at(path, body, timestamp).send().await?).await)
    }

    /// Sends `body` to `path` signed now; answers status and JSON.
    pub async fn signed_post(&self, path: &str, body: Vec<u8>) -> Result<(StatusCode, Value), reqwest::Error> {
        Ok(read_answer(self.request(path, body).send().await?).await)
    }

    /// Sends `body` as JSON to `path` signed now; answers status and JSON.
    pub async fn signed_json<T: Serialize + ?Sized>(&self, path: &str, body: &T) -> Result<(StatusCode, Value), reqwest::Error> {
        // Serialising a JSON value or a plain struct cannot fail.
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.signed_post(path, bytes).await
    }

    /// One sync page with what remains queued after it.
    pub async fn sync(&self, events: &[PunchEvent], pending_after: u32, roster_version: Option<&str>) -> Result<(StatusCode, Value), reqwest::Error> {
        #[derive(Serialize)]
        struct Page<'a> {
            events: &'a [PunchEvent],
            pending_after: u32,
            oldest_pending_at: Option<DateTime<Utc>>,
            roster_version: Option<&'a str>,
        }
        self.signed_json(SYNC_PATH, &Page { events, pending_after, oldest_pending_at: None, roster_version }).await
    }

    /// The tablet uninstall, confirmed by an admin's or manager's personnummer.
    pub async fn uninstall(&self, personnummer: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        self.signed_json(UNINSTALL_PATH, &json!({ "personnummer": personnummer })).await
    }

    /// A POST with explicit device headers `(device id, timestamp, signature)`, or none
    /// (unsigned): for tests that forge them.
    pub async fn send(&self, path: &str, body: Vec<u8>, headers: Option<(String, String, String)>) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut req = self.http.post(format!("{}{}", self.base, path)).header(CONTENT_TYPE, "application/json").body(body);
        if let Some((id, ts, sig)) = headers {
            req = req.header(HEADER_DEVICE_ID, id).header(HEADER_TIMESTAMP, ts).header(HEADER_SIGNATURE, sig);
        }
        Ok(read_answer(req.send().await?).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> DeviceClient {
        let (key, _) = DeviceKey::generate().expect("key");
        DeviceClient::new(reqwest::Client::new(), "http://127.0.0.1:1/", Uuid::now_v7(), key)
    }

    #[test]
    fn signing_times_strictly_increase() {
        let c = client();
        let mut last = c.signing_time();
        for _ in 0..10_000 {
            let t = c.signing_time();
            assert!(t > last, "{t} after {last}");
            last = t;
        }
        assert_eq!(c.base, "http://127.0.0.1:1");
    }

    #[test]
    fn a_clock_moved_back_starts_afresh() {
        let mut c = client();
        let first = c.signing_time();
        c.clock_error = Duration::minutes(-10);
        let t = c.signing_time();
        assert!(t < first - Duration::minutes(9), "{t} vs {first}");
        // A small step back is bumped past the last one instead.
        c.clock_error = Duration::minutes(-10) - Duration::milliseconds(500);
        assert!(c.signing_time() > t);
    }
}
