//! The device protocol: enrolment with a single-use code, and signed, idempotent sync.

use shared_model::ErrorCode;
use axum::extract::{ConnectInfo, FromRequest, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use shared_model::device_auth::{self, HEADER_DEVICE_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_CLOCK_SKEW_S};
use shared_model::wire::{
    DeviceConfig, EnrolRequest, EnrolResponse, OrganisationInfo, PersonRef, Policy, SyncRequest, SyncResponse,
    UninstallRequest, UninstallResponse, MAX_EVENTS_PER_PAGE,
};
use shared_model::Personnummer;
use uuid::Uuid;

use super::extract::{ApiJson, RawBody};
use crate::crypto;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{audit, devices, enrolment, events, organisations, people, roster, AuditEntry, Device, NewDevice, Organisation, Redeemed, StoreError, SyncBookkeeping};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/device/enrol", post(enrol))
        .route("/api/v1/device/sync", post(sync))
        .route("/api/v1/device/uninstall", post(uninstall))
}

/// Normalises a typed enrolment code: case, spaces and dashes do not matter.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Enrol a tablet with a single-use code; the device keeps its private key.
#[utoipa::path(post, path = "/api/v1/device/enrol", tag = "device", operation_id = "enrol_device", request_body = EnrolRequest,
    responses((status = 201, body = EnrolResponse), (status = 400, description = "`invalid_request`: a field breaks its rule"),
              (status = 404, description = "`unknown_enrolment_code`"),
              (status = 410, description = "`enrolment_code_expired` (also for a code already used)"),
              (status = 429, description = "`too_many_attempts` (`details.retry_after_s`): 10 unknown or expired codes per client address in 15 minutes")))]
#[tracing::instrument(skip_all)]
pub async fn enrol(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let ip = addr.ip().to_string();
    // Counted before the code is looked at (parallel guesses cannot all pass); handed back
    // below when the code was right, so a fleet roll-out from one address is not throttled.
    state.guards.enrol_ip.acquire(&ip, now).map_err(ApiError::too_many_attempts)?;
    let refund = || state.guards.enrol_ip.refund(&ip, now);
    if let Err(e) = device_auth::decode_public_key(&req.public_key) {
        refund();
        return Err(ApiError::InvalidRequest(format!("public_key: {e}")));
    }
    let checked = check_text("platform", &req.platform, 300).and_then(|_| check_text("app_version", &req.app_version, 64));
    if let Err(e) = checked {
        refund();
        return Err(e);
    }
    let code = normalise_code(&req.enrolment_code);
    if code.is_empty() || code.len() > 32 {
        refund();
        return Err(ApiError::InvalidRequest("enrolment_code must be the code shown in the admin page".into()));
    }
    let new = NewDevice {
        id: Uuid::now_v7(),
        public_key: req.public_key.trim_end_matches('=').to_owned(),
        platform: req.platform.trim().to_owned(),
        app_version: req.app_version.trim().to_owned(),
        now,
    };
    // The code is used, the device registered and the enrolment audited in one transaction.
    let mut tx = state.store.begin().await?;
    match enrolment::redeem(&mut tx, &crypto::sha256_hex(&code), &new).await? {
        Redeemed::Unknown => {
            Err(ApiError::coded(StatusCode::NOT_FOUND, ErrorCode::UnknownEnrolmentCode, "no such enrolment code; check what you typed"))
        }
        Redeemed::Expired => {
            Err(ApiError::coded(StatusCode::GONE, ErrorCode::EnrolmentCodeExpired, "this enrolment code has expired or was already used; create a new one"))
        }
        Redeemed::Enrolled { device, organisation } => {
            let entry = AuditEntry {
                organisation_id: organisation.id,
                at: now,
                actor: device.installed_by,
                kind: "device_enrolled",
                subject: Some(device.id.to_string()),
                details: Some(json!({ "platform": device.platform, "app_version": device.app_version, "name": device.name })),
            };
            audit::record(&mut tx, &entry).await?;
            tx.commit().await?;
            refund();
            tracing::info!(device = %device.id, organisation = %organisation.id, "device enrolled");
            let body = EnrolResponse {
                device_id: device.id,
                organisation: OrganisationInfo { id: organisation.id, name: organisation.name.clone(), time_zone: organisation.time_zone.clone() },
                sync_interval_s: u32::try_from(organisation.sync_interval_s).unwrap_or(shared_model::wire::DEFAULT_SYNC_INTERVAL_S),
                server_time: now,
                links_required: organisation.links_required,
            };
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
    }
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ApiError::InvalidRequest(format!("{field} must be 1–{max} printable characters")));
    }
    Ok(())
}

/// A request whose signature checked out, with the device that signed it: the extractor every
/// signed device endpoint takes (like `Caller` for sessions), so none can forget a check.
pub struct Signed {
    pub device: Device,
    pub timestamp: DateTime<Utc>,
    /// Server time when the request was authenticated.
    pub now: DateTime<Utc>,
    /// The exact body bytes the signature covers.
    pub body: bytes::Bytes,
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let RawBody(body) = RawBody::from_request(axum::extract::Request::from_parts(parts.clone(), body), state).await?;
        let now = state.clock.now();
        authenticate(state, &parts.method, &parts.uri, &parts.headers, body, now).await
    }
}

/// Checks `X-Device-Id`, `X-Timestamp` and `X-Signature` over the exact request; refuses replays
/// and answers `clock_skew` (with server time) for a signed request from a wrong clock.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: bytes::Bytes,
    now: DateTime<Utc>,
) -> Result<Signed, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let device_id = header(HEADER_DEVICE_ID)
        .and_then(|v| v.parse::<Uuid>().ok())
        .ok_or_else(|| ApiError::bad_signature("missing or malformed X-Device-Id"))?;
    let ts_text = header(HEADER_TIMESTAMP).ok_or_else(|| ApiError::bad_signature("missing X-Timestamp"))?;
    let signature = header(HEADER_SIGNATURE).ok_or_else(|| ApiError::bad_signature("missing X-Signature"))?;
    let timestamp = DateTime::parse_from_rfc3339(ts_text)
        .map_err(|_| ApiError::bad_signature("X-Timestamp is not RFC 3339"))?
        .with_timezone(&Utc);
    // One statement on a pooled connection: this runs before every signed request.
    let found = devices::get(&mut state.store.conn().await?, device_id).await?;
    let device = found.ok_or_else(|| ApiError::bad_signature("unknown device"))?;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or_else(|| uri.path());
    let base = device_auth::base_string(method.as_str(), path, ts_text, &body);
    let signature = match device_auth::verify(&device.public_key, &base, signature) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(device = %device.id, "bad device signature");
            return Err(ApiError::bad_signature(&e.to_string()));
        }
    };
    let skew = (timestamp - now).num_seconds();
    if skew.abs() > MAX_CLOCK_SKEW_S {
        let mut tx = state.store.begin().await?;
        devices::record_clock_offset(&mut tx, &device, now, skew).await?;
        tx.commit().await?;
        tracing::info!(device = %device.id, skew_s = skew, "clock skew");
        return Err(ApiError::with_details(
            StatusCode::UNAUTHORIZED,
            ErrorCode::ClockSkew,
            format!("the device clock is {skew} s off; correct it by server_time and retry"),
            json!({ "server_time": now }),
        ));
    }
    if !state.guards.replay.first_use(&signature, now) {
        tracing::warn!(device = %device.id, "replayed device request");
        return Err(ApiError::bad_signature("this exact request was already received (replay)"));
    }
    // The signature log in the database refuses a replay in every server process, not only the
    // one whose memory saw the original; a tablet's requests may arrive out of order.
    let mut tx = state.store.begin().await?;
    let fresh = crate::store::ledger::remember_signature(&mut tx, device.id, &signature, timestamp).await?;
    tx.commit().await?;
    if !fresh {
        tracing::warn!(device = %device.id, "replayed device request (seen by another server process)");
        return Err(ApiError::bad_signature("this exact request was already received (replay)"));
    }
    Ok(Signed { device, timestamp, now, body })
}

/// Push a page of punch events, report what is still queued, pull roster and config.
#[utoipa::path(post, path = "/api/v1/device/sync", tag = "device", operation_id = "sync_device", request_body = SyncRequest,
    security(("device_id" = [], "device_timestamp" = [], "device_signature" = [])),
    responses((status = 200, body = SyncResponse), (status = 400, description = "`invalid_request`: a malformed page (more than 500 events, `device_seq` below 1, a start without `link_id` where the organisation requires links, a comment over 500 characters, a nil id)"),
              (status = 403, description = "`device_uninstalled` (`details.quarantined`: the ids of the page, stored in quarantine)"),
              (status = 409, description = "`event_conflict` (an event id already stored, or twice in the page, with other content; `details.event_id`) or `sequence_conflict` (`details.device_seq`, `details.stored_event_id`): nothing of the page is stored"),
              (status = 422, description = "`unknown_reference` (`details.kind`, `details.id`): an employee or link of another organisation; nothing of the page is stored")))]
#[tracing::instrument(skip_all, fields(device = %signed.device.id))]
pub async fn sync(State(state): State<AppState>, signed: Signed) -> Result<Response, ApiError> {
    let now = signed.now;
    let Signed { device, body, .. } = signed;
    let req: SyncRequest = serde_json::from_slice(&body).map_err(crate::error::json_error)?;
    if req.events.len() > MAX_EVENTS_PER_PAGE {
        return Err(ApiError::InvalidRequest(format!(
            "{} events in one page; at most {MAX_EVENTS_PER_PAGE} are allowed",
            req.events.len()
        )));
    }
    // The shape without the organisation first (a malformed page costs no database read), then
    // the one rule that depends on it: a start without a link where links are required.
    for e in &req.events {
        e.check_shape(false).map_err(ApiError::InvalidRequest)?;
    }
    let page = page_without_repeats(req.events)?;
    let org = device_organisation(&state, &device).await?;
    if org.links_required {
        for e in &page {
            e.check_shape(true).map_err(ApiError::InvalidRequest)?;
        }
    }
    let classified = crate::ledger::ingest::classify(&state, &device, &org, page).await?;
    let events = classified.events;
    let clock_offset_s = events.last().map(|e| (e.event.device_clock_at - e.event.occurred_at).num_seconds());
    let book = SyncBookkeeping {
        now,
        pending_after: i64::from(req.pending_after),
        oldest_pending_at: req.oldest_pending_at,
        clock_offset_s,
    };
    let mut tx = state.store.begin().await?;
    let stored = events::store_page(&mut tx, &device, &events, &book, &classified.dirty).await;
    // A conflict drops the transaction: nothing of the page is stored.
    let stored = match stored {
        Ok(acked) => tx.commit().await.map(|()| acked),
        Err(e) => Err(e),
    };
    let acked = stored.map_err(|e| match e {
        StoreError::EventConflict(id) => ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::EventConflict,
            format!("event {id} is already stored with other content; nothing of this page was stored"),
            json!({ "event_id": id }),
        ),
        StoreError::SequenceConflict { seq, existing } => ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::SequenceConflict,
            format!("device_seq {seq} is already stored as another event; nothing of this page was stored"),
            json!({ "device_seq": seq, "stored_event_id": existing }),
        ),
        other => ApiError::Store(other),
    })?;
    if !device.is_installed() {
        tracing::info!(device = %device.id, events = acked.len(), "quarantined events of an uninstalled device");
        return Err(ApiError::with_details(
            StatusCode::FORBIDDEN,
            ErrorCode::DeviceUninstalled,
            "this tablet has been uninstalled; its events are kept in quarantine for an admin to review",
            json!({ "quarantined": acked }),
        ));
    }
    tracing::debug!(device = %device.id, events = acked.len(), pending = req.pending_after, "sync");
    if !classified.dirty.is_empty() {
        // The projection follows in the background; the days endpoint drains before it reads.
        state.projection_wake.notify_one();
    }
    // An admin's request to sync (still waiting before this page) sends the roster even when
    // the tablet's version is current, and tells the tablet to refresh everything else.
    let sync_requested = device.sync_request_pending();
    let roster = if !sync_requested && req.roster_version.as_deref() == Some(org.roster_version.to_string().as_str()) {
        None
    } else {
        let mut tx = state.store.begin_read().await?;
        let roster = roster::get(&mut tx, org.id).await?;
        tx.commit().await?;
        Some(roster)
    };
    let config = DeviceConfig { sync_requested, ..device_config(&org, &device)? };
    Ok(Json(SyncResponse { acked, server_time: now, config, roster }).into_response())
}

/// Normalises a page's instants to the microsecond (what both databases keep, so a resent event
/// compares equal to the stored one) and resolves an event sent twice within the page: the same
/// content is kept once; the same id with other content is a 409 `event_conflict`, and one
/// `device_seq` under two ids a 409 `sequence_conflict`, with nothing of the page stored —
/// never a silently dropped version.
pub fn page_without_repeats(events: Vec<shared_model::PunchEvent>) -> Result<Vec<shared_model::PunchEvent>, ApiError> {
    let mut by_id: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::with_capacity(events.len());
    let mut by_seq: std::collections::HashMap<i64, Uuid> = std::collections::HashMap::with_capacity(events.len());
    let mut out: Vec<shared_model::PunchEvent> = Vec::with_capacity(events.len());
    for mut event in events {
        event.occurred_at = event.occurred_at.trunc_subsecs(6);
        event.device_clock_at = event.device_clock_at.trunc_subsecs(6);
        if let Some(&i) = by_id.get(&event.id) {
            if !same_content(&out[i], &event) {
                return Err(ApiError::with_details(
                    StatusCode::CONFLICT,
                    ErrorCode::EventConflict,
                    format!("event {} is in this page twice with different content; nothing of this page was stored", event.id),
                    json!({ "event_id": event.id }),
                ));
            }
            continue;
        }
        if let Some(other) = by_seq.insert(event.device_seq, event.id) {
            return Err(ApiError::with_details(
                StatusCode::CONFLICT,
                ErrorCode::SequenceConflict,
                format!("device_seq {} is in this page under two event ids; nothing of this page was stored", event.device_seq),
                json!({ "device_seq": event.device_seq, "event_ids": [other, event.id] }),
            ));
        }
        by_id.insert(event.id, out.len());
        out.push(event);
    }
    Ok(out)
}

/// Field-for-field equality, offsets included (`DateTime` equality alone compares instants).
fn same_content(a: &shared_model::PunchEvent, b: &shared_model::PunchEvent) -> bool {
    a == b && a.occurred_at.offset() == b.occurred_at.offset() && a.device_clock_at.offset() == b.device_clock_at.offset()
}

/// The organisation a signed device belongs to.
async fn device_organisation(state: &AppState, device: &Device) -> Result<Organisation, ApiError> {
    // One statement on a pooled connection, like the device lookup.
    organisations::get(&mut state.store.conn().await?, device.organisation_id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("device {} has no organisation", device.id)))
}

/// The config a device follows.
pub fn device_config(org: &Organisation, device: &Device) -> Result<DeviceConfig, ApiError> {
    Ok(DeviceConfig {
        sync_interval_s: u32::try_from(org.sync_interval_s).unwrap_or(shared_model::wire::DEFAULT_SYNC_INTERVAL_S),
        policy: Policy::parse(&org.policy).unwrap_or(Policy::SelfService),
        sync_requirement: device.sync_requirement()?,
        links_required: org.links_required,
        sync_requested: false,
    })
}

/// Uninstall the tablet itself, authorised by the personnummer of an active admin or manager of
/// its organisation (INTERP-45); refused while the tablet reports unsynced events.
#[utoipa::path(post, path = "/api/v1/device/uninstall", tag = "device", operation_id = "uninstall_from_device", request_body = UninstallRequest,
    security(("device_id" = [], "device_timestamp" = [], "device_signature" = [])),
    responses((status = 200, body = UninstallResponse), (status = 400, description = "`invalid_personnummer` or `invalid_request`"),
              (status = 403, description = "`not_authorised` (not an active admin or manager of the organisation) or `device_uninstalled`"),
              (status = 409, description = "`unsynced_events` (`details.pending_events`): sync first"),
              (status = 429, description = "`too_many_attempts` (`details.retry_after_s`): 5 attempts per device in 15 minutes")))]
#[tracing::instrument(skip_all, fields(device = %signed.device.id))]
pub async fn uninstall(State(state): State<AppState>, signed: Signed) -> Result<Response, ApiError> {
    let now = signed.now;
    let Signed { device, body, .. } = signed;
    let key = device.id.to_string();
    state.guards.uninstall_device.acquire(&key, now).map_err(ApiError::too_many_attempts)?;
    if !device.is_installed() {
        return Err(ApiError::coded(StatusCode::FORBIDDEN, ErrorCode::DeviceUninstalled, "this tablet is already uninstalled"));
    }
    let req: UninstallRequest = serde_json::from_slice(&body).map_err(crate::error::json_error)?;
    let org = device_organisation(&state, &device).await?;
    let today = now.with_timezone(&org.tz()?).date_naive();
    let pnr = Personnummer::parse(&req.personnummer, today).map_err(|e| {
        ApiError::coded(StatusCode::BAD_REQUEST, ErrorCode::InvalidPersonnummer, format!("personnummer: {e}"))
    })?;
    let hmac = state.personnummer_key.hash(&pnr);
    let mut tx = state.store.begin_read().await?;
    let people = people::by_personnummer(&mut tx, org.id, &hmac).await?;
    tx.commit().await?;
    let Some(by) = people.into_iter().find(|p| p.active && p.role().is_ok_and(|r| r.is_manager_or_admin())) else {
        tracing::warn!(device = %device.id, "uninstall refused: not an active admin or manager");
        return Err(ApiError::coded(StatusCode::FORBIDDEN, ErrorCode::NotAuthorised, "only an active admin or manager of this organisation may uninstall the tablet"));
    };
    if device.pending_events > 0 {
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::UnsyncedEvents,
            format!("the tablet reported {} unsynced stamps; sync first", device.pending_events),
            json!({ "pending_events": device.pending_events }),
        ));
    }
    let mut tx = state.store.begin().await?;
    if !devices::uninstall(&mut tx, &device, Some(by.id), "tablet", now).await? {
        return Err(ApiError::coded(StatusCode::FORBIDDEN, ErrorCode::DeviceUninstalled, "this tablet is already uninstalled"));
    }
    tx.commit().await?;
    tracing::info!(device = %device.id, by = %by.id, "device uninstalled on the tablet");
    Ok(Json(UninstallResponse { uninstalled_at: now, by: PersonRef { id: by.id, name: by.name } }).into_response())
}
