//! The audit log: what staff did and what happened to accounts. Never
//! passwords or tokens. Rows that record a change are written by [`AUDIT`]
//! inside that change's transaction; [`audit`] records what happened
//! outside any other change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, DbResult, on_db};

/// Inserts one audit row: `$1` at, `$2` actor, `$3` action, `$4` object,
/// `$5` detail. Bound only by [`write_audit!`].
pub(crate) const AUDIT: &str =
    "INSERT INTO audit_log (at, actor_id, action, object, detail) VALUES ($1, $2, $3, $4, $5)";

/// One audit row: who did what to which object, never a secret.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub actor: Option<i64>,
    /// A fixed code such as `role.grant` or `wish.approve`.
    pub action: &'a str,
    /// `user:12`, `wish:7`, `workshop:slug`.
    pub object: String,
    pub detail: String,
}

/// Writes an [`Entry`] through `$exec` (a pool, or `&mut *tx` to write it
/// inside the change it records). The one place an audit row is bound.
macro_rules! write_audit {
    ($exec:expr, $entry:expr) => {{
        let e: &$crate::db::audit::Entry<'_> = $entry;
        sqlx::query($crate::db::audit::AUDIT)
            .bind(e.at)
            .bind(e.actor)
            .bind(e.action)
            .bind(&e.object)
            .bind(&e.detail)
            .execute($exec)
            .await
            .map(drop)
    }};
}
pub(crate) use write_audit;

/// Records something that happened, outside any other change.
#[tracing::instrument(name = "db::audit::audit", skip_all, fields(actor = ?actor))]
pub async fn audit(
    db: &Db,
    actor: Option<i64>,
    action: &str,
    object: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let entry =
        Entry { at: now, actor, action, object: object.to_owned(), detail: detail.to_owned() };
    on_db!(db, p => write_audit!(p, &entry)?);
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub object: String,
    pub detail: String,
}

#[tracing::instrument(name = "db::audit::recent_audit", skip_all, fields(limit = limit))]
pub async fn recent_audit(db: &Db, limit: i64) -> DbResult<Vec<AuditRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, AuditRow>(
        "SELECT at, actor_id, action, object, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    ).bind(limit).fetch_all(p).await?))
}
