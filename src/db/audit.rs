//! The audit log: what staff did and what happened to accounts. Never
//! passwords or tokens. Rows that record a change are written by [`AUDIT`]
//! inside that change's transaction; [`audit`] records what happened
//! outside any other change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Arg, Db, DbResult, ListQuery, Paged, bind_args, fetch_page, on_db, page_limit};
use crate::domain::audit::AuditFilter;

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

/// One audit row as the viewer lists it, with the actor's name.
#[derive(Debug, Clone, FromRow)]
pub struct AuditLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub object: String,
    pub detail: String,
}

/// Rows a page of the viewer lists.
pub const AUDIT_PAGE: i64 = 50;

/// The most rows one export holds.
pub const EXPORT_MAX: i64 = 10_000;

/// The viewer's query: the filter's terms from fixed fragments, newest
/// first, ending in `tail`.
fn filtered(filter: &AuditFilter, tail: &str) -> ListQuery {
    let mut terms: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut term = |sql: &str, arg: Arg, args: &mut Vec<Arg>| {
        args.push(arg);
        terms.push(sql.replace('?', &format!("${}", args.len())));
    };
    if let Some(actor) = filter.actor {
        term("a.actor_id = ?", Arg::Int(actor), &mut args);
    }
    match (&filter.object, filter.kind) {
        (Some(object), _) => term("a.object = ?", Arg::Text(object.clone()), &mut args),
        (None, Some(kind)) => term("a.object LIKE ?", Arg::Text(format!("{kind}:%")), &mut args),
        (None, None) => {}
    }
    if let Some(from) = filter.from {
        term("a.at >= ?", Arg::At(from), &mut args);
    }
    if let Some(until) = filter.until {
        term("a.at < ?", Arg::At(until), &mut args);
    }
    let wheres =
        if terms.is_empty() { String::new() } else { format!(" WHERE {}", terms.join(" AND ")) };
    ListQuery {
        rows: format!(
            "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.object, \
                    a.detail \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id{wheres} \
             ORDER BY a.id DESC{tail}"
        ),
        args,
    }
}

/// A page of the audit log, newest first.
#[tracing::instrument(name = "db::audit::page", skip_all, fields(page = page))]
pub async fn page(db: &Db, filter: &AuditFilter, page: i64) -> DbResult<Paged<AuditLine>> {
    let query = filtered(filter, &page_limit(AUDIT_PAGE));
    fetch_page(db, &query, page, AUDIT_PAGE).await
}

/// The rows an export holds (at most [`EXPORT_MAX`] + 1, so the caller
/// knows it was cut), and the export's own audit row, written first.
#[tracing::instrument(name = "db::audit::export", skip_all, fields(actor = actor))]
pub async fn export(
    db: &Db,
    filter: &AuditFilter,
    actor: i64,
    described: &str,
    now: DateTime<Utc>,
) -> DbResult<Vec<AuditLine>> {
    audit(db, Some(actor), "audit.export", "audit:log", described, now).await?;
    let query = filtered(filter, &format!(" LIMIT {}", EXPORT_MAX + 1));
    Ok(on_db!(db, p => {
        let q = sqlx::query_as::<_, AuditLine>(sqlx::AssertSqlSafe(query.rows));
        bind_args!(q, &query.args).fetch_all(p).await?
    }))
}

/// Everyone who holds a staff role, for the viewer's "who" choice.
#[tracing::instrument(name = "db::audit::staff_members", skip_all)]
pub async fn staff_members(db: &Db) -> DbResult<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.display_name FROM users u \
         WHERE EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) ORDER BY u.id",
    ).fetch_all(p).await?))
}
