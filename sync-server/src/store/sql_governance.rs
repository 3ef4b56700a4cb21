//! The governance SQL both dialects share, expanded per dialect like `impl_store!`.

macro_rules! impl_governance {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::GovernanceStore for $store {
            async fn set_sync_requirement(
                &self,
                org: Uuid,
                device: Uuid,
                req: &shared_model::SyncRequirement,
                by: Option<Uuid>,
                now: DateTime<Utc>,
            ) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let period = req.period().map(|p| p.to_string());
                let done = sqlx::query(
                    "UPDATE devices SET sync_state = $3, sync_period = $4 \
                     WHERE organisation_id = $1 AND id = $2 AND uninstalled_at IS NULL",
                )
                .bind(org)
                .bind(device)
                .bind(req.state_str())
                .bind(&period)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                history(&mut tx, org, device, now, by, "sync_requirement_changed", req.state_str(), period.as_deref()).await?;
                audit(&mut tx, org, now, by, "sync_requirement_changed", Some(device.to_string()), Some(serde_json::to_value(req).unwrap_or_default())).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn device_history(&self, org: Uuid, device: Uuid) -> StoreResult<Vec<$crate::store::HistoryRow>> {
                Ok(sqlx::query_as(
                    "SELECT h.at, h.by_person, p.name AS by_name, h.event, h.sync_state, h.sync_period \
                     FROM device_history h LEFT JOIN people p ON p.id = h.by_person AND p.organisation_id = h.organisation_id \
                     WHERE h.organisation_id = $1 AND h.device_id = $2 ORDER BY h.id",
                )
                .bind(org)
                .bind(device)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn uninstall_device(&self, device: &Device, by: Option<Uuid>, via: &'static str, now: DateTime<Utc>) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE devices SET uninstalled_at = $3, uninstalled_by = $4 \
                     WHERE organisation_id = $1 AND id = $2 AND uninstalled_at IS NULL",
                )
                .bind(device.organisation_id)
                .bind(device.id)
                .bind(now)
                .bind(by)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                history(&mut tx, device.organisation_id, device.id, now, by, "uninstalled", &device.sync_state, device.sync_period.as_deref()).await?;
                let details = serde_json::json!({
                    "via": via,
                    "pending_events": device.pending_events,
                    "last_contact_at": device.last_contact_at,
                });
                audit(&mut tx, device.organisation_id, now, by, "device_uninstalled", Some(device.id.to_string()), Some(details)).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn list_quarantine(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<$crate::store::QuarantinedEvent>> {
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at, occurred_offset_s, \
                     received_at, flags FROM events WHERE status = 'quarantined' AND organisation_id = ",
                );
                qb.push_bind(org);
                if let Some(after) = after {
                    qb.push(" AND id > ").push_bind(after);
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn review_quarantined(&self, org: Uuid, event: Uuid, accept: bool, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let status = if accept { "accepted" } else { "rejected" };
                let done = sqlx::query(
                    "UPDATE events SET status = $3, reviewed_at = $4, reviewed_by = $5 \
                     WHERE organisation_id = $1 AND id = $2 AND status = 'quarantined'",
                )
                .bind(org)
                .bind(event)
                .bind(status)
                .bind(now)
                .bind(by)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                let kind = if accept { "quarantine_accepted" } else { "quarantine_rejected" };
                audit(&mut tx, org, now, Some(by), kind, Some(event.to_string()), None).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn period_lock(&self, org: Uuid, period: shared_model::PayPeriod) -> StoreResult<Option<$crate::store::PeriodLock>> {
                Ok(sqlx::query_as(
                    "SELECT period, locked_at, locked_by, payroll_run_id FROM period_locks WHERE organisation_id = $1 AND period = $2",
                )
                .bind(org)
                .bind(period.to_string())
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn locked_periods(&self, org: Uuid) -> StoreResult<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT period FROM period_locks WHERE organisation_id = $1")
                    .bind(org)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(|(p,)| p).collect())
            }

            async fn run_payroll(&self, org: Uuid, period: shared_model::PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<$crate::store::RunOutcome> {
                let mut tx = self.begin_write().await?;
                let p = period.to_string();
                let run_id = Uuid::now_v7();
                sqlx::query("INSERT INTO payroll_runs (id, organisation_id, period, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
                    .bind(run_id)
                    .bind(org)
                    .bind(&p)
                    .bind(now)
                    .bind(by)
                    .execute(&mut *tx)
                    .await?;
                let locked = sqlx::query(
                    "INSERT INTO period_locks (organisation_id, period, locked_at, locked_by, payroll_run_id) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(org)
                .bind(&p)
                .bind(now)
                .bind(by)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
                if locked.rows_affected() != 1 {
                    return Ok($crate::store::RunOutcome::AlreadyLocked);
                }
                let reset: Vec<(Uuid,)> = sqlx::query_as(
                    "UPDATE devices SET sync_state = 'active', sync_period = NULL WHERE organisation_id = $1 \
                     AND sync_state = 'disabled_for_period' AND sync_period = $2 AND uninstalled_at IS NULL RETURNING id",
                )
                .bind(org)
                .bind(&p)
                .fetch_all(&mut *tx)
                .await?;
                for (device,) in &reset {
                    history(&mut tx, org, *device, now, None, "sync_requirement_changed", "active", None).await?;
                }
                let details = serde_json::json!({ "period": p, "payroll_run_id": run_id, "requirements_reset": reset.len() });
                audit(&mut tx, org, now, Some(by), "payroll_run", Some(p.clone()), Some(details)).await?;
                audit(&mut tx, org, now, Some(by), "period_locked", Some(p.clone()), None).await?;
                tx.commit().await?;
                Ok($crate::store::RunOutcome::Locked($crate::store::PayrollRun { id: run_id, period, locked_at: now }))
            }

            async fn unlock_period(&self, org: Uuid, period: shared_model::PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let p = period.to_string();
                let done = sqlx::query("DELETE FROM period_locks WHERE organisation_id = $1 AND period = $2")
                    .bind(org)
                    .bind(&p)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                audit(&mut tx, org, now, Some(by), "period_unlocked", Some(p), None).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn list_audit(&self, org: Uuid, before: Option<Uuid>, limit: i64, kind: Option<&str>) -> StoreResult<Vec<$crate::store::AuditRow>> {
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT a.id, a.at, a.actor, p.name AS actor_name, a.kind, a.subject, a.details FROM audit_log a \
                     LEFT JOIN people p ON p.id = a.actor AND p.organisation_id = a.organisation_id WHERE a.organisation_id = ",
                );
                qb.push_bind(org);
                if let Some(before) = before {
                    qb.push(" AND a.id < ").push_bind(before);
                }
                if let Some(kind) = kind {
                    qb.push(" AND a.kind = ").push_bind(kind.to_owned());
                }
                qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }
        }

        /// Appends a device history row in the open transaction.
        #[allow(clippy::too_many_arguments)]
        async fn history(
            tx: &mut sqlx::Transaction<'_, $db>,
            org: Uuid,
            device: Uuid,
            at: DateTime<Utc>,
            by: Option<Uuid>,
            event: &str,
            state: &str,
            period: Option<&str>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO device_history (id, organisation_id, device_id, at, by_person, event, sync_state, sync_period) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(Uuid::now_v7())
            .bind(org)
            .bind(device)
            .bind(at)
            .bind(by)
            .bind(event)
            .bind(state)
            .bind(period)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Appends an audit row in the open transaction, so the action and its record commit together.
        async fn audit(
            tx: &mut sqlx::Transaction<'_, $db>,
            org: Uuid,
            at: DateTime<Utc>,
            actor: Option<Uuid>,
            kind: &str,
            subject: Option<String>,
            details: Option<serde_json::Value>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO audit_log (id, organisation_id, at, actor, kind, subject, details) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(org)
            .bind(at)
            .bind(actor)
            .bind(kind)
            .bind(subject)
            .bind(details.map(|d| d.to_string()))
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    };
}
