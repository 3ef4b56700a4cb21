//! Web sessions: login, logout, the `Caller` extractor with its CSRF check, and role guards.

use shared_model::ErrorCode;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use shared_model::Role;
use uuid::Uuid;

use super::extract::ApiJson;
use crate::crypto;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{people, sessions, Person, Session};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "stampclock_session";
/// How long a session lives.
pub const SESSION_HOURS: i64 = 12;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/me", get(me))
}

/// The logged-in person making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub person: Person,
    pub role: Role,
    pub session: Session,
}

impl Caller {
    pub fn org(&self) -> Uuid {
        self.person.organisation_id
    }

    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require(&[Role::Admin])
    }

    pub fn require_manager(&self) -> Result<(), ApiError> {
        self.require(&[Role::Admin, Role::Manager])
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE_NAME && !v.is_empty()).then(|| v.to_owned())
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
        let hash = crypto::sha256_hex(&token);
        // One statement on a pooled connection: this runs before every admin request.
        let found = sessions::lookup(&mut state.store.conn().await?, &hash).await?;
        let (session, person) = found.ok_or_else(ApiError::unauthenticated)?;
        if session.expires_at <= state.clock.now() || !person.active {
            let mut tx = state.store.begin().await?;
            sessions::delete(&mut tx, &hash).await?;
            tx.commit().await?;
            return Err(ApiError::unauthenticated());
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !crypto::secret_eq(sent, &session.csrf_token) {
                return Err(ApiError::coded(StatusCode::FORBIDDEN, ErrorCode::CsrfFailed, "missing or wrong X-CSRF-Token header"));
            }
        }
        let role = person.role()?;
        Ok(Caller { person, role, session })
    }
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The logged-in user as the UIs show them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub name: String,
    pub username: Option<String>,
    pub role: Role,
    pub organisation_id: Uuid,
}

/// `POST /api/v1/auth/login` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub user: UserView,
    pub csrf_token: String,
}

fn user_view(p: &Person) -> Result<UserView, ApiError> {
    Ok(UserView { id: p.id, name: p.name.clone(), username: p.username.clone(), role: p.role()?, organisation_id: p.organisation_id })
}

/// Log in with username and password; sets the HttpOnly, SameSite=Strict session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse, description = "Logged in; `Set-Cookie: stampclock_session=…; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200` (also `Secure` behind HTTPS)",
               headers(("Set-Cookie" = String, description = "The session cookie"))),
              (status = 401, description = "`unauthenticated`: unknown user, wrong password or a deactivated person"),
              (status = 429, description = "`too_many_attempts` (`details.retry_after_s`): 5 failures per username or 30 per client address in 15 minutes")))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let user_key = req.username.trim().to_lowercase();
    let ip_key = addr.ip().to_string();
    let pair_key = format!("{user_key}\u{0}{ip_key}");
    let guards = &state.guards;
    // Each check counts the attempt as it decides, so parallel attempts cannot all slip past a
    // check made before any of them failed. The per-user delay comes first: an attempt it
    // refuses is never evaluated and is handed back to the address counters.
    guards.login_ip.acquire(&ip_key, now).map_err(ApiError::too_many_attempts)?;
    if let Err(retry) = guards.login_user_ip.acquire(&pair_key, now) {
        return Err(ApiError::too_many_attempts(retry));
    }
    if let Err(retry) = guards.login_user.acquire(&user_key, now) {
        guards.login_ip.refund(&ip_key, now);
        guards.login_user_ip.refund(&pair_key, now);
        return Err(ApiError::too_many_attempts(retry));
    }
    // Usernames are stored lower-case (the API and the CLI lowercase them), so a login typed as
    // the admin typed it ("Lena.Lind") finds the person.
    let mut tx = state.store.begin_read().await?;
    let candidate = people::login_candidate(&mut tx, &user_key).await?;
    tx.commit().await?;
    let stored = match &candidate {
        Some((person, Some(hash))) if person.active => Some(hash.clone()),
        _ => None,
    };
    let password = req.password;
    let verified = state
        .hash_blocking(move || match stored {
            Some(hash) => shared_model::secret_hash::verify(&password, &hash).unwrap_or(false),
            None => {
                // Spend the same work as a real check so response time does not reveal usernames.
                let _ = shared_model::secret_hash::verify(&password, DUMMY_HASH.as_str());
                false
            }
        })
        .await?;
    let person = match candidate {
        Some((person, _)) if verified => person,
        _ => {
            tracing::info!(client = %ip_key, "failed login");
            return Err(ApiError::unauthenticated());
        }
    };
    guards.login_user.reset(&user_key);
    guards.login_user_ip.reset(&pair_key);
    guards.login_ip.refund(&ip_key, now);
    let token = crypto::token();
    let session = Session {
        token_hash: crypto::sha256_hex(&token),
        organisation_id: person.organisation_id,
        person_id: person.id,
        csrf_token: crypto::token(),
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    let mut tx = state.store.begin().await?;
    sessions::create(&mut tx, &session).await?;
    tx.commit().await?;
    tracing::info!(person = %person.id, "logged in");
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_HOURS * 3600,
        if state.secure_cookies { "; Secure" } else { "" }
    );
    let body = LoginResponse { user: user_view(&person)?, csrf_token: session.csrf_token };
    let mut resp = Json(body).into_response();
    resp.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok(resp)
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    shared_model::secret_hash::hash("not a password", &crypto::random_bytes(16), shared_model::secret_hash::PASSWORD_ITERATIONS)
});

/// End the session and clear the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "The session is ended and the cookie cleared", headers(("Set-Cookie" = String, description = "Clears the session cookie")))))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let mut tx = state.store.begin().await?;
    sessions::delete(&mut tx, &caller.session.token_hash).await?;
    tx.commit().await?;
    let cookie = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok(resp)
}

/// The logged-in user and a fresh copy of the CSRF token (for a reloaded page).
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", operation_id = "me",
    security(("session" = [])),
    responses((status = 200, body = LoginResponse)))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn me(caller: Caller) -> Result<Json<LoginResponse>, ApiError> {
    Ok(Json(LoginResponse { user: user_view(&caller.person)?, csrf_token: caller.session.csrf_token.clone() }))
}
