//! Installing and uninstalling the tablet: enrolment with the server address and a
//! single-use code, and the uninstall that first syncs, then asks the server with an admin's
//! or manager's personnummer, and on success forgets the key and the synced data.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_model::device_auth::DeviceKey;
use shared_model::rules::local_time::today;
use shared_model::wire::{EnrolRequest, EnrolResponse, PersonRef, Policy, UninstallRequest, UninstallResponse, DEFAULT_SYNC_INTERVAL_S};
use shared_model::Personnummer;

use crate::error::{CoreError, CoreResult};
use crate::http::Failure;
use crate::store::DeviceRecord;
use crate::{identity, parse_tz, Kiosk};

/// Checks a typed server address: `https://`, or `http://` only to this machine (tests, demo),
/// so a personnummer never crosses a network in clear text. Returns it without a trailing `/`.
pub fn check_server_url(input: &str) -> CoreResult<String> {
    let url = reqwest::Url::parse(input.trim()).map_err(|e| CoreError::InvalidServerUrl(e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(CoreError::InvalidServerUrl("no user, query or fragment expected".into()));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let host = url.host_str().unwrap_or_default();
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(CoreError::InsecureServerUrl);
            }
        }
        other => return Err(CoreError::InvalidServerUrl(format!("scheme {other} is not http(s)"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::InvalidServerUrl("no host".into()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// What an uninstall did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Uninstalled {
    pub uninstalled_at: DateTime<Utc>,
    /// Who authorised it (absent when an admin had already uninstalled the tablet from the web).
    pub by: Option<PersonRef>,
    /// Events kept on the tablet because the server did not take them (normally zero).
    pub kept_events: u64,
}

impl Kiosk {
    /// Enrols the tablet: a new key pair, the code sent with the public key, the identity stored.
    pub async fn enrol(&self, server_url: &str, code: &str) -> CoreResult<DeviceRecord> {
        if self.inner.store.device()?.is_some() {
            return Err(CoreError::AlreadyEnrolled);
        }
        let base = check_server_url(server_url)?;
        let (key, pkcs8) = DeviceKey::generate().map_err(|e| CoreError::Corrupt(e.to_string()))?;
        let req = EnrolRequest {
            enrolment_code: code.trim().to_owned(),
            public_key: key.public_key_b64(),
            platform: self.inner.platform.clone(),
            app_version: crate::APP_VERSION.to_owned(),
        };
        let answer = self.post_unsigned::<_, EnrolResponse>(&base, "/api/v1/device/enrol", &req).await.map_err(CoreError::from)?;
        let resp = &answer.body;
        parse_tz(&resp.organisation.time_zone)?;
        identity::save_key(&self.inner.dir, &pkcs8)?;
        self.forget_key();
        let record = DeviceRecord {
            device_id: resp.device_id,
            server_url: base,
            organisation_id: resp.organisation.id,
            organisation_name: resp.organisation.name.clone(),
            time_zone: resp.organisation.time_zone.clone(),
            enrolled_at: resp.server_time,
            sync_interval_s: if resp.sync_interval_s == 0 { DEFAULT_SYNC_INTERVAL_S } else { resp.sync_interval_s },
            policy: Policy::SelfService,
            sync_requirement: None,
            links_required: resp.links_required,
            clock_offset_ms: answer.offset_ms(resp.server_time),
            roster_version: None,
            last_sync_at: None,
            last_full_sync_at: None,
            last_attempt_at: None,
            last_error: None,
            uninstalled_at: None,
        };
        self.inner.store.insert_device(&record)?;
        tracing::info!(device = %record.device_id, organisation = %record.organisation_id, "enrolled");
        self.device()
    }

    /// Uninstalls the tablet with the personnummer of an active admin or manager: a final sync
    /// first; with stamps still queued and no server it refuses. On success the key and the
    /// synced data are gone and the tablet is back at enrolment.
    pub async fn uninstall(&self, personnummer: &str) -> CoreResult<Uninstalled> {
        let device = self.device()?;
        let tz = parse_tz(&device.time_zone)?;
        let pnr = Personnummer::parse(personnummer, today(tz, self.now(&device).corrected))
            .map_err(|_| CoreError::InvalidPersonnummer)?;
        let _gate = self.inner.sync_gate.lock().await;
        match self.sync_locked().await {
            Ok(_) => {}
            Err(CoreError::DeviceUninstalled) => {
                let pending = self.inner.store.pending_count()?;
                if pending > 0 {
                    return Err(CoreError::DeviceUninstalled);
                }
                // An admin already uninstalled it from the web and the quarantine has everything.
                return self.wipe(self.inner.clock.now(), None);
            }
            Err(e) => {
                let pending = self.inner.store.pending_count()?;
                if pending > 0 {
                    return Err(if e.is_transient() { CoreError::UnsyncedOffline { pending } } else { e });
                }
                tracing::info!(code = e.code(), "final sync failed with nothing pending; asking the server anyway");
            }
        }
        let req = UninstallRequest { personnummer: pnr.normalised().to_owned() };
        match self.post_signed::<_, UninstallResponse>("/api/v1/device/uninstall", &req).await {
            Ok(a) => self.wipe(a.body.uninstalled_at, Some(a.body.by)),
            Err(Failure::Transport(why)) => Err(CoreError::Offline(why)),
            Err(f) => Err(f.into()),
        }
    }

    fn wipe(&self, at: DateTime<Utc>, by: Option<PersonRef>) -> CoreResult<Uninstalled> {
        identity::remove_key(&self.inner.dir)?;
        self.forget_key();
        let kept_events = self.inner.store.wipe_synced()?;
        tracing::info!(kept_events, "tablet uninstalled; identity and synced data removed");
        Ok(Uninstalled { uninstalled_at: at, by, kept_events })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        let ok = [
            ("https://clock.example.se", "https://clock.example.se"),
            ("https://clock.example.se/", "https://clock.example.se"),
            (" http://127.0.0.1:8080/ ", "http://127.0.0.1:8080"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://127.1.2.3", "http://127.1.2.3"),
        ];
        for (input, expected) in ok {
            assert_eq!(check_server_url(input).unwrap(), expected, "{input}");
        }
        for input in ["http://clock.example.se", "http://192.168.1.10:8080", "http://localhost.example.se"] {
            assert_eq!(check_server_url(input).unwrap_err().code(), "insecure_server_url", "{input}");
        }
        for input in ["clock.example.se", "ftp://127.0.0.1", "https://u:p@clock.example.se", "https://x.se/?a=1", ""] {
            assert_eq!(check_server_url(input).unwrap_err().code(), "invalid_server_url", "{input}");
        }
    }
}
