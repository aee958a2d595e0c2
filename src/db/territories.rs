//! Territories as a tree (city → districts and counties → towns and
//! streets): building it from the rows that came before it, a district's
//! towns for the workshop forms and the listing's filter, and adding a town.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::revisions::{NewRevision, write_revision};
use super::{BeginWrite, Db, DbResult, on_db};
use crate::domain::revision::{Fields, ItemKind, changes, changes_to_stored};

/// The steps that build the tree from what is stored, each idempotent: the
/// city (once there are districts), a node per district, a town or street
/// per name a workshop gives that reads as one (ending 镇, 乡 or 街道), and
/// each workshop's link to it (a name whose node was renamed since is
/// left as text: its code is taken). Anything else a workshop's town field held
/// (a county, a village) stays its shown text, with no town in the tree.
const ADOPT: [&str; 5] = [
    "INSERT INTO territories (parent_id, kind, code, name_zh, name_en, position) \
     SELECT NULL, 'city', 'hangzhou', '杭州市', 'Hangzhou', 0 \
     WHERE EXISTS (SELECT 1 FROM districts) \
       AND NOT EXISTS (SELECT 1 FROM territories WHERE kind = 'city')",
    "INSERT INTO territories (parent_id, kind, code, name_zh, name_en, position) \
     SELECT (SELECT MIN(id) FROM territories WHERE kind = 'city'), d.kind, 'district-' || d.slug, \
            d.name_zh, d.name_en, d.position \
     FROM districts d \
     WHERE d.territory_id IS NULL \
       AND NOT EXISTS (SELECT 1 FROM territories t WHERE t.code = 'district-' || d.slug)",
    "UPDATE districts SET territory_id = \
         (SELECT t.id FROM territories t WHERE t.code = 'district-' || districts.slug) \
     WHERE territory_id IS NULL \
       AND EXISTS (SELECT 1 FROM territories t WHERE t.code = 'district-' || districts.slug)",
    "INSERT INTO territories (parent_id, kind, code, name_zh, name_en, position) \
     SELECT d.territory_id, \
            CASE WHEN w.town_zh LIKE '%街道' THEN 'street' ELSE 'town' END, \
            'town-' || d.slug || '-' || w.town_zh, w.town_zh, MAX(w.town_en), 0 \
     FROM workshops w JOIN districts d ON d.id = w.district_id \
     WHERE w.town_id IS NULL AND d.territory_id IS NOT NULL \
       AND (w.town_zh LIKE '%镇' OR w.town_zh LIKE '%乡' OR w.town_zh LIKE '%街道') \
       AND NOT EXISTS (SELECT 1 FROM territories t \
                       WHERE t.parent_id = d.territory_id AND t.name_zh = w.town_zh) \
       AND NOT EXISTS (SELECT 1 FROM territories t \
                       WHERE t.code = 'town-' || d.slug || '-' || w.town_zh) \
     GROUP BY d.territory_id, d.slug, w.town_zh",
    "UPDATE workshops SET town_id = \
         (SELECT MIN(t.id) FROM territories t JOIN districts d ON t.parent_id = d.territory_id \
          WHERE d.id = workshops.district_id AND t.name_zh = workshops.town_zh \
            AND t.kind IN ('town', 'street')) \
     WHERE town_id IS NULL AND EXISTS \
         (SELECT 1 FROM territories t JOIN districts d ON t.parent_id = d.territory_id \
          WHERE d.id = workshops.district_id AND t.name_zh = workshops.town_zh \
            AND t.kind IN ('town', 'street'))",
];

/// Builds what is missing of the tree from the stored rows. Run after the
/// migrations and after seeding; a second run changes nothing.
#[tracing::instrument(name = "db::territories::adopt", skip_all)]
pub async fn adopt(db: &Db) -> DbResult<u64> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut changed = 0;
        for sql in ADOPT {
            changed += sqlx::query(sql).execute(&mut *tx).await?.rows_affected();
        }
        // A node built now, or before nodes had a "last updated", dates
        // from now: its history's first version says when it came in.
        let now = Utc::now();
        sqlx::query("UPDATE territories SET updated_at = $1 WHERE version = 0 AND updated_at < $2")
            .bind(now).bind(DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(1))
            .execute(&mut *tx).await?;
        if changed > 0 {
            sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(changed)
    })
}

/// A town or street of a district.
#[derive(Debug, Clone, FromRow)]
pub struct Town {
    pub id: i64,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The towns and streets of a district, in order.
#[tracing::instrument(name = "db::territories::towns_of", skip_all, fields(district_id = district_id))]
pub async fn towns_of(db: &Db, district_id: i64) -> DbResult<Vec<Town>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Town>(
        "SELECT t.id, t.kind, t.name_zh, t.name_en, t.updated_at FROM territories t \
         JOIN districts d ON t.parent_id = d.territory_id \
         WHERE d.id = $1 AND t.kind IN ('town', 'street') ORDER BY t.position, t.name_zh, t.id",
    ).bind(district_id).fetch_all(p).await?))
}

/// Why a town was not added.
#[derive(Debug)]
pub enum AddError {
    /// The district has a town or street of this name already.
    Taken,
    /// The district is not in the tree (it has no node).
    NoDistrict,
    Db(super::DbError),
}

impl From<sqlx::Error> for AddError {
    fn from(e: sqlx::Error) -> AddError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => AddError::Taken,
            _ => AddError::Db(e.into()),
        }
    }
}

/// Whether another town or street of `id`'s district is called `name_zh`.
#[tracing::instrument(name = "db::territories::name_taken", skip_all, fields(id = id))]
pub async fn name_taken(db: &Db, id: i64, name_zh: &str) -> DbResult<bool> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM territories t JOIN territories me ON me.parent_id = t.parent_id \
         WHERE me.id = $1 AND t.id <> $1 AND t.name_zh = $2 AND t.kind IN ('town', 'street')",
    ).bind(id).bind(name_zh).fetch_one(p).await?)
        > 0)
}

/// Adds a town or street (`kind`) to a district as its revision 1, with
/// its audit entry, in one transaction.
#[tracing::instrument(name = "db::territories::add_town", skip_all, fields(district_id = district_id, user = user))]
pub async fn add_town(
    db: &Db,
    district_id: i64,
    kind: &str,
    name_zh: &str,
    name_en: Option<&str>,
    user: i64,
    now: DateTime<Utc>,
) -> Result<i64, AddError> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let (parent, slug): (Option<i64>, String) =
            sqlx::query_as("SELECT territory_id, slug FROM districts WHERE id = $1")
                .bind(district_id).fetch_one(&mut *tx).await?;
        let Some(parent) = parent else { return Err(AddError::NoDistrict) };
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM territories WHERE parent_id = $1 AND name_zh = $2",
        ).bind(parent).bind(name_zh).fetch_one(&mut *tx).await?;
        if taken > 0 {
            return Err(AddError::Taken);
        }
        // The code stays what it was made as, whatever the name becomes.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO territories (parent_id, kind, code, name_zh, name_en, position, version, updated_at) \
             SELECT $1, $2, $3, $4, $5, COALESCE(MAX(position), 0) + 1, 1, $6 FROM territories \
             WHERE parent_id = $1 RETURNING id",
        )
        .bind(parent).bind(kind).bind(format!("town-{slug}-{}", now.timestamp_micros()))
        .bind(name_zh).bind(name_en).bind(now)
        .fetch_one(&mut *tx).await?;
        let mut fields = Fields::new();
        fields.set("name_zh", name_zh);
        fields.set("name_en", name_en.unwrap_or(""));
        fields.set("kind", kind);
        fields.set("published", "on");
        write_revision!(&mut *tx, &NewRevision {
            kind: ItemKind::Territory, item_id: id, number: 1, user: Some(user), at: now, note: "",
            restored_from: None, snapshot: fields.to_stored(),
            changes: changes_to_stored(&changes(&Fields::new(), &fields)),
        })?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "territory.create",
            object: format!("territory:{id}"), detail: name_zh.to_owned(),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}
