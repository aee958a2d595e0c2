//! Signed-in sessions. The cookie holds a random token; only its hash is
//! stored, so a copy of this table signs nobody in. Ending a session is
//! deleting its row, which every instance sees at once.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::{BeginWrite, Db, DbResult, on_db};
use crate::domain::Grants;

/// Ends every session of user `$1` except session `$2` (0 keeps none).
/// Run inside the transaction of the change that calls for it.
pub(crate) const END_OTHERS: &str = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";

/// Which of a user's sessions a change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// None (a hash upgraded at sign-in).
    None,
    /// Every one but the session making the change.
    AllBut(i64),
    /// Every one.
    All,
}

impl Ending {
    /// Runs inside a write transaction.
    pub(crate) fn keep(self) -> Option<i64> {
        match self {
            Ending::None => None,
            Ending::AllBut(id) => Some(id),
            Ending::All => Some(0),
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub device: String,
}

/// A live session with the user behind it.
#[derive(Debug, Clone, FromRow)]
pub struct Signed {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub display_name: String,
}

/// Stores a new session for `user_id`; returns its id.
#[tracing::instrument(name = "db::sessions::start", skip_all, fields(user_id = user_id))]
pub async fn start(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    device: &str,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, device) \
         VALUES ($1, $2, $3, $3, $4) RETURNING id",
    ).bind(token_hash).bind(user_id).bind(now).bind(device).fetch_one(p).await?))
}

/// The session behind a token, while its user's account exists, with
/// every role that user holds: one query per signed-in request.
#[tracing::instrument(name = "db::sessions::find", skip_all)]
pub async fn find(db: &Db, token_hash: &str) -> DbResult<Option<(Signed, Grants)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        signed: Signed,
        role: Option<String>,
        place_id: Option<i64>,
        district_id: Option<i64>,
        workshop_slug: Option<String>,
    }
    let rows: Vec<Row> = on_db!(db, p => sqlx::query_as::<_, Row>(
        "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.device, u.display_name, \
                r.role, r.place_id, r.district_id, r.workshop_slug \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN user_roles r ON r.user_id = s.user_id \
         WHERE s.token_hash = $1 AND u.deleted_at IS NULL ORDER BY r.id",
    ).bind(token_hash).fetch_all(p).await?);
    let Some(first) = rows.first() else { return Ok(None) };
    let signed = first.signed.clone();
    let roles = rows
        .into_iter()
        .filter_map(|r| {
            let role = r.role?;
            super::accounts::role_of(&role, r.place_id, r.district_id, r.workshop_slug)
        })
        .collect();
    Ok(Some((signed, Grants(roles))))
}

/// Notes that a session was used (called at most every few minutes).
#[tracing::instrument(name = "db::sessions::touch", skip_all, fields(id = id))]
pub async fn touch(db: &Db, id: i64, now: DateTime<Utc>) -> DbResult<()> {
    on_db!(db, p => {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now).bind(id).execute(p).await?;
    });
    Ok(())
}

/// Ends one session of one user ("sign out", "sign out this one").
/// False when it was not theirs or is already gone.
#[tracing::instrument(name = "db::sessions::end", skip_all, fields(user_id = user_id, id = id))]
pub async fn end(db: &Db, user_id: i64, id: i64) -> DbResult<bool> {
    Ok(on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id).execute(p).await?.rows_affected() == 1))
}

/// Ends the session behind a token, whoever's it is (the browser that
/// holds it is signing in afresh).
#[tracing::instrument(name = "db::sessions::end_token", skip_all)]
pub async fn end_token(db: &Db, token_hash: &str) -> DbResult<()> {
    on_db!(db, p => {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash).execute(p).await?;
    });
    Ok(())
}

/// "Sign out everywhere": every session of the user but `keep` (0: all).
#[tracing::instrument(name = "db::sessions::end_others", skip_all, fields(user_id = user_id, keep = keep))]
pub async fn end_others(db: &Db, user_id: i64, keep: i64, now: DateTime<Utc>) -> DbResult<u64> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(END_OTHERS).bind(user_id).bind(keep)
            .execute(&mut *tx).await?.rows_affected();
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(user_id), action: "account.signed_out_everywhere", object: format!("user:{user_id}"), detail: String::new() })?;
        tx.commit().await?;
        Ok(n)
    })
}

/// A user's live sessions (used since `idle_before`, begun since
/// `begun_before`), most recently used first.
#[tracing::instrument(name = "db::sessions::list", skip_all, fields(user_id = user_id))]
pub async fn list(
    db: &Db,
    user_id: i64,
    idle_before: DateTime<Utc>,
    begun_before: DateTime<Utc>,
) -> DbResult<Vec<SessionRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, SessionRow>(
        "SELECT id, user_id, created_at, last_seen_at, device FROM sessions \
         WHERE user_id = $1 AND last_seen_at >= $2 AND created_at >= $3 \
         ORDER BY last_seen_at DESC, id DESC",
    ).bind(user_id).bind(idle_before).bind(begun_before).fetch_all(p).await?))
}

/// Removes sessions unused since `idle_before` or begun before
/// `begun_before` (they no longer sign anyone in anyway).
#[tracing::instrument(name = "db::sessions::sweep", skip_all)]
pub async fn sweep(
    db: &Db,
    idle_before: DateTime<Utc>,
    begun_before: DateTime<Utc>,
) -> DbResult<u64> {
    Ok(on_db!(db, p => sqlx::query(
        "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
    ).bind(idle_before).bind(begun_before).execute(p).await?.rows_affected()))
}
