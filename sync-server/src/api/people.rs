//! Employees (people) and their links: what feeds the tablets' roster.

use shared_model::ErrorCode;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::wire::Page;
use shared_model::{secret_hash, Personnummer, Role};
use uuid::Uuid;

use super::extract::{next_cursor, parse_id, ApiJson, ApiQuery, PageQuery};
use super::links::LinkView;
use super::session::Caller;
use crate::crypto;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{links as store_links, organisations, people, ChangedBy, NewPerson, Person, PersonPatch};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/employees", get(list).post(create))
        .route("/api/v1/employees/{id}", patch(update))
        .route("/api/v1/employees/{id}/links", put(set_links).get(employee_links))
}

/// Create or change an employee; every field optional on PATCH. Secrets are write-only.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployeeInput {
    /// Employee number typed at the tablet; unique in the organisation.
    pub number: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    /// 4–8 digits; stored as a PBKDF2 hash the tablets check offline.
    pub pin: Option<String>,
    /// Any accepted spelling; stored only as a keyed hash and the last four digits.
    pub personnummer: Option<String>,
    pub active: Option<bool>,
    /// Web login name (optional: staff who only stamp need none), stored lower-case and unique
    /// (409 `already_exists`, `details.field` = `username`). Admin only: a manager sending it
    /// gets 403 `not_authorised`.
    pub username: Option<String>,
    /// Web password: at least 10 characters (the CLI's rule) and at most 1024 bytes; write-only,
    /// never part of an answer. Admin only (403 `not_authorised` for a manager); a new password
    /// ends the person's other sessions.
    pub password: Option<String>,
}

/// An employee as the admin API shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployeeView {
    pub id: Uuid,
    pub number: Option<String>,
    pub name: String,
    pub role: Role,
    pub username: Option<String>,
    pub personnummer_last4: Option<String>,
    pub active: bool,
    pub links: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(p: Person, links: Vec<Uuid>) -> Result<EmployeeView, ApiError> {
    Ok(EmployeeView {
        id: p.id,
        role: p.role()?,
        number: p.number,
        name: p.name,
        username: p.username,
        personnummer_last4: p.personnummer_last4,
        active: p.active,
        links,
        created_at: p.created_at,
        updated_at: p.updated_at,
    })
}

/// Secrets hashed and values checked, ready for the store.
struct Checked {
    number: Option<String>,
    name: Option<String>,
    username: Option<String>,
    password_hash: Option<String>,
    pin_hash: Option<String>,
    personnummer: Option<(String, String)>,
}

/// Validates an input and hashes its secrets off the async threads (PBKDF2 is deliberately slow).
pub async fn check_input(state: &AppState, org_tz: chrono_tz::Tz, input: &EmployeeInput) -> Result<CheckedPerson, ApiError> {
    let text = |field: &str, v: &Option<String>, max: usize| -> Result<Option<String>, ApiError> {
        match v {
            None => Ok(None),
            Some(s) => {
                let t = s.trim();
                if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
                    Err(ApiError::InvalidRequest(format!("{field} must be 1–{max} printable characters")))
                } else {
                    Ok(Some(t.to_owned()))
                }
            }
        }
    };
    let number = text("number", &input.number, 32)?;
    let name = text("name", &input.name, 200)?;
    let username = text("username", &input.username, 100)?.map(|u| u.to_lowercase());
    if let Some(pin) = &input.pin {
        if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::InvalidRequest("pin must be 4–8 digits".into()));
        }
    }
    if let Some(pw) = &input.password {
        if pw.chars().count() < 10 || pw.len() > 1024 {
            return Err(ApiError::InvalidRequest("password must be at least 10 characters".into()));
        }
    }
    let personnummer = match &input.personnummer {
        None => None,
        Some(raw) => {
            let today = state.clock.now().with_timezone(&org_tz).date_naive();
            let p = Personnummer::parse(raw, today).map_err(|e| {
                ApiError::coded(StatusCode::BAD_REQUEST, ErrorCode::InvalidPersonnummer, format!("personnummer: {e}"))
            })?;
            Some((state.personnummer_key.hash(&p), p.last4().to_owned()))
        }
    };
    let (pin, password) = (input.pin.clone(), input.password.clone());
    let (pin_hash, password_hash) = if pin.is_none() && password.is_none() {
        (None, None)
    } else {
        state
            .hash_blocking(move || {
                let pin_hash = pin.map(|p| secret_hash::hash(&p, &crypto::random_bytes(16), secret_hash::PIN_ITERATIONS));
                let password_hash =
                    password.map(|p| secret_hash::hash(&p, &crypto::random_bytes(16), secret_hash::PASSWORD_ITERATIONS));
                (pin_hash, password_hash)
            })
            .await?
    };
    Ok(CheckedPerson(Checked { number, name, username, password_hash, pin_hash, personnummer }))
}

/// The validated, hashed form of an [`EmployeeInput`].
pub struct CheckedPerson(Checked);

impl CheckedPerson {
    /// A new person of `org` from a checked input; `name` must be present.
    pub fn into_new(self, org: Uuid, role: Role, active: bool) -> Result<NewPerson, ApiError> {
        let c = self.0;
        let name = c.name.ok_or_else(|| ApiError::InvalidRequest("name is required".into()))?;
        if c.number.is_none() && c.username.is_none() {
            return Err(ApiError::InvalidRequest("an employee needs a number (to stamp) or a username (to log in)".into()));
        }
        let (personnummer_hmac, personnummer_last4) = c.personnummer.unzip();
        Ok(NewPerson {
            id: Uuid::now_v7(),
            organisation_id: org,
            number: c.number,
            name,
            role,
            username: c.username,
            password_hash: c.password_hash,
            pin_hash: c.pin_hash,
            personnummer_hmac,
            personnummer_last4,
            active,
        })
    }

    fn into_patch(self, role: Option<Role>, active: Option<bool>) -> PersonPatch {
        let c = self.0;
        let (personnummer_hmac, personnummer_last4) = c.personnummer.unzip();
        PersonPatch {
            number: c.number,
            name: c.name,
            role,
            username: c.username,
            password_hash: c.password_hash,
            pin_hash: c.pin_hash,
            personnummer_hmac,
            personnummer_last4,
            active,
        }
    }
}

/// Web logins are the admin's to hand out (PROTOCOL.md: `username` and `password` are
/// admin-only): a manager who could set them could take over a colleague's account or plant
/// logins that outlive their own.
fn guard_credentials(caller: &Caller, input: &EmployeeInput) -> Result<(), ApiError> {
    if caller.role != Role::Admin && (input.username.is_some() || input.password.is_some()) {
        tracing::warn!(by = %caller.person.id, "refused: a non-admin tried to set a web login");
        return Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            ErrorCode::NotAuthorised,
            "only an admin may set a username or password (a web login)",
        ));
    }
    Ok(())
}

/// Only an admin may create an admin or change one.
fn guard_admin_grant(caller: &Caller, role_involved: Role) -> Result<(), ApiError> {
    if role_involved == Role::Admin && caller.role != Role::Admin {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

async fn org_tz(state: &AppState, org: Uuid) -> Result<chrono_tz::Tz, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let o = organisations::get(&mut tx, org).await?.ok_or(ApiError::NotFound("organisation"))?;
    tx.commit().await?;
    Ok(o.tz()?)
}

/// List the organisation's employees.
#[utoipa::path(get, path = "/api/v1/employees", tag = "people", operation_id = "list_employees", params(PageQuery),
    security(("session" = [])),
    responses((status = 200, body = Page<EmployeeView>), (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<EmployeeView>>, ApiError> {
    caller.require_manager()?;
    let (cursor, limit) = q.resolve()?;
    let mut tx = state.store.begin_read().await?;
    let people = people::list(&mut tx, caller.org(), cursor, limit).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut links = people::links_of(&mut tx, caller.org(), &ids).await?;
    tx.commit().await?;
    let next_cursor = next_cursor(ids.iter().copied(), limit);
    let items = people
        .into_iter()
        .map(|p| {
            let l = links.remove(&p.id).unwrap_or_default();
            view(p, l)
        })
        .collect::<Result<_, _>>()?;
    Ok(Json(Page { items, next_cursor }))
}

/// Create an employee; an admin may give them a web login (`username` + `password`) at once.
#[utoipa::path(post, path = "/api/v1/employees", tag = "people", operation_id = "create_employee",
    request_body = super::openapi::EmployeeCreate,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = EmployeeView),
              (status = 400, description = "`invalid_request` naming the field (a field breaks its rule, e.g. a `password` under 10 characters; `name` missing; neither `number` nor `username`) or `invalid_personnummer`"),
              (status = 403, description = "`forbidden`: admins and managers only, and only an admin may create an admin; `not_authorised`: a manager sent `username` or `password`"),
              (status = 409, description = "`already_exists` (`details.field`: the number or username)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<EmployeeInput>) -> Result<Response, ApiError> {
    caller.require_manager()?;
    guard_credentials(&caller, &input)?;
    let role = input.role.unwrap_or(Role::Employee);
    guard_admin_grant(&caller, role)?;
    let tz = org_tz(&state, caller.org()).await?;
    let new = check_input(&state, tz, &input).await?.into_new(caller.org(), role, input.active.unwrap_or(true))?;
    let by = ChangedBy { actor: Some(caller.person.id), keep_session: None };
    let mut tx = state.store.begin().await?;
    let person = people::create(&mut tx, &new, &by, state.clock.now()).await?;
    tx.commit().await?;
    tracing::info!(person = %person.id, by = %caller.person.id, "employee created");
    Ok((StatusCode::CREATED, Json(view(person, Vec::new())?)).into_response())
}

/// Change an employee; an admin may give or change their web login.
#[utoipa::path(patch, path = "/api/v1/employees/{id}", tag = "people", operation_id = "update_employee", request_body = EmployeeInput,
    params(("id" = Uuid, Path, description = "The employee's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = EmployeeView),
              (status = 400, description = "`invalid_request` naming the field (a field breaks its rule, e.g. a `password` under 10 characters) or `invalid_personnummer`"),
              (status = 403, description = "`forbidden`: admins and managers only, and only an admin may change an admin or grant the role; `not_authorised`: a manager sent `username` or `password`"),
              (status = 404, description = "`not_found`: no such employee in the organisation"),
              (status = 409, description = "`already_exists` (`details.field`: the number or username)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EmployeeInput>,
) -> Result<Json<EmployeeView>, ApiError> {
    caller.require_manager()?;
    guard_credentials(&caller, &input)?;
    let id = parse_id(&id, "employee")?;
    let mut tx = state.store.begin_read().await?;
    let current = people::get(&mut tx, caller.org(), id).await?.ok_or(ApiError::NotFound("employee"))?;
    tx.commit().await?;
    guard_admin_grant(&caller, current.role()?)?;
    if let Some(r) = input.role {
        guard_admin_grant(&caller, r)?;
    }
    let tz = org_tz(&state, caller.org()).await?;
    let patch = check_input(&state, tz, &input).await?.into_patch(input.role, input.active);
    // The caller's own session survives their own password change; every other one ends.
    let by = ChangedBy { actor: Some(caller.person.id), keep_session: Some(caller.session.token_hash.clone()) };
    let mut tx = state.store.begin().await?;
    let person = people::update(&mut tx, caller.org(), id, &patch, &by, state.clock.now()).await?.ok_or(ApiError::NotFound("employee"))?;
    let links = people::links_of(&mut tx, caller.org(), &[id]).await?.remove(&id).unwrap_or_default();
    tx.commit().await?;
    Ok(Json(view(person, links)?))
}

/// The links an employee may stamp on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIds {
    /// At most 10,000 ids.
    #[schema(max_items = 10000)]
    pub link_ids: Vec<Uuid>,
}

/// Replace the links an employee may stamp on.
#[utoipa::path(put, path = "/api/v1/employees/{id}/links", tag = "people", operation_id = "set_employee_links", request_body = LinkIds,
    params(("id" = Uuid, Path, description = "The employee's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = EmployeeView), (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no such employee in the organisation"),
              (status = 422, description = "`unknown_reference`: a link id that is not one of the organisation's")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn set_links(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkIds>,
) -> Result<Json<EmployeeView>, ApiError> {
    caller.require_manager()?;
    let id = parse_id(&id, "employee")?;
    if body.link_ids.len() > 10_000 {
        return Err(ApiError::InvalidRequest("too many links".into()));
    }
    let mut tx = state.store.begin().await?;
    let person = people::get(&mut tx, caller.org(), id).await?.ok_or(ApiError::NotFound("employee"))?;
    let before = people::links_of(&mut tx, caller.org(), &[id]).await?.remove(&id).unwrap_or_default();
    people::set_links(&mut tx, caller.org(), id, &body.link_ids).await?;
    let links = people::links_of(&mut tx, caller.org(), &[id]).await?.remove(&id).unwrap_or_default();
    crate::store::audit::person_links_changed(&mut tx, caller.org(), Some(caller.person.id), id, &before, &links, state.clock.now()).await?;
    tx.commit().await?;
    Ok(Json(view(person, links)?))
}

/// The links a person may stamp on and book to, with their names (`next_cursor` always null):
/// an employee's own booking picker needs them, and `GET /api/v1/links` is for managers.
#[utoipa::path(get, path = "/api/v1/employees/{id}/links", tag = "people", operation_id = "list_employee_links",
    params(("id" = Uuid, Path, description = "The employee's id (a malformed id is 404 `not_found`)")),
    security(("session" = [])),
    responses((status = 200, body = Page<LinkView>),
              (status = 403, description = "`forbidden`: an employee or team lead asking for someone else's links"),
              (status = 404, description = "`not_found`: no such employee in the organisation")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn employee_links(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Page<LinkView>>, ApiError> {
    let id = parse_id(&id, "employee")?;
    if caller.person.id != id {
        caller.require_manager()?;
    }
    let mut tx = state.store.begin_read().await?;
    people::get(&mut tx, caller.org(), id).await?.ok_or(ApiError::NotFound("employee"))?;
    let assigned: std::collections::HashSet<Uuid> = people::links_of(&mut tx, caller.org(), &[id]).await?.remove(&id).unwrap_or_default().into_iter().collect();
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = store_links::list(&mut tx, caller.org(), cursor, 1000).await?;
        cursor = page.last().map(|l| l.id);
        let full = page.len() == 1000;
        items.extend(page.into_iter().filter(|l| assigned.contains(&l.id)).map(LinkView::from));
        if !full {
            break;
        }
    }
    tx.commit().await?;
    Ok(Json(Page { items, next_cursor: None }))
}
