//! Photos of places, workshops, districts and stories, kept in the
//! database (both widths), so that every instance serves the same files;
//! each added or removed with its audit row and the content version in one
//! transaction.

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

/// How many photos a place (or a workshop, district or story) may have.
pub const PER_PLACE: i64 = 12;

/// What a photo is of: each kind its own column of `photos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Place(i64),
    Workshop(i64),
    District(i64),
    Story(i64),
    Activity(i64),
}

impl Owner {
    fn column(self) -> &'static str {
        match self {
            Owner::Place(_) => "place_id",
            Owner::Workshop(_) => "workshop_id",
            Owner::District(_) => "district_id",
            Owner::Story(_) => "story_id",
            Owner::Activity(_) => "activity_id",
        }
    }

    fn id(self) -> i64 {
        match self {
            Owner::Place(id)
            | Owner::Workshop(id)
            | Owner::District(id)
            | Owner::Story(id)
            | Owner::Activity(id) => id,
        }
    }

    /// The query for the audit log's name for it (`place:7`; a workshop
    /// by its slug, as its other entries name it), `$1` its id.
    fn object_sql(self) -> &'static str {
        match self {
            Owner::Place(_) => "SELECT 'place:' || CAST($1 AS TEXT)",
            Owner::Workshop(_) => "SELECT 'workshop:' || slug FROM workshops WHERE id = $1",
            Owner::District(_) => "SELECT 'district:' || CAST($1 AS TEXT)",
            Owner::Story(_) => "SELECT 'story:' || CAST($1 AS TEXT)",
            Owner::Activity(_) => "SELECT 'activity:' || CAST($1 AS TEXT)",
        }
    }

    /// Its photos (`$1`), in the order they were added (no bytes).
    pub(crate) fn list_sql(self) -> String {
        format!(
            "SELECT id, alt_zh, alt_en, small_width, small_height, large_width, large_height \
             FROM photos WHERE {} = $1 ORDER BY id LIMIT {PER_PLACE}",
            self.column()
        )
    }
}

/// The photos a district page shows (`$1`): the district's own and its
/// stories' (each with its story), in one query.
pub(crate) const OF_DISTRICT_PAGE: &str = "SELECT f.story_id, f.id, f.alt_zh, f.alt_en, \
     f.small_width, f.small_height, f.large_width, f.large_height FROM photos f \
     WHERE f.district_id = $1 OR f.story_id IN (SELECT s.id FROM stories s WHERE s.district_id = $1) \
     ORDER BY f.id";

/// A row of [`OF_DISTRICT_PAGE`]: a photo, and the story it is of (none:
/// the district's own).
#[derive(Debug, Clone, FromRow)]
pub struct PagePhotoRow {
    pub story_id: Option<i64>,
    #[sqlx(flatten)]
    pub photo: PhotoRow,
}

/// The photos of `owner`, in the order they were added.
#[tracing::instrument(name = "db::photos::of", skip_all, fields(owner = ?owner))]
pub async fn of(db: &Db, owner: Owner) -> DbResult<Vec<PhotoRow>> {
    let sql = owner.list_sql();
    Ok(on_db!(db, p => sqlx::query_as::<_, PhotoRow>(sqlx::AssertSqlSafe(sql))
        .bind(owner.id()).fetch_all(p).await?))
}

/// One width of a photo as JPEG: its bytes, what it is of, that owner's
/// district, and whether the owner and its district are published (a
/// draft's photos are for its staff).
pub struct Served {
    pub jpeg: Vec<u8>,
    pub owner: Owner,
    pub district: i64,
    /// A workshop's slug, which its keepers' role names.
    pub workshop: Option<String>,
    /// An activity's place, whose keepers keep the activity.
    pub activity_place: Option<i64>,
    pub public: bool,
}

type ServedRow = (
    Vec<u8>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
    bool,
);

/// One width of a photo (see [`Served`]).
#[tracing::instrument(name = "db::photos::jpeg", skip_all, fields(photo_id = id))]
pub async fn jpeg(db: &Db, id: i64, large: bool) -> DbResult<Option<Served>> {
    let column = if large { "f.large" } else { "f.small" };
    let sql = format!(
        "SELECT {column}, f.place_id, f.workshop_id, f.district_id, f.story_id, f.activity_id, \
                a.place_id, d.id, w.slug, \
                (COALESCE(p.published, w.published, s.published, a.published, TRUE) AND d.published) \
         FROM photos f \
         LEFT JOIN places p ON p.id = f.place_id \
         LEFT JOIN workshops w ON w.id = f.workshop_id \
         LEFT JOIN stories s ON s.id = f.story_id \
         LEFT JOIN activities a ON a.id = f.activity_id \
         JOIN districts d ON d.id = COALESCE(p.district_id, w.district_id, s.district_id, \
             a.district_id, f.district_id) \
         WHERE f.id = $1"
    );
    let row: Option<ServedRow> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(p).await?);
    Ok(row.and_then(
        |(jpeg, place, workshop, district_own, story, activity, at, district, slug, public)| {
            let owner = match (place, workshop, district_own, story, activity) {
                (Some(id), ..) => Owner::Place(id),
                (_, Some(id), ..) => Owner::Workshop(id),
                (_, _, Some(id), ..) => Owner::District(id),
                (_, _, _, Some(id), _) => Owner::Story(id),
                (.., Some(id)) => Owner::Activity(id),
                _ => return None,
            };
            Some(Served { jpeg, owner, district, workshop: slug, activity_place: at, public })
        },
    ))
}

/// What adding a photo came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    New(i64),
    /// The owner has [`PER_PLACE`] photos already.
    Full,
}

/// Adds a photo to its owner (within [`PER_PLACE`], counted in the same
/// transaction), audited.
#[tracing::instrument(name = "db::photos::add", skip_all, fields(owner = ?owner, user = user))]
pub async fn add(
    db: &Db,
    owner: Owner,
    photo: &Processed,
    alt: (&str, Option<&str>),
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<Added> {
    let size = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let table = match owner {
        Owner::Place(_) => "places",
        Owner::Workshop(_) => "workshops",
        Owner::District(_) => "districts",
        Owner::Story(_) => "stories",
        Owner::Activity(_) => "activities",
    };
    let lock = match db.backend() {
        super::Backend::Postgres => format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"),
        super::Backend::Sqlite => format!("SELECT id FROM {table} WHERE id = $1"),
    };
    let count = format!("SELECT COUNT(*) FROM photos WHERE {} = $1", owner.column());
    let insert = format!(
        "INSERT INTO photos ({}, alt_zh, alt_en, small, small_width, small_height, \
             large, large_width, large_height, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        owner.column()
    );
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Two uploads at once count one after the other (SQLite's write
        // transaction is exclusive already).
        sqlx::query(sqlx::AssertSqlSafe(lock)).bind(owner.id()).execute(&mut *tx).await?;
        let object: String = sqlx::query_scalar(owner.object_sql()).bind(owner.id()).fetch_one(&mut *tx).await?;
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .bind(owner.id()).fetch_one(&mut *tx).await?;
        if n >= PER_PLACE {
            return Ok(Added::Full);
        }
        let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(insert))
        .bind(owner.id()).bind(alt.0).bind(alt.1)
        .bind(&photo.small.jpeg).bind(size(photo.small.width)).bind(size(photo.small.height))
        .bind(&photo.large.jpeg).bind(size(photo.large.width)).bind(size(photo.large.height))
        .bind(user).bind(now)
        .fetch_one(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "photo.add", object,
            detail: format!("photo:{id}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Added::New(id))
    })
}

/// Removes a photo of `owner`, audited; false when it is not the owner's.
#[tracing::instrument(name = "db::photos::remove", skip_all, fields(owner = ?owner, photo_id = id))]
pub async fn remove(
    db: &Db,
    owner: Owner,
    id: i64,
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let delete = format!("DELETE FROM photos WHERE id = $1 AND {} = $2", owner.column());
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let object: String = sqlx::query_scalar(owner.object_sql()).bind(owner.id()).fetch_one(&mut *tx).await?;
        let n = sqlx::query(sqlx::AssertSqlSafe(delete))
            .bind(id).bind(owner.id()).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Ok(false);
        }
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "photo.remove", object,
            detail: format!("photo:{id}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}
