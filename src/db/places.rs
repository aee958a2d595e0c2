//! Look-ups of love stations for access checks and staff pages.

use sqlx::FromRow;

use super::{Db, DbResult, on_db};
use crate::domain::Grants;

/// A place a staff member keeps, for the staff pages.
#[derive(Debug, Clone, FromRow)]
pub struct KeptPlace {
    pub id: i64,
    pub district_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// The love stations a set of grants covers (directly or through a
/// district), in district order.
#[tracing::instrument(name = "db::places::kept_stations", skip_all)]
pub async fn kept_stations(db: &Db, grants: &Grants) -> DbResult<Vec<KeptPlace>> {
    let all = all_stations(db).await?;
    Ok(all.into_iter().filter(|pl| grants.keeps_station(pl.id, pl.district_id)).collect())
}

/// The keepers of one station (display names), for its staff page.
#[tracing::instrument(name = "db::places::station_keepers", skip_all, fields(place_id = place_id))]
pub async fn station_keepers(db: &Db, place_id: i64) -> DbResult<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.display_name FROM user_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.role = 'station_keeper' AND r.place_id = $1 AND u.deleted_at IS NULL ORDER BY u.id",
    ).bind(place_id).fetch_all(p).await?))
}

/// District of a place, for access checks on place-scoped routes.
#[tracing::instrument(name = "db::places::place_district", skip_all, fields(place_id = place_id))]
pub async fn place_district(db: &Db, place_id: i64) -> DbResult<Option<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT district_id FROM places WHERE id = $1")
        .bind(place_id).fetch_optional(p).await?))
}

/// Love stations with their district, for the role form's choices.
#[tracing::instrument(name = "db::places::all_stations", skip_all)]
pub async fn all_stations(db: &Db) -> DbResult<Vec<KeptPlace>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, KeptPlace>(
        "SELECT id, district_id, name_zh, name_en FROM places WHERE kind = 'love_station' \
         ORDER BY district_id, position, id",
    ).fetch_all(p).await?))
}
