//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "stampclock API", version = "1", description = "The HTTP contract v1 of PROTOCOL.md. Errors: {\"error\": {\"code\", \"message\", \"details\"?}}."),
    paths(
        super::health::health,
        super::device::enrol,
        super::device::sync,
        super::session::login,
        super::session::logout,
        super::session::me,
        super::enrolment::create,
        super::people::list,
        super::people::create,
        super::people::update,
        super::people::set_links,
        super::links::list,
        super::links::create,
        super::links::update,
        super::devices::list,
        super::device::uninstall,
        super::governance::set_requirement,
        super::governance::history,
        super::governance::uninstall,
        super::quarantine::list,
        super::quarantine::accept,
        super::quarantine::reject,
        super::payroll::check,
        super::payroll::run,
        super::payroll::unlock,
        super::audit::list,
    ),
    components(schemas(shared_model::wire::ErrorBody, shared_model::wire::ErrorDetail, shared_model::PunchEvent))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
