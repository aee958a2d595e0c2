//! The audit log: what staff did and what happened to accounts. Never
//! passwords or tokens. Rows that record a change are written by [`AUDIT`]
//! inside that change's transaction; [`audit`] records what happened
//! outside any other change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, DbResult, on_db};

/// Inserts one audit row: `$1` at, `$2` actor, `$3` action, `$4` object,
/// `$5` detail.
pub(crate) const AUDIT: &str =
    "INSERT INTO audit_log (at, actor_id, action, object, detail) VALUES ($1, $2, $3, $4, $5)";

/// Records something that happened, outside any other change.
pub async fn audit(
    db: &Db,
    actor: Option<i64>,
    action: &str,
    object: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    on_db!(db, p => {
        sqlx::query(AUDIT).bind(now).bind(actor).bind(action).bind(object).bind(detail)
            .execute(p).await?;
    });
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

pub async fn recent_audit(db: &Db, limit: i64) -> DbResult<Vec<AuditRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, AuditRow>(
        "SELECT at, actor_id, action, object, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    ).bind(limit).fetch_all(p).await?))
}
