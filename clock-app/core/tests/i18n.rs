//! The translation catalogues `ui/i18n/{sv,de,da,en}.json`, shared by the kiosk and the admin UI:
//! every language has every key (with the same placeholders), every message id the kiosk's
//! screens use exists, and every error code of the core has a translation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clock_core::CoreError;
use shared_model::rules::punch_policy::PunchError;

const LANGUAGES: [&str; 4] = ["sv", "de", "da", "en"];

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let path = ui_dir().join("i18n").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
    let obj = value.as_object().unwrap_or_else(|| panic!("{}: not an object", path.display()));
    obj.iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_else(|| panic!("{lang}: {k} is not a string")).to_owned()))
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        match rest.find('}') {
            Some(close) => {
                out.insert(rest[..close].to_owned());
                rest = &rest[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// Every quoted `kiosk.…` message id in the kiosk's HTML and JavaScript.
fn kiosk_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let dir = ui_dir().join("kiosk");
    for entry in std::fs::read_dir(&dir).expect("ui/kiosk") {
        let path = entry.expect("entry").path();
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("html" | "js")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for quote in ['\'', '"', '`'] {
            let needle = format!("{quote}kiosk.");
            let mut rest = text.as_str();
            while let Some(at) = rest.find(&needle) {
                rest = &rest[at + 1..];
                let end = rest.find(quote).expect("closing quote");
                let id = &rest[..end];
                let is_file = dir.join(id).exists(); // e.g. href="kiosk.css"
                if !is_file && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') && !id.ends_with('.') {
                    ids.insert(id.to_owned());
                }
                rest = &rest[end..];
            }
        }
    }
    assert!(ids.len() > 40, "the scan found the kiosk's message ids: {ids:?}");
    ids
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders() {
    let all: BTreeMap<&str, BTreeMap<String, String>> = LANGUAGES.iter().map(|l| (*l, catalogue(l))).collect();
    let keys: BTreeSet<&String> = all.values().flat_map(|c| c.keys()).collect();
    let mut problems = Vec::new();
    for key in &keys {
        let en = all["en"].get(*key);
        for lang in LANGUAGES {
            match all[lang].get(*key) {
                None => problems.push(format!("{lang}.json lacks {key}")),
                Some(text) if text.trim().is_empty() => problems.push(format!("{lang}.json: {key} is empty")),
                Some(text) => {
                    if let Some(en) = en {
                        if placeholders(text) != placeholders(en) {
                            problems.push(format!("{lang}.json: {key} has placeholders {:?}, en has {:?}", placeholders(text), placeholders(en)));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "catalogue problems:\n{}", problems.join("\n"));
}

#[test]
fn every_message_id_of_the_kiosk_is_translated() {
    let ids = kiosk_ids();
    for lang in LANGUAGES {
        let c = catalogue(lang);
        let missing: Vec<&String> = ids.iter().filter(|id| !c.contains_key(*id)).collect();
        assert!(missing.is_empty(), "{lang}.json lacks kiosk ids {missing:?}");
    }
}

#[test]
fn every_error_code_of_the_core_is_translated() {
    let errors = [
        CoreError::NotEnrolled,
        CoreError::AlreadyEnrolled,
        CoreError::InvalidServerUrl(String::new()),
        CoreError::InsecureServerUrl,
        CoreError::UnknownEnrolmentCode,
        CoreError::EnrolmentCodeExpired,
        CoreError::WrongPin,
        CoreError::EmployeeLocked { until: chrono::Utc::now() },
        CoreError::EmployeeInactive,
        CoreError::LinkRequired,
        CoreError::LinkNotAllowed,
        CoreError::Punch(PunchError::NotRunning),
        CoreError::Punch(PunchError::Future),
        CoreError::Punch(PunchError::PastDayNotAllowed),
        CoreError::Punch(PunchError::NotPermitted),
        CoreError::DeviceUninstalled,
        CoreError::Offline(String::new()),
        CoreError::UnsyncedOffline { pending: 1 },
        CoreError::InvalidPersonnummer,
        CoreError::NotAuthorised,
        CoreError::UnsyncedEvents,
        CoreError::TooManyAttempts,
        CoreError::StorageFull,
        CoreError::Io(std::io::Error::other("x")),
        CoreError::Corrupt(String::new()),
    ];
    let mut codes: BTreeSet<String> = errors.iter().map(|e| e.code().to_owned()).collect();
    // Codes of the shell itself and of the server that reach the kiosk.
    for extra in ["unknown", "not_identified", "storage", "bad_signature", "clock_skew", "invalid_request", "sequence_conflict", "event_conflict", "unknown_reference", "forbidden"] {
        codes.insert(extra.to_owned());
    }
    for lang in LANGUAGES {
        let c = catalogue(lang);
        let missing: Vec<String> = codes.iter().map(|code| format!("error.{code}")).filter(|id| !c.contains_key(id)).collect();
        assert!(missing.is_empty(), "{lang}.json lacks {missing:?}");
    }
}
