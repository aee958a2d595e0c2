//! Photos of places, kept in the database (both widths), so that every
//! instance serves the same files; each added or removed with its audit
//! row and the content version in one transaction.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::{BeginWrite, Db, DbResult, on_db};
use crate::domain::photo::Processed;

/// A photo as a page shows it (not its bytes).
#[derive(Debug, Clone, FromRow)]
pub struct PhotoRow {
    pub id: i64,
    pub alt_zh: String,
    pub alt_en: Option<String>,
    pub small_width: i32,
    pub small_height: i32,
    pub large_width: i32,
    pub large_height: i32,
}

/// How many photos a place may have.
pub const PER_PLACE: i64 = 12;

/// A place's photos (`$1`), in the order they were added (no bytes).
pub(crate) const OF_PLACE: &str = "SELECT id, alt_zh, alt_en, small_width, small_height, large_width, large_height \
     FROM photos WHERE place_id = $1 ORDER BY id LIMIT 12";

/// A place's photos, in the order they were added.
#[tracing::instrument(name = "db::photos::of_place", skip_all, fields(place_id = place_id))]
pub async fn of_place(db: &Db, place_id: i64) -> DbResult<Vec<PhotoRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, PhotoRow>(OF_PLACE).bind(place_id).fetch_all(p).await?))
}

/// One width of a photo as JPEG, with its place's id, its district's id,
/// and whether both are published (a draft place's photos are its staff's).
pub type Served = (Vec<u8>, i64, i64, bool);

/// One width of a photo (see [`Served`]).
#[tracing::instrument(name = "db::photos::jpeg", skip_all, fields(photo_id = id))]
pub async fn jpeg(db: &Db, id: i64, large: bool) -> DbResult<Option<Served>> {
    let column = if large { "f.large" } else { "f.small" };
    let sql = format!(
        "SELECT {column}, p.id, p.district_id, (p.published AND d.published) \
         FROM photos f JOIN places p ON p.id = f.place_id JOIN districts d ON d.id = p.district_id \
         WHERE f.id = $1"
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, Served>(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(p).await?))
}

/// What adding a photo came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    New(i64),
    /// The place has [`PER_PLACE`] photos already.
    Full,
}

/// Adds a photo to a place (within [`PER_PLACE`], counted in the same
/// transaction), audited.
#[tracing::instrument(name = "db::photos::add", skip_all, fields(place_id = place_id, user = user))]
pub async fn add(
    db: &Db,
    place_id: i64,
    photo: &Processed,
    alt: (&str, Option<&str>),
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<Added> {
    let size = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let lock = match db.backend() {
        super::Backend::Postgres => "SELECT id FROM places WHERE id = $1 FOR UPDATE",
        super::Backend::Sqlite => "SELECT id FROM places WHERE id = $1",
    };
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Two uploads at once count one after the other (SQLite's write
        // transaction is exclusive already).
        sqlx::query(sqlx::AssertSqlSafe(lock)).bind(place_id).execute(&mut *tx).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE place_id = $1")
            .bind(place_id).fetch_one(&mut *tx).await?;
        if n >= PER_PLACE {
            return Ok(Added::Full);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO photos (place_id, alt_zh, alt_en, small, small_width, small_height, \
                 large, large_width, large_height, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(place_id).bind(alt.0).bind(alt.1)
        .bind(&photo.small.jpeg).bind(size(photo.small.width)).bind(size(photo.small.height))
        .bind(&photo.large.jpeg).bind(size(photo.large.width)).bind(size(photo.large.height))
        .bind(user).bind(now)
        .fetch_one(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "photo.add", object: format!("place:{place_id}"),
            detail: format!("photo:{id}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Added::New(id))
    })
}

/// Removes a place's photo, audited; false when it is not that place's.
#[tracing::instrument(name = "db::photos::remove", skip_all, fields(place_id = place_id, photo_id = id))]
pub async fn remove(
    db: &Db,
    place_id: i64,
    id: i64,
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("DELETE FROM photos WHERE id = $1 AND place_id = $2")
            .bind(id).bind(place_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Ok(false);
        }
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "photo.remove", object: format!("place:{place_id}"),
            detail: format!("photo:{id}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}
