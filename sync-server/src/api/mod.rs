//! The HTTP surface: one module per area, each exposing `router()`.

pub mod absences;
pub mod audit;
pub mod body;
pub mod days;
pub mod device;
pub mod device_weeks;
pub mod devices;
pub mod enrolment;
pub mod extract;
pub mod governance;
pub mod health;
pub mod links;
pub mod openapi;
pub mod payroll;
pub mod payroll_basis;
pub mod people;
pub mod quarantine;
pub mod session;
pub mod timesheets;
pub mod ui;
pub mod work_models;

use shared_model::ErrorCode;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// The largest request body: a full sync page with long comments stays well below it.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The whole API with its shared layers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(openapi::router())
        .merge(device::router())
        .merge(device_weeks::router())
        .merge(session::router())
        .merge(enrolment::router())
        .merge(people::router())
        .merge(days::router())
        .merge(timesheets::router())
        .merge(work_models::router())
        .merge(absences::router())
        .merge(links::router())
        .merge(devices::router())
        .merge(governance::router())
        .merge(quarantine::router())
        .merge(payroll::router())
        .merge(payroll_basis::router())
        .merge(audit::router())
        .merge(ui::router())
        .fallback(|| async { ApiError::coded(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), body::read_whole_body))
        .layer(axum::middleware::from_fn(body::error_body))
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
