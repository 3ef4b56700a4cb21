//! A simulated tablet: `protocol_client::DeviceClient` (key, id, signed requests) plus a
//! sequence counter for making events; panics where a test would.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use protocol_client::DeviceClient;
use reqwest::StatusCode;
use serde_json::Value;
use shared_model::{PunchEvent, PunchKind};
use uuid::Uuid;

use crate::server::TestServer;

/// One tablet talking to a test server. Its client's fields (`base`, `http`, `key`, `id`,
/// `clock_error`) are reached through `Deref`.
pub struct TestDevice {
    pub client: DeviceClient,
    pub next_seq: i64,
}

impl Deref for TestDevice {
    type Target = DeviceClient;
    fn deref(&self) -> &DeviceClient {
        &self.client
    }
}

impl DerefMut for TestDevice {
    fn deref_mut(&mut self) -> &mut DeviceClient {
        &mut self.client
    }
}

impl TestDevice {
    /// Enrols a new tablet with `code`; panics unless 201.
    pub async fn enrol(server: &TestServer, code: &str) -> TestDevice {
        let client = DeviceClient::enrol(&server.url(""), code, "Linux; WebKitGTK 2.44; stampclock 0.1.0", "0.1.0")
            .await
            .unwrap_or_else(|e| panic!("enrol: {e}"));
        TestDevice { client, next_seq: 1 }
    }

    /// Sends `body` signed at `timestamp` (as text) to `path`; answers status and JSON.
    pub async fn signed_raw(&self, path: &str, body: &[u8], timestamp: &str) -> (StatusCode, Value) {
        self.client.signed_raw(path, body.to_vec(), timestamp).await.expect("device request")
    }

    /// Sends with explicit headers (None: unsigned).
    pub async fn send(&self, path: &str, body: &[u8], headers: Option<(String, String, String)>) -> (StatusCode, Value) {
        self.client.send(path, body.to_vec(), headers).await.expect("device request")
    }

    /// Signs with the device's (possibly wrong) clock and sends. Timestamps carry microseconds
    /// and never repeat: the server refuses an exact replay of a signed request.
    pub async fn signed(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.client.signed_json(path, body).await.expect("device request")
    }

    /// A sync with these events and what remains queued.
    pub async fn sync(&self, events: &[PunchEvent], pending_after: u32, roster_version: Option<&str>) -> (StatusCode, Value) {
        self.client.sync(events, pending_after, roster_version).await.expect("device request")
    }

    /// The tablet uninstall with an admin's or manager's personnummer.
    pub async fn uninstall(&self, personnummer: &str) -> (StatusCode, Value) {
        self.client.uninstall(personnummer).await.expect("device request")
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
