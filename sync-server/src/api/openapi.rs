//! The OpenAPI 3.1 document, generated from the handlers' annotations.
//!
//! Outside clients generate code and tests from this document, so it says exactly what the
//! server does. The annotations on the handlers carry each operation's id, security and its own
//! error answers; [`Contract`] adds the security schemes; [`document`] then adds what holds for
//! every operation alike (401/403 of a session, 400/413 of a body, 500, the error body on every
//! error answer) and the input constraints JSON Schema can state but utoipa's attributes cannot
//! (the printable-text rule of names, the "number or username" rule of a new employee, the
//! `state`/`period` pairing of a sync requirement, the nil-UUID and link rules of a punch event).
//! `tests/api-fuzz/` checks the server against this document with schemathesis.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use shared_model::Role;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ApiError;
use crate::state::AppState;

/// The security scheme of the session cookie.
pub const SESSION: &str = "session";
/// The security scheme of the CSRF header every state-changing session request sends.
pub const CSRF: &str = "csrf";

#[derive(OpenApi)]
#[openapi(
    info(title = "stampclock API", version = "1", description = "The HTTP contract v1 of PROTOCOL.md.

Every 4xx/5xx answer has the body `ErrorBody`: `{\"error\": {\"code\", \"message\", \"details\"?}}`; each response below names the codes it carries. \
Answers common to all operations: 404 `not_found` for a path the server does not know (and for a malformed id in a path); \
405 `method_not_allowed` (with an `Allow` header) for a method a path does not have; 413 `payload_too_large` for a body over 4 MiB; \
500 `internal_error` when the server fails (nothing was applied). Unknown JSON fields and unknown query parameters are refused with 400 `invalid_request`.

Web sessions: `POST /api/v1/auth/login` sets the HttpOnly cookie `stampclock_session` and answers the `csrf_token`; every request that is not GET sends it as `X-CSRF-Token` (403 `csrf_failed` otherwise). \
Tablets sign their requests (security schemes `device_id`, `device_timestamp`, `device_signature`; see PROTOCOL.md)."),
    paths(
        super::health::health,
        openapi_document,
        super::device::enrol,
        super::device::sync,
        super::device_weeks::weeks,
        super::session::login,
        super::session::logout,
        super::session::me,
        super::enrolment::create,
        super::people::list,
        super::people::create,
        super::people::update,
        super::people::set_links,
        super::people::employee_links,
        super::days::days,
        super::timesheets::month_get,
        super::timesheets::month_csv_get,
        super::timesheets::put_entry,
        super::timesheets::delete_entry,
        super::timesheets::add_booking,
        super::timesheets::patch_booking,
        super::timesheets::delete_booking,
        super::timesheets::correct,
        super::timesheets::lock,
        super::timesheets::unlock,
        super::timesheets::anomalies,
        super::work_models::list,
        super::work_models::create,
        super::work_models::update,
        super::work_models::assign,
        super::work_models::assignments,
        super::work_models::organisation,
        super::work_models::update_organisation,
        super::absences::list,
        super::absences::create,
        super::absences::remove,
        super::links::list,
        super::links::create,
        super::links::update,
        super::devices::list,
        super::devices::request_sync_all,
        super::devices::request_sync_one,
        super::device::uninstall,
        super::governance::set_requirement,
        super::governance::history,
        super::governance::uninstall,
        super::governance::rename,
        super::quarantine::list,
        super::quarantine::accept,
        super::quarantine::reject,
        super::payroll::check,
        super::payroll::run,
        super::payroll::unlock,
        super::payroll_basis::list,
        super::payroll_basis::basis,
        super::payroll_basis::basis_of_employee,
        super::payroll_basis::export,
        super::audit::list,
    ),
    components(schemas(shared_model::wire::ErrorBody, shared_model::wire::ErrorDetail, shared_model::PunchEvent, EmployeeCreate, LinkCreate)),
    modifiers(&Contract),
)]
pub struct ApiDoc;

/// Adds the security schemes the operations name.
pub struct Contract;

impl Modify for Contract {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let schemes = [
            (SESSION, ApiKey::Cookie(ApiKeyValue::with_description(
                super::session::COOKIE_NAME,
                "The session of `POST /api/v1/auth/login` (HttpOnly, SameSite=Strict, 12 hours).",
            ))),
            (CSRF, ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The `csrf_token` of the login answer (or of `GET /api/v1/auth/me`); required on every request that is not GET.",
            ))),
            ("device_id", ApiKey::Header(ApiKeyValue::with_description("X-Device-Id", "The device id of the enrolment answer (a UUID)."))),
            ("device_timestamp", ApiKey::Header(ApiKeyValue::with_description(
                "X-Timestamp",
                "RFC 3339 UTC time of signing; more than 5 minutes from server time is 401 `clock_skew` with `details.server_time`.",
            ))),
            ("device_signature", ApiKey::Header(ApiKeyValue::with_description(
                "X-Signature",
                "Ed25519 signature, base64url without padding (a padded or non-canonical encoding is 401 `bad_signature`), over the UTF-8 bytes of \
                 `\"stampclock-v1\\n\" + METHOD + \"\\n\" + PATH_AND_QUERY + \"\\n\" + X-Timestamp + \"\\n\" + lowercase_hex(SHA-256(body))`. \
                 A signature is accepted once (a replay is 401 `bad_signature`).",
            ))),
        ];
        for (name, key) in schemes {
            components.add_security_scheme(name, SecurityScheme::ApiKey(key));
        }
    }
}

/// `POST /api/v1/employees` body: every field of the PATCH body, with `name` and a `number` (to
/// stamp) or a `username` (to log in) required. The handler reads it as `EmployeeInput`; the
/// test `create_schemas_mirror_the_patch_schemas` keeps the two field lists equal.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EmployeeCreate {
    /// Employee number typed at the tablet; unique in the organisation (409 `already_exists`).
    number: Option<String>,
    name: String,
    /// Default `employee`; only an admin may create an admin (403 `forbidden`).
    role: Option<Role>,
    /// 4–8 digits; stored as a PBKDF2 hash the tablets check offline.
    pin: Option<String>,
    /// Any accepted spelling of a Swedish personnummer or samordningsnummer (400
    /// `invalid_personnummer` otherwise); stored only as a keyed hash and the last four digits.
    personnummer: Option<String>,
    /// Default true.
    active: Option<bool>,
    /// Web login name, stored lower-case, unique (409 `already_exists`). Admin only: a manager
    /// sending it gets 403 `not_authorised`.
    username: Option<String>,
    /// Web password: at least 10 characters (the CLI's rule) and at most 1024 bytes of UTF-8;
    /// write-only, never part of an answer. Admin only: a manager sending it gets 403
    /// `not_authorised`.
    password: Option<String>,
}

/// `POST /api/v1/links` body: `project` and `account` required.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LinkCreate {
    project: String,
    account: String,
    /// Default true.
    active: Option<bool>,
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", operation_id = "openapi_document",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn openapi_document() -> Result<Response, ApiError> {
    match &*DOCUMENT {
        Ok(json) => Ok(([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response()),
        Err(e) => Err(ApiError::Internal(format!("the OpenAPI document could not be built: {e}"))),
    }
}

/// The served document, built and serialised once.
static DOCUMENT: LazyLock<Result<Bytes, String>> =
    LazyLock::new(|| document().and_then(|doc| serde_json::to_vec(&doc).map(Bytes::from).map_err(|e| e.to_string())));

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi_document))
}

/// Regex class of what Rust's `str::trim` removes (Unicode White_Space).
const TRIMMED: &str = r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// The same without the control characters among them.
const TRIMMED_PRINTABLE: &str = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Regex class of a control character (`char::is_control`, general category Cc).
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// The server's "1–max printable characters" rule as a pattern: after trimming white space the
/// text is 1 to `max` characters, none of them a control character. `controls_at_ends` says
/// whether white-space controls (tab, newline…) may be trimmed away (names of people and
/// devices) or are refused anywhere (links).
pub fn printable_text(max: usize, controls_at_ends: bool) -> String {
    let edge = if controls_at_ends { TRIMMED } else { TRIMMED_PRINTABLE };
    // A boundary character: neither white space nor a control character.
    let solid = format!(r"[^{CONTROL}\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]");
    let inner = format!("[^{CONTROL}]");
    format!("^[{edge}]*{solid}(?:{inner}{{0,{}}}{solid})?[{edge}]*$", max - 2)
}

/// The document as served: utoipa's output plus what holds for all operations alike. An error
/// names the schema, property or path the post-processing expected and did not find.
pub fn document() -> Result<Value, String> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).map_err(|e| e.to_string())?;
    constrain(&mut doc)?;
    common_responses(&mut doc)?;
    Ok(doc)
}

/// The JSON object at `pointer`, or an error naming `what`.
fn object<'a>(doc: &'a mut Value, pointer: &str, what: &str) -> Result<&'a mut Map<String, Value>, String> {
    doc.pointer_mut(pointer).and_then(Value::as_object_mut).ok_or_else(|| format!("OpenAPI: no {what}"))
}

fn property<'a>(doc: &'a mut Value, schema: &str, name: &str) -> Result<&'a mut Map<String, Value>, String> {
    object(doc, &format!("/components/schemas/{schema}/properties/{name}"), &format!("property {schema}.{name}"))
}

fn schema<'a>(doc: &'a mut Value, name: &str) -> Result<&'a mut Map<String, Value>, String> {
    object(doc, &format!("/components/schemas/{name}"), &format!("schema {name}"))
}

/// The input rules of the handlers (people.rs `check_input`, links.rs `field`, device.rs
/// `enrol`/`check_text`, governance.rs `set_requirement`, `PunchEvent::check_shape`).
fn constrain(doc: &mut Value) -> Result<(), String> {
    for s in ["EmployeeInput", "EmployeeCreate"] {
        property(doc, s, "number")?.insert("pattern".into(), printable_text(32, true).into());
        property(doc, s, "name")?.insert("pattern".into(), printable_text(200, true).into());
        property(doc, s, "username")?.insert("pattern".into(), printable_text(100, true).into());
        property(doc, s, "pin")?.insert("pattern".into(), "^[0-9]{4,8}$".into());
        let pw = property(doc, s, "password")?;
        pw.insert("minLength".into(), 10.into());
        pw.insert("maxLength".into(), 1024.into());
        // Secrets are accepted, never answered (JSON Schema's annotation for exactly that).
        for secret in ["password", "pin", "personnummer"] {
            property(doc, s, secret)?.insert("writeOnly".into(), true.into());
        }
        schema(doc, s)?.insert("additionalProperties".into(), false.into());
    }
    // A new employee needs a number (to stamp) or a username (to log in); null counts as absent.
    schema(doc, "EmployeeCreate")?.insert(
        "anyOf".into(),
        json!([
            {"required": ["number"], "properties": {"number": {"type": "string"}}},
            {"required": ["username"], "properties": {"username": {"type": "string"}}}
        ]),
    );
    for s in ["LinkInput", "LinkCreate"] {
        for p in ["project", "account"] {
            property(doc, s, p)?.insert("pattern".into(), printable_text(200, false).into());
        }
        schema(doc, s)?.insert("additionalProperties".into(), false.into());
    }
    property(doc, "EnrolRequest", "enrolment_code")?.insert(
        "pattern".into(),
        "^[^A-Za-z0-9]*(?:[A-Za-z0-9][^A-Za-z0-9]*){1,32}$".into(),
    );
    property(doc, "EnrolRequest", "public_key")?.insert("pattern".into(), "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=*$".into());
    property(doc, "DevicePatch", "name")?.insert("pattern".into(), printable_text(60, true).into());
    property(doc, "CodeRequest", "device_name")?.insert("pattern".into(), printable_text(60, true).into());
    property(doc, "EnrolRequest", "platform")?.insert("pattern".into(), printable_text(300, true).into());
    property(doc, "EnrolRequest", "app_version")?.insert("pattern".into(), printable_text(64, true).into());
    // `state` and `period` go together: a period only with `disabled_for_period`.
    let state = property(doc, "RequirementInput", "state")?;
    state.insert("enum".into(), json!(["active", "disabled_for_period", "disabled_permanently"]));
    schema(doc, "RequirementInput")?.insert(
        "oneOf".into(),
        json!([
            {"properties": {"state": {"enum": ["active", "disabled_permanently"]}, "period": {"type": "null"}}},
            {"properties": {"state": {"const": "disabled_for_period"}}}
        ]),
    );
    // Ids are not the nil UUID. Whether a start needs a link is the organisation's setting
    // (`links_required`), which a schema cannot state: the sync answers 400 where it does.
    let nil = json!({"const": "00000000-0000-0000-0000-000000000000"});
    property(doc, "PunchEvent", "id")?.insert("not".into(), nil.clone());
    property(doc, "PunchEvent", "employee_id")?.insert("not".into(), nil);
    // The web uninstall's body is optional: an empty DELETE asks for the confirmation.
    object(doc, "/paths/~1api~1v1~1devices~1{id}/delete/requestBody", "request body of DELETE /api/v1/devices/{id}")?
        .insert("required".into(), false.into());
    for s in [
        "EnrolRequest", "SyncRequest", "PunchEvent", "UninstallRequest", "LoginRequest", "CodeRequest", "LinkIds",
        "RequirementInput", "UninstallConfirmation", "RunRequest",
    ] {
        schema(doc, s)?.insert("additionalProperties".into(), false.into());
    }
    Ok(())
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

/// Adds `status` with `codes` to an operation's responses, or appends them to the description
/// of the answer the annotation already lists.
fn add_response(responses: &mut Map<String, Value>, status: &str, codes: &str) {
    match responses.get_mut(status).and_then(|r| r.get_mut("description")) {
        Some(Value::String(d)) if !d.contains(codes) => {
            d.push_str("; ");
            d.push_str(codes);
        }
        Some(_) => {}
        None => {
            responses.insert(status.into(), error_response(codes));
        }
    }
}

/// The answers every operation of a kind has, and the error body on every error answer.
fn common_responses(doc: &mut Value) -> Result<(), String> {
    let paths = object(doc, "/paths", "paths")?;
    for (path, item) in paths.iter_mut() {
        let item = item.as_object_mut().ok_or_else(|| format!("OpenAPI: path item {path} is not an object"))?;
        for (method, op) in item.iter_mut() {
            let op = op.as_object_mut().ok_or_else(|| format!("OpenAPI: {method} {path} is not an object"))?;
            let security: Vec<String> = op
                .get("security")
                .and_then(Value::as_array)
                .map(|reqs| reqs.iter().filter_map(Value::as_object).flat_map(|r| r.keys().cloned()).collect())
                .unwrap_or_default();
            let has_body = op.contains_key("requestBody");
            let has_query = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let has_path_id = path.contains('{');
            let responses =
                op.get_mut("responses").and_then(Value::as_object_mut).ok_or_else(|| format!("OpenAPI: {method} {path} has no responses"))?;
            if security.iter().any(|s| s == SESSION) {
                add_response(responses, "401", "`unauthenticated`: no session cookie, an expired session or a deactivated person");
                if method != "get" {
                    add_response(responses, "403", "`csrf_failed`: missing or wrong X-CSRF-Token header");
                }
            }
            if security.iter().any(|s| s == "device_signature") {
                add_response(
                    responses,
                    "401",
                    "`bad_signature` (missing, malformed, padded, non-canonical, wrong or replayed signature; unknown device) or `clock_skew` (`details.server_time`)",
                );
            }
            if has_body {
                add_response(responses, "400", "`invalid_request`: malformed JSON, a missing `Content-Type: application/json`, an unknown field or a wrong type");
            }
            if has_query {
                add_response(responses, "400", "`invalid_request`: an unknown query parameter or a value out of range");
            }
            if has_path_id {
                add_response(responses, "404", "`not_found`");
            }
            add_response(responses, "413", "`payload_too_large`: a body over 4 MiB");
            if path != "/api/v1/health" && path != "/api/v1/openapi.json" {
                add_response(responses, "500", "`internal_error`: the server failed; nothing was applied");
            }
            for (status, response) in responses.iter_mut() {
                if status.starts_with('4') || (status.starts_with('5') && status != "503") {
                    response
                        .as_object_mut()
                        .ok_or_else(|| format!("OpenAPI: response {status} of {method} {path} is not an object"))?
                        .insert("content".into(), json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}));
                }
            }
        }
    }
    object(doc, "/components", "components")?.insert("responses".into(), json!({"MethodNotAllowed": error_response("`method_not_allowed`: the path does not have this method; the `Allow` header lists those it has")}));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(doc: &Value, schema: &str) -> Vec<String> {
        let mut v: Vec<String> = doc["components"]["schemas"][schema]["properties"].as_object().unwrap().keys().cloned().collect();
        v.sort();
        v
    }

    #[test]
    fn create_schemas_mirror_the_patch_schemas() {
        let doc = document().unwrap();
        assert_eq!(props(&doc, "EmployeeCreate"), props(&doc, "EmployeeInput"));
        assert_eq!(props(&doc, "LinkCreate"), props(&doc, "LinkInput"));
    }

    #[test]
    fn printable_text_matches_the_trim_rule() {
        // The pattern's shape, spot-checked by hand (no regex engine in the dependencies).
        let p = printable_text(32, true);
        assert!(p.starts_with("^[") && p.ends_with("]*$"), "{p}");
        assert!(p.contains("{0,30}"), "{p}");
    }
}
