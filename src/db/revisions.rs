//! Revisions of edited items (see [`crate::domain::revision`]): the one
//! insert of a revision, an item's history and one old snapshot. Each
//! item's save writes its row, its revision and its audit entry in one
//! transaction, and refuses a save made from an older version.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, DbResult, on_db};
use crate::domain::revision::{FieldChange, Fields, ItemKind, changes_from_stored};

/// Inserts one revision: `$1` kind, `$2` item id, `$3` number, `$4` user,
/// `$5` at, `$6` note, `$7` restored from, `$8` snapshot, `$9` changes.
pub(crate) const INSERT_REVISION: &str = "INSERT INTO revisions \
     (item_kind, item_id, number, user_id, created_at, note, restored_from, snapshot, changes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// One revision to write.
pub(crate) struct NewRevision<'a> {
    pub kind: ItemKind,
    pub item_id: i64,
    pub number: i64,
    pub user: Option<i64>,
    pub at: DateTime<Utc>,
    pub note: &'a str,
    pub restored_from: Option<i64>,
    pub snapshot: String,
    pub changes: String,
}

/// Writes a [`NewRevision`] through `$exec` (inside the save's transaction).
macro_rules! write_revision {
    ($exec:expr, $rev:expr) => {{
        let r: &$crate::db::revisions::NewRevision<'_> = $rev;
        sqlx::query($crate::db::revisions::INSERT_REVISION)
            .bind(r.kind.code())
            .bind(r.item_id)
            .bind(r.number)
            .bind(r.user)
            .bind(r.at)
            .bind(r.note)
            .bind(r.restored_from)
            .bind(&r.snapshot)
            .bind(&r.changes)
            .execute($exec)
            .await
            .map(drop)
    }};
}
pub(crate) use write_revision;

/// The latest revision's author and time: `$1` kind, `$2` item id.
pub(crate) const LATEST: &str = "SELECT u.display_name, r.created_at FROM revisions r \
     LEFT JOIN users u ON u.id = r.user_id \
     WHERE r.item_kind = $1 AND r.item_id = $2 ORDER BY r.number DESC LIMIT 1";

/// What became of a save.
#[derive(Debug, Clone)]
pub enum Saved {
    /// Written as this revision.
    Revision(i64),
    /// Nothing differed from what is stored; no revision was written.
    Unchanged,
    /// Someone saved since the form was opened; nothing was written.
    Conflict(Conflict),
    /// There is no such item.
    Missing,
}

/// The save that came first, for the second editor to see.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The item as stored now.
    pub current: Fields,
    pub version: i64,
    /// Who saved it and when (`None` for content from the seed).
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// One line of an item's history.
#[derive(Debug, Clone)]
pub struct RevisionLine {
    pub number: i64,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    pub note: String,
    pub restored_from: Option<i64>,
    pub changes: Vec<FieldChange>,
}

#[derive(FromRow)]
struct RevisionRow {
    number: i64,
    display_name: Option<String>,
    created_at: DateTime<Utc>,
    note: String,
    restored_from: Option<i64>,
    changes: String,
}

/// How many revisions a history page lists, newest first.
pub const HISTORY_SHOWN: i64 = 100;

/// An item's revisions, newest first.
#[tracing::instrument(name = "db::revisions::history", skip_all, fields(item_id = item_id))]
pub async fn history(db: &Db, kind: ItemKind, item_id: i64) -> DbResult<Vec<RevisionLine>> {
    let rows = on_db!(db, p => sqlx::query_as::<_, RevisionRow>(
        "SELECT r.number, u.display_name, r.created_at, r.note, r.restored_from, r.changes \
         FROM revisions r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.item_kind = $1 AND r.item_id = $2 ORDER BY r.number DESC LIMIT $3",
    ).bind(kind.code()).bind(item_id).bind(HISTORY_SHOWN).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|r| RevisionLine {
            number: r.number,
            by: r.display_name,
            at: r.created_at,
            note: r.note,
            restored_from: r.restored_from,
            changes: changes_from_stored(&r.changes),
        })
        .collect())
}

/// The fields of one revision of an item.
#[tracing::instrument(name = "db::revisions::snapshot", skip_all, fields(item_id = item_id, number = number))]
pub async fn snapshot(
    db: &Db,
    kind: ItemKind,
    item_id: i64,
    number: i64,
) -> DbResult<Option<Fields>> {
    let stored = on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT snapshot FROM revisions WHERE item_kind = $1 AND item_id = $2 AND number = $3",
    ).bind(kind.code()).bind(item_id).bind(number).fetch_optional(p).await?);
    Ok(stored.as_deref().map(Fields::from_stored))
}
