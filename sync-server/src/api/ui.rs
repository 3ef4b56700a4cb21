//! The admin web UI (issue 6): static files embedded at compile time and served at `/`,
//! `/ui/*` and `/i18n/*.json` with a strict Content-Security-Policy (no inline script or style).
//! Unknown paths under `/ui/` and `/i18n/` answer 404 with the contract's error body, like
//! every other error of the server.

use shared_model::ErrorCode;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The policy every UI response carries: only this origin's scripts, styles and API.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

macro_rules! ui_file {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/", $path))
    };
}

/// `(name under /ui/, content)` of the admin UI.
const ADMIN_FILES: &[(&str, &str)] = &[
    ("index.html", ui_file!("admin/index.html")),
    ("styles.css", ui_file!("admin/styles.css")),
    ("app.js", ui_file!("admin/app.js")),
    ("api.js", ui_file!("admin/api.js")),
    ("i18n.js", ui_file!("admin/i18n.js")),
    ("util.js", ui_file!("admin/util.js")),
    ("personnummer.js", ui_file!("admin/personnummer.js")),
    ("pages/login.js", ui_file!("admin/pages/login.js")),
    ("pages/devices.js", ui_file!("admin/pages/devices.js")),
    ("pages/enrolment.js", ui_file!("admin/pages/enrolment.js")),
    ("pages/quarantine.js", ui_file!("admin/pages/quarantine.js")),
    ("pages/payroll.js", ui_file!("admin/pages/payroll.js")),
    ("pages/people.js", ui_file!("admin/pages/people.js")),
    ("pages/audit.js", ui_file!("admin/pages/audit.js")),
    ("pages/timesheet.js", ui_file!("admin/pages/timesheet.js")),
    ("pages/work-models.js", ui_file!("admin/pages/work-models.js")),
    ("pages/anomalies.js", ui_file!("admin/pages/anomalies.js")),
    ("minutes.js", ui_file!("admin/minutes.js")),
    ("favicon.svg", ui_file!("admin/favicon.svg")),
];

/// `(language, catalogue)` shared by the admin UI and the kiosk.
const CATALOGUES: &[(&str, &str)] = &[
    ("sv.json", ui_file!("i18n/sv.json")),
    ("de.json", ui_file!("i18n/de.json")),
    ("da.json", ui_file!("i18n/da.json")),
    ("en.json", ui_file!("i18n/en.json")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/ui/{*path}", get(ui_file))
        .route("/i18n/{file}", get(catalogue))
}

/// The admin page.
#[tracing::instrument(skip_all)]
async fn index() -> Response {
    serve("index.html", ADMIN_FILES)
}

/// A file of the admin UI.
#[tracing::instrument(skip_all, fields(path = %path))]
async fn ui_file(Path(path): Path<String>) -> Response {
    serve(&path, ADMIN_FILES)
}

/// A translation catalogue.
#[tracing::instrument(skip_all, fields(file = %file))]
async fn catalogue(Path(file): Path<String>) -> Response {
    serve(&file, CATALOGUES)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn serve(name: &str, files: &'static [(&'static str, &'static str)]) -> Response {
    let Some((name, body)) = files.iter().find(|(n, _)| *n == name) else {
        return crate::error::ApiError::coded(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file").into_response();
    };
    let mut res = (*body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_is_valid_json_with_the_same_keys() {
        let keys = |s: &str| -> std::collections::BTreeSet<String> {
            let v: serde_json::Value = serde_json::from_str(s).expect("valid JSON");
            v.as_object().expect("an object").keys().cloned().collect()
        };
        let en = keys(CATALOGUES[3].1);
        for (lang, body) in CATALOGUES {
            assert_eq!(keys(body), en, "{lang} has the same message ids as en.json");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
