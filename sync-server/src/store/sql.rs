//! The SQL both dialects share, written once: `impl_store!` expands it into a `Store` impl for
//! a concrete pool type. Each dialect supplies `begin_write` (SQLite takes the write lock up
//! front) and `insert_events` (PostgreSQL inserts a page with one UNNEST statement).
//! Placeholders are `$n`, which both PostgreSQL and SQLite understand.

pub(crate) const PERSON_COLS: &str =
    "id, organisation_id, number, name, role, username, personnummer_last4, active, created_at, updated_at";
pub(crate) const DEVICE_COLS: &str = "id, organisation_id, public_key, platform, app_version, installed_at, \
     installed_by, last_contact_at, last_full_sync_at, pending_events, oldest_pending_at, clock_offset_s, \
     sync_state, sync_period, uninstalled_at, uninstalled_by, name";
pub(crate) const LINK_COLS: &str = "id, organisation_id, project, account, active, created_at";
pub(crate) const ORG_COLS: &str = "id, name, time_zone, policy, sync_interval_s, roster_version, created_at";
pub(crate) const EVENT_COMPARE_COLS: &str = "id, device_id, device_seq, employee_id, kind, link_id, comment, \
     occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s";

macro_rules! impl_store {
    ($store:ty, $db:ty, $dialect:expr) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn dialect(&self) -> $crate::store::Dialect {
                $dialect
            }

            async fn migrate(&self) -> StoreResult<()> {
                Self::migrator().run(&self.pool).await?;
                Ok(())
            }

            async fn begin(&self) -> StoreResult<$crate::store::Tx> {
                self.begin_tx().await
            }

            async fn begin_read(&self) -> StoreResult<$crate::store::Tx> {
                self.begin_read_tx().await
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_organisation(&self, name: &str, time_zone: &str, now: DateTime<Utc>) -> StoreResult<Organisation> {
                let sql = format!(
                    "INSERT INTO organisations (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING {}",
                    sql::ORG_COLS
                );
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(Uuid::now_v7())
                    .bind(name)
                    .bind(time_zone)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_unique)
            }

            async fn find_organisation(&self, name_or_id: &str) -> StoreResult<Option<Organisation>> {
                if let Ok(id) = name_or_id.parse::<Uuid>() {
                    if let Some(o) = self.organisation(id).await? {
                        return Ok(Some(o));
                    }
                }
                let sql = format!("SELECT {} FROM organisations WHERE name = $1", sql::ORG_COLS);
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name_or_id).fetch_optional(&self.pool).await?)
            }

            async fn organisation(&self, id: Uuid) -> StoreResult<Option<Organisation>> {
                let sql = format!("SELECT {} FROM organisations WHERE id = $1", sql::ORG_COLS);
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn create_person_by(&self, p: &NewPerson, by: &$crate::store::ChangedBy, now: DateTime<Utc>) -> StoreResult<Person> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "INSERT INTO people (id, organisation_id, number, name, role, username, password_hash, pin_hash, \
                     personnummer_hmac, personnummer_last4, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {}",
                    sql::PERSON_COLS
                );
                let person: Person = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(p.id)
                    .bind(p.organisation_id)
                    .bind(&p.number)
                    .bind(&p.name)
                    .bind(p.role.as_str())
                    .bind(&p.username)
                    .bind(&p.password_hash)
                    .bind(&p.pin_hash)
                    .bind(&p.personnummer_hmac)
                    .bind(&p.personnummer_last4)
                    .bind(p.active)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                if p.number.is_some() {
                    bump_roster(&mut tx, p.organisation_id).await?;
                }
                let fields = p.credential_fields();
                if !fields.is_empty() {
                    audit_credentials(&mut tx, p.organisation_id, by.actor, p.id, &fields, 0, now).await?;
                }
                tx.commit().await?;
                Ok(person)
            }

            async fn update_person_by(&self, org: Uuid, id: Uuid, patch: &PersonPatch, by: &$crate::store::ChangedBy, now: DateTime<Utc>) -> StoreResult<Option<Person>> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "UPDATE people SET number = COALESCE($3, number), name = COALESCE($4, name), role = COALESCE($5, role), \
                     username = COALESCE($6, username), password_hash = COALESCE($7, password_hash), \
                     pin_hash = COALESCE($8, pin_hash), personnummer_hmac = COALESCE($9, personnummer_hmac), \
                     personnummer_last4 = COALESCE($10, personnummer_last4), active = COALESCE($11, active), updated_at = $12 \
                     WHERE organisation_id = $1 AND id = $2 RETURNING {}",
                    sql::PERSON_COLS
                );
                let person: Option<Person> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(org)
                    .bind(id)
                    .bind(&patch.number)
                    .bind(&patch.name)
                    .bind(patch.role.map(|r| r.as_str()))
                    .bind(&patch.username)
                    .bind(&patch.password_hash)
                    .bind(&patch.pin_hash)
                    .bind(&patch.personnummer_hmac)
                    .bind(&patch.personnummer_last4)
                    .bind(patch.active)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                if person.is_some() && patch.touches_roster() {
                    bump_roster(&mut tx, org).await?;
                }
                let mut sessions_ended = 0;
                if person.is_some() && patch.active == Some(false) {
                    // A deactivated person's web sessions end with it.
                    sessions_ended += sqlx::query("DELETE FROM sessions WHERE organisation_id = $1 AND person_id = $2")
                        .bind(org)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                } else if person.is_some() && patch.password_hash.is_some() {
                    // A new password ends every other session: whoever knew the old one is out.
                    sessions_ended += sqlx::query(
                        "DELETE FROM sessions WHERE organisation_id = $1 AND person_id = $2 AND token_hash <> $3",
                    )
                    .bind(org)
                    .bind(id)
                    .bind(by.keep_session.as_deref().unwrap_or(""))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                let fields = patch.credential_fields();
                if person.is_some() && !fields.is_empty() {
                    audit_credentials(&mut tx, org, by.actor, id, &fields, sessions_ended, now).await?;
                }
                tx.commit().await?;
                Ok(person)
            }

            async fn person(&self, org: Uuid, id: Uuid) -> StoreResult<Option<Person>> {
                let sql = format!("SELECT {} FROM people WHERE organisation_id = $1 AND id = $2", sql::PERSON_COLS);
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn list_people(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Person>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {} FROM people WHERE organisation_id = ", sql::PERSON_COLS));
                qb.push_bind(org);
                if let Some(after) = after {
                    qb.push(" AND id > ").push_bind(after);
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn login_candidate(&self, username: &str) -> StoreResult<Option<(Person, Option<String>)>> {
                let sql = format!("SELECT {}, password_hash FROM people WHERE username = $1", sql::PERSON_COLS);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&self.pool).await?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let person = Person::from_row(&row)?;
                        let hash: Option<String> = row.try_get("password_hash")?;
                        Ok(Some((person, hash)))
                    }
                }
            }

            async fn people_by_personnummer(&self, org: Uuid, hmac: &str) -> StoreResult<Vec<Person>> {
                let sql = format!(
                    "SELECT {} FROM people WHERE organisation_id = $1 AND personnummer_hmac = $2",
                    sql::PERSON_COLS
                );
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(hmac).fetch_all(&self.pool).await?)
            }

            async fn person_links(&self, org: Uuid, people: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
                let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
                if people.is_empty() {
                    return Ok(out);
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT person_id, link_id FROM person_links WHERE organisation_id = ");
                qb.push_bind(org).push(" AND person_id IN (");
                let mut sep = qb.separated(", ");
                for p in people {
                    sep.push_bind(*p);
                }
                qb.push(") ORDER BY person_id, link_id");
                let rows: Vec<(Uuid, Uuid)> = qb.build_query_as().fetch_all(&self.pool).await?;
                for (p, l) in rows {
                    out.entry(p).or_default().push(l);
                }
                Ok(out)
            }

            async fn set_person_links(&self, org: Uuid, person: Uuid, links: &[Uuid]) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM people WHERE organisation_id = $1 AND id = $2")
                    .bind(org)
                    .bind(person)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::UnknownReference("employee"));
                }
                let mut wanted: Vec<Uuid> = links.to_vec();
                wanted.sort();
                wanted.dedup();
                if !wanted.is_empty() {
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM links WHERE organisation_id = ");
                    qb.push_bind(org).push(" AND id IN (");
                    let mut sep = qb.separated(", ");
                    for l in &wanted {
                        sep.push_bind(*l);
                    }
                    qb.push(")");
                    let (found,): (i64,) = qb.build_query_as().fetch_one(&mut *tx).await?;
                    if found != wanted.len() as i64 {
                        return Err(StoreError::UnknownReference("link"));
                    }
                }
                sqlx::query("DELETE FROM person_links WHERE organisation_id = $1 AND person_id = $2")
                    .bind(org)
                    .bind(person)
                    .execute(&mut *tx)
                    .await?;
                for l in &wanted {
                    sqlx::query("INSERT INTO person_links (organisation_id, person_id, link_id) VALUES ($1, $2, $3)")
                        .bind(org)
                        .bind(person)
                        .bind(*l)
                        .execute(&mut *tx)
                        .await?;
                }
                bump_roster(&mut tx, org).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_link(&self, org: Uuid, link: &NewLink, now: DateTime<Utc>) -> StoreResult<Link> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "INSERT INTO links (id, organisation_id, project, account, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {}",
                    sql::LINK_COLS
                );
                let l: Link = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(link.id)
                    .bind(org)
                    .bind(&link.project)
                    .bind(&link.account)
                    .bind(link.active)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                bump_roster(&mut tx, org).await?;
                tx.commit().await?;
                Ok(l)
            }

            async fn update_link(&self, org: Uuid, id: Uuid, patch: &LinkPatch) -> StoreResult<Option<Link>> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "UPDATE links SET project = COALESCE($3, project), account = COALESCE($4, account), \
                     active = COALESCE($5, active) WHERE organisation_id = $1 AND id = $2 RETURNING {}",
                    sql::LINK_COLS
                );
                let l: Option<Link> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(org)
                    .bind(id)
                    .bind(&patch.project)
                    .bind(&patch.account)
                    .bind(patch.active)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                if l.is_some() {
                    bump_roster(&mut tx, org).await?;
                }
                tx.commit().await?;
                Ok(l)
            }

            async fn list_links(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Link>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {} FROM links WHERE organisation_id = ", sql::LINK_COLS));
                qb.push_bind(org);
                if let Some(after) = after {
                    qb.push(" AND id > ").push_bind(after);
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn create_enrolment_code(&self, c: &NewEnrolmentCode) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO enrolment_codes (code_hash, organisation_id, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&c.code_hash)
                .bind(c.organisation_id)
                .bind(c.created_by)
                .bind(c.created_at)
                .bind(c.expires_at)
                .execute(&self.pool)
                .await
                .map_err(map_unique)?;
                Ok(())
            }

            async fn redeem_enrolment_code(&self, code_hash: &str, d: &NewDevice) -> StoreResult<Redeemed> {
                let mut tx = self.begin_write().await?;
                let row: Option<(Uuid, Option<Uuid>, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT organisation_id, created_by, expires_at, used_at FROM enrolment_codes WHERE code_hash = $1",
                )
                .bind(code_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((org, created_by, expires_at, used_at)) = row else {
                    return Ok(Redeemed::Unknown);
                };
                if used_at.is_some() || expires_at <= d.now {
                    return Ok(Redeemed::Expired);
                }
                let used = sqlx::query(
                    "UPDATE enrolment_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1 AND used_at IS NULL",
                )
                .bind(code_hash)
                .bind(d.now)
                .bind(d.id)
                .execute(&mut *tx)
                .await?;
                if used.rows_affected() != 1 {
                    return Ok(Redeemed::Expired);
                }
                let sql = format!(
                    "INSERT INTO devices (id, organisation_id, public_key, platform, app_version, installed_at, installed_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {}",
                    sql::DEVICE_COLS
                );
                let device: Device = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(d.id)
                    .bind(org)
                    .bind(&d.public_key)
                    .bind(&d.platform)
                    .bind(&d.app_version)
                    .bind(d.now)
                    .bind(created_by)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                sqlx::query(
                    "INSERT INTO device_history (id, organisation_id, device_id, at, by_person, event, sync_state, sync_period) \
                     VALUES ($1, $2, $3, $4, $5, 'installed', 'active', NULL)",
                )
                .bind(Uuid::now_v7())
                .bind(org)
                .bind(d.id)
                .bind(d.now)
                .bind(created_by)
                .execute(&mut *tx)
                .await?;
                let sql = format!("SELECT {} FROM organisations WHERE id = $1", sql::ORG_COLS);
                let organisation: Organisation = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(Redeemed::Enrolled { device: Box::new(device), organisation: Box::new(organisation) })
            }

            async fn device(&self, id: Uuid) -> StoreResult<Option<Device>> {
                let sql = format!("SELECT {} FROM devices WHERE id = $1", sql::DEVICE_COLS);
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn list_devices(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Device>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {} FROM devices WHERE organisation_id = ", sql::DEVICE_COLS));
                qb.push_bind(org).push(" AND uninstalled_at IS NULL");
                if let Some(after) = after {
                    qb.push(" AND id > ").push_bind(after);
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn record_clock_offset(&self, device: &Device, now: DateTime<Utc>, clock_offset_s: i64) -> StoreResult<()> {
                sqlx::query("UPDATE devices SET last_contact_at = $3, clock_offset_s = $4 WHERE organisation_id = $1 AND id = $2")
                    .bind(device.organisation_id)
                    .bind(device.id)
                    .bind(now)
                    .bind(clock_offset_s)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn reference_check(&self, org: Uuid, employees: &[Uuid], links: &[Uuid]) -> StoreResult<ReferenceCheck> {
                Self::reference_check_in(&self.pool, org, employees, links).await
            }

            async fn store_sync_page(
                &self,
                device: &Device,
                events: &[NewEvent],
                book: &SyncBookkeeping,
                dirty: &[(Uuid, chrono::NaiveDate)],
            ) -> StoreResult<Vec<Uuid>> {
                let mut tx = self.begin_write().await?;
                let inserted: HashSet<Uuid> =
                    Self::insert_events(&mut tx, device, events, book.now).await?.into_iter().collect();
                let rest: Vec<&NewEvent> = events.iter().filter(|e| !inserted.contains(&e.event.id)).collect();
                if !rest.is_empty() {
                    let stored: Vec<StoredEvent> = Self::stored_for_compare(&mut tx, device, &rest).await?;
                    for e in rest {
                        if let Some(s) = stored.iter().find(|s| s.id == e.event.id) {
                            if !s.same_as(device.id, &e.event) {
                                return Err(StoreError::EventConflict(e.event.id));
                            }
                        } else if let Some(s) =
                            stored.iter().find(|s| s.device_id == device.id && s.device_seq == e.event.device_seq)
                        {
                            return Err(StoreError::SequenceConflict { seq: e.event.device_seq, existing: s.id });
                        } else {
                            return Err(StoreError::Corrupt(format!("event {} neither stored nor conflicting", e.event.id)));
                        }
                    }
                }
                sqlx::query(
                    "UPDATE devices SET last_contact_at = $3, pending_events = $4, oldest_pending_at = $5, \
                     last_full_sync_at = CASE WHEN $4 = 0 THEN $3 ELSE last_full_sync_at END, \
                     clock_offset_s = COALESCE($6, clock_offset_s) WHERE organisation_id = $1 AND id = $2",
                )
                .bind(device.organisation_id)
                .bind(device.id)
                .bind(book.now)
                .bind(book.pending_after)
                .bind(book.oldest_pending_at)
                .bind(book.clock_offset_s)
                .execute(&mut *tx)
                .await?;
                // The employee-days the page touched, for the projection (same transaction: a
                // stored stamp is never missing from the queue).
                for (employee, day) in dirty {
                    sqlx::query($crate::store::ledger::MARK_DIRTY)
                    .bind(device.organisation_id)
                    .bind(employee)
                    .bind(day)
                    .bind(book.now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                let mut acked: Vec<Uuid> = Vec::with_capacity(events.len());
                let mut seen = HashSet::with_capacity(events.len());
                for e in events {
                    if seen.insert(e.event.id) {
                        acked.push(e.event.id);
                    }
                }
                Ok(acked)
            }

            async fn count_events(&self, org: Uuid, status: &str) -> StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE organisation_id = $1 AND status = $2")
                    .bind(org)
                    .bind(status)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn roster(&self, org: Uuid) -> StoreResult<Roster> {
                // The version is read first: content newer than its label is refreshed again at the
                // next sync, while the reverse would leave a tablet on stale PINs for good.
                let (version,): (i64,) = sqlx::query_as("SELECT roster_version FROM organisations WHERE id = $1")
                    .bind(org)
                    .fetch_one(&self.pool)
                    .await?;
                let people: Vec<(Uuid, String, String, String, Option<String>, bool)> = sqlx::query_as(
                    "SELECT id, number, name, role, pin_hash, active FROM people \
                     WHERE organisation_id = $1 AND number IS NOT NULL ORDER BY number",
                )
                .bind(org)
                .fetch_all(&self.pool)
                .await?;
                let assigned: Vec<(Uuid, Uuid)> = sqlx::query_as(
                    "SELECT person_id, link_id FROM person_links WHERE organisation_id = $1 ORDER BY person_id, link_id",
                )
                .bind(org)
                .fetch_all(&self.pool)
                .await?;
                let links: Vec<(Uuid, String, String, bool)> = sqlx::query_as(
                    "SELECT id, project, account, active FROM links WHERE organisation_id = $1 ORDER BY project, account",
                )
                .bind(org)
                .fetch_all(&self.pool)
                .await?;
                let mut by_person: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
                for (p, l) in assigned {
                    by_person.entry(p).or_default().push(l);
                }
                let mut employees = Vec::with_capacity(people.len());
                for (id, number, name, role, pin_hash, active) in people {
                    let role = shared_model::Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
                    employees.push(RosterEmployee {
                        id,
                        number,
                        name,
                        role,
                        pin_hash,
                        active,
                        links: by_person.remove(&id).unwrap_or_default(),
                    });
                }
                Ok(Roster {
                    version: version.to_string(),
                    employees,
                    links: links
                        .into_iter()
                        .map(|(id, project, account, active)| RosterLink { id, project, account, active })
                        .collect(),
                })
            }

            async fn create_session(&self, s: &Session) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, organisation_id, person_id, csrf_token, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&s.token_hash)
                .bind(s.organisation_id)
                .bind(s.person_id)
                .bind(&s.csrf_token)
                .bind(s.created_at)
                .bind(s.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(&self, token_hash: &str) -> StoreResult<Option<(Session, Person)>> {
                let session: Option<Session> = sqlx::query_as(
                    "SELECT token_hash, organisation_id, person_id, csrf_token, created_at, expires_at \
                     FROM sessions WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                let Some(session) = session else { return Ok(None) };
                let person = self.person(session.organisation_id, session.person_id).await?;
                Ok(person.map(|p| (session, p)))
            }

            async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn audit(&self, a: &AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_tx().await?;
                $crate::store::audit::record(&mut tx, a).await?;
                tx.commit().await
            }
        }

        /// The audit row of a credential change: who, whose, which fields, when — never a value.
        async fn audit_credentials(
            tx: &mut sqlx::Transaction<'_, $db>,
            org: Uuid,
            actor: Option<Uuid>,
            subject: Uuid,
            fields: &[&str],
            sessions_ended: u64,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let details = serde_json::json!({ "fields": fields, "sessions_ended": sessions_ended });
            sqlx::query(
                "INSERT INTO audit_log (id, organisation_id, at, actor, kind, subject, details) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(org)
            .bind(now)
            .bind(actor)
            .bind("credentials_changed")
            .bind(subject.to_string())
            .bind(details.to_string())
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Moves the organisation's roster version so tablets pull the new roster.
        async fn bump_roster(tx: &mut sqlx::Transaction<'_, $db>, org: Uuid) -> StoreResult<()> {
            sqlx::query("UPDATE organisations SET roster_version = roster_version + 1 WHERE id = $1")
                .bind(org)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    };
}
