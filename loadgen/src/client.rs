//! The HTTP side: an admin session that prepares the organisation, and simulated tablets
//! that enrol and sync with real Ed25519 signatures, exactly as PROTOCOL.md describes. Signing
//! and the session are `protocol_client`'s; this file keeps what is the load generator's own:
//! the fixture, the pages, and how an answer is counted.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{FixedOffset, Offset as _, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use protocol_client::{DeviceClient, WebClient};
use reqwest::{Client, StatusCode, Url};
use serde::Deserialize;
use serde_json::{json, Value};
use shared_model::wire::{SyncRequest, SyncResponse};
use shared_model::{PunchEvent, PunchKind};
use uuid::Uuid;

use crate::stats::Outcome;

pub use protocol_client::SYNC_PATH;

/// Refuses any target but this machine's loopback interface.
pub fn check_loopback_url(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).with_context(|| format!("server URL {url:?}"))?;
    match parsed.host_str() {
        Some("127.0.0.1") | Some("localhost") | Some("[::1]") => {}
        other => bail!("refusing to load {other:?}: sync-loadgen only targets 127.0.0.1"),
    }
    if parsed.scheme() != "http" {
        bail!("only plain http on the loopback interface is supported");
    }
    Ok(parsed)
}

/// One HTTP client for the whole run (a connection pool per host).
#[derive(Clone)]
pub struct Server {
    http: Client,
    base: String,
}

impl Server {
    pub fn new(base: &Url, timeout: Duration) -> Result<Server> {
        let http = Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .build()?;
        Ok(Server { http, base: base.as_str().trim_end_matches('/').to_owned() })
    }

    /// Logs in; the session cookie and CSRF token authorise the admin calls below.
    pub async fn login(&self, username: &str, password: &str) -> Result<Admin> {
        let web = WebClient::login_with(self.http.clone(), &self.base, username, password).await?;
        Ok(Admin { web })
    }

    /// Enrols one simulated tablet with `code`.
    pub async fn enrol(&self, code: &str, n: usize) -> Result<Tablet> {
        let platform = format!("sync-loadgen tablet {n}");
        let device = DeviceClient::enrol_with(self.http.clone(), &self.base, code, &platform, env!("CARGO_PKG_VERSION")).await?;
        Ok(Tablet { device, next_seq: 1, roster_version: None, unsent: None })
    }

    /// One signed sync of `tablet`'s next page (or of its page the server did not take last time).
    pub async fn sync(&self, tablet: &mut Tablet, fixture: &Fixture, page: usize) -> (Duration, Outcome) {
        let events = match tablet.unsent.take() {
            Some(events) => events,
            None => tablet.make_page(fixture, page),
        };
        let req = SyncRequest {
            events,
            pending_after: 0,
            oldest_pending_at: None,
            roster_version: tablet.roster_version.clone(),
        };
        let body = match serde_json::to_vec(&req) {
            Ok(b) => b,
            Err(e) => return (Duration::ZERO, Outcome::Error(format!("client/serialise: {e}"))),
        };
        // Signed before the clock starts, as before: the latency is the server's and the wire's.
        let request = tablet.device.request(SYNC_PATH, body);
        let started = Instant::now();
        let sent = request.send().await;
        let outcome = match sent {
            Err(e) => Err(transport_key(&e)),
            Ok(resp) => {
                let status = resp.status();
                match resp.bytes().await {
                    Err(e) => Err(transport_key(&e)),
                    Ok(bytes) if status == StatusCode::OK => Ok(bytes),
                    Ok(bytes) => Err(error_key(status, &bytes)),
                }
            }
        };
        let latency = started.elapsed();
        let outcome = match outcome {
            Err(key) => {
                tablet.unsent = Some(req.events);
                Outcome::Error(key)
            }
            Ok(bytes) => match serde_json::from_slice::<SyncResponse>(&bytes) {
                Err(_) => {
                    tablet.unsent = Some(req.events);
                    Outcome::Error("200/unparsable_body".into())
                }
                Ok(answer) => {
                    if let Some(roster) = answer.roster {
                        tablet.roster_version = Some(roster.version);
                    }
                    let acked: HashSet<Uuid> = answer.acked.into_iter().collect();
                    let missing = req.events.iter().filter(|e| !acked.contains(&e.id)).count();
                    if missing == 0 {
                        Outcome::Ok { events: req.events.len() }
                    } else {
                        tablet.unsent = Some(req.events);
                        Outcome::MissingAcks { missing }
                    }
                }
            },
        };
        (latency, outcome)
    }
}

fn transport_key(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    format!("transport/{kind}")
}

fn error_key(status: StatusCode, body: &[u8]) -> String {
    let code = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "-".into());
    format!("{}/{code}", status.as_u16())
}

/// A logged-in admin.
pub struct Admin {
    web: WebClient,
}

/// The employees and links the tablets stamp with.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub employees: Vec<Uuid>,
    pub links: Vec<Uuid>,
}

#[derive(Deserialize)]
struct EmployeeItem {
    id: Uuid,
    number: Option<String>,
    links: Vec<Uuid>,
}

#[derive(Deserialize)]
struct LinkItem {
    id: Uuid,
    project: String,
    account: String,
}

/// Project name of the links the load generator creates.
pub const LINK_PROJECT: &str = "Loadgen";
/// Prefix of the employee numbers the load generator creates.
pub const EMPLOYEE_PREFIX: &str = "LG-";

impl Admin {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        Ok(self.web.call_ok(method, path, body).await?)
    }

    async fn list<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Vec<T>> {
        let items = self.web.list_all(path).await?;
        items.into_iter().map(|v| serde_json::from_value(v).with_context(|| format!("{path} item"))).collect()
    }

    /// Makes sure `employees` employees `LG-001…` and `links` links `Loadgen / Task 01…` exist,
    /// each employee assigned every such link (so no stamp is flagged `link_not_assigned`).
    pub async fn ensure_fixture(&self, employees: usize, links: usize) -> Result<Fixture> {
        let mut have_links = self.list::<LinkItem>("/api/v1/links").await?;
        let mut link_ids = Vec::with_capacity(links);
        for k in 1..=links {
            let account = format!("Task {k:02}");
            if let Some(l) = have_links.iter().find(|l| l.project == LINK_PROJECT && l.account == account) {
                link_ids.push(l.id);
            } else {
                let v = self
                    .call(reqwest::Method::POST, "/api/v1/links", Some(json!({ "project": LINK_PROJECT, "account": account })))
                    .await?;
                let id: Uuid = serde_json::from_value(v["id"].clone()).context("link id")?;
                have_links.push(LinkItem { id, project: LINK_PROJECT.into(), account });
                link_ids.push(id);
            }
        }
        let have = self.list::<EmployeeItem>("/api/v1/employees").await?;
        let wanted: HashSet<Uuid> = link_ids.iter().copied().collect();
        let mut employee_ids = Vec::with_capacity(employees);
        for k in 1..=employees {
            let number = format!("{EMPLOYEE_PREFIX}{k:03}");
            let (id, assigned) = match have.iter().find(|e| e.number.as_deref() == Some(number.as_str())) {
                Some(e) => (e.id, e.links.iter().copied().collect::<HashSet<_>>()),
                None => {
                    let v = self
                        .call(
                            reqwest::Method::POST,
                            "/api/v1/employees",
                            Some(json!({ "number": number, "name": format!("Loadgen {k:03}"), "pin": "1234" })),
                        )
                        .await?;
                    (serde_json::from_value(v["id"].clone()).context("employee id")?, HashSet::new())
                }
            };
            if assigned != wanted {
                self.call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/employees/{id}/links"),
                    Some(json!({ "link_ids": link_ids })),
                )
                .await?;
            }
            employee_ids.push(id);
        }
        Ok(Fixture { employees: employee_ids, links: link_ids })
    }

    /// Creates `n` enrolment codes, `concurrency` at a time.
    pub async fn enrolment_codes(&self, n: usize, concurrency: usize) -> Result<Vec<String>> {
        stream::iter(0..n)
            .map(|_| async { Ok::<_, anyhow::Error>(self.web.enrolment_code(3600).await?) })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await
    }
}

/// One simulated wall tablet.
pub struct Tablet {
    /// Id, key, signing clock.
    device: DeviceClient,
    next_seq: i64,
    pub roster_version: Option<String>,
    /// A page the server did not acknowledge, resent next time as a real tablet would.
    unsent: Option<Vec<PunchEvent>>,
}

impl Tablet {
    /// The next `n` stamps: gap-free sequence, UUIDv7 ids, alternating start (with a link) and stop.
    fn make_page(&mut self, fixture: &Fixture, n: usize) -> Vec<PunchEvent> {
        let stockholm = FixedOffset::east_opt(3600).unwrap_or_else(|| Utc.fix());
        let now = Utc::now();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let seq = self.next_seq;
            self.next_seq += 1;
            let at = (now - chrono::Duration::seconds((n - i) as i64)).with_timezone(&stockholm);
            let employee = fixture.employees[(seq as usize / 2) % fixture.employees.len()];
            let start = seq % 2 == 1;
            out.push(PunchEvent {
                id: Uuid::now_v7(),
                device_seq: seq,
                employee_id: employee,
                kind: if start { PunchKind::Start } else { PunchKind::Stop },
                link_id: start.then(|| fixture.links[(seq as usize / 2) % fixture.links.len()]),
                comment: None,
                occurred_at: at,
                device_clock_at: at,
            });
        }
        out
    }
}
