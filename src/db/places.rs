//! Places for staff: look-ups of love stations for access checks and staff
//! pages, and the place form's load and save.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::revisions::{Conflict, LATEST, NewRevision, Saved, write_revision};
use super::{BeginWrite, Db, DbResult, on_db};
use crate::domain::Grants;
use crate::domain::hours::{Hours, Week, exceptions_from_stored, exceptions_to_stored};
use crate::domain::place::Amenity;
use crate::domain::place_edit::PlaceEdit;
use crate::domain::revision::{ItemKind, SaveStep, changes_to_stored, decide_save};

/// A place a staff member keeps, for the staff pages.
#[derive(Debug, Clone, FromRow)]
pub struct KeptPlace {
    pub id: i64,
    pub district_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// The places a set of grants keeps, in district order: those a keeper is
/// granted (a love station, a Happy Home…), and the love stations of the
/// districts it administers.
#[tracing::instrument(name = "db::places::kept_stations", skip_all)]
pub async fn kept_stations(db: &Db, grants: &Grants) -> DbResult<Vec<KeptPlace>> {
    let all: Vec<(i64, i64, String, Option<String>, bool)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, district_id, name_zh, name_en, kind = 'love_station' FROM places \
         ORDER BY district_id, kind <> 'love_station', position, id",
    ).fetch_all(p).await?);
    Ok(all
        .into_iter()
        .filter(|(id, district, .., station)| {
            grants.0.contains(&crate::domain::Role::StationKeeper { place_id: *id })
                || (*station && grants.keeps_station(*id, *district))
        })
        .map(|(id, district_id, name_zh, name_en, _)| KeptPlace {
            id,
            district_id,
            name_zh,
            name_en,
        })
        .collect())
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

/// One love station (none for a place of another kind).
#[tracing::instrument(name = "db::places::station", skip_all, fields(place_id = place_id))]
pub async fn station(db: &Db, place_id: i64) -> DbResult<Option<KeptPlace>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, KeptPlace>(
        "SELECT id, district_id, name_zh, name_en FROM places WHERE id = $1 AND kind = 'love_station'",
    ).bind(place_id).fetch_optional(p).await?))
}

/// The love station a form names, by its poster's code or its id.
#[tracing::instrument(name = "db::places::station_named", skip_all)]
pub async fn station_named(db: &Db, named: &str) -> DbResult<Option<KeptPlace>> {
    let id = named.parse::<i64>().unwrap_or(-1);
    Ok(on_db!(db, p => sqlx::query_as::<_, KeptPlace>(
        "SELECT id, district_id, name_zh, name_en FROM places \
         WHERE kind = 'love_station' AND (code = $1 OR id = $2)",
    ).bind(named).bind(id).fetch_optional(p).await?))
}

/// Every place with its district, for naming keepers' roles.
#[tracing::instrument(name = "db::places::all_places", skip_all)]
pub async fn all_places(db: &Db) -> DbResult<Vec<KeptPlace>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, KeptPlace>(
        "SELECT id, district_id, name_zh, name_en FROM places ORDER BY district_id, position, id",
    ).fetch_all(p).await?))
}

/// Published love stations, for the public's choices (the wish form, the
/// wall's filter): a draft station is no one's to choose yet.
#[tracing::instrument(name = "db::places::public_stations", skip_all)]
pub async fn public_stations(db: &Db) -> DbResult<Vec<KeptPlace>> {
    let sql = format!(
        "SELECT id, district_id, name_zh, name_en FROM places \
         WHERE kind = 'love_station' AND published = TRUE AND {} \
         ORDER BY district_id, position, id",
        super::in_public_district("places.district_id")
    );
    Ok(
        on_db!(db, p => sqlx::query_as::<_, KeptPlace>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?),
    )
}

/// Every place of a district, of every kind, for the staff pages and the
/// story form's choice of place.
#[tracing::instrument(name = "db::places::of_district", skip_all, fields(district_id = district_id))]
pub async fn of_district(db: &Db, district_id: i64) -> DbResult<Vec<KeptPlace>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, KeptPlace>(
        "SELECT id, district_id, name_zh, name_en FROM places WHERE district_id = $1 \
         ORDER BY kind, position, id",
    ).bind(district_id).fetch_all(p).await?))
}

/// A named thing a role is granted over (a station or a workshop): its
/// key (id or slug), district and names.
#[derive(Debug, Clone, FromRow)]
pub struct Choice {
    pub key: String,
    pub district_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// The most choices a grant form lists of stations or of workshops.
pub const CHOICES_SHOWN: i64 = 200;

/// Stations (`workshops` false) or workshops for the grant form, within a
/// district when given, whose name holds `q` (matched literally), in
/// district order; one more than [`CHOICES_SHOWN`] tells there are more.
#[tracing::instrument(name = "db::places::choices", skip_all, fields(workshops = workshops))]
pub async fn choices(
    db: &Db,
    workshops: bool,
    district: Option<i64>,
    q: &str,
) -> DbResult<Vec<Choice>> {
    let pattern = format!("%{}%", super::accounts::escape_like(q.trim()));
    let (key, from) = if workshops {
        ("slug", "workshops WHERE TRUE")
    } else {
        ("CAST(id AS TEXT)", "places WHERE TRUE")
    };
    let sql = format!(
        "SELECT {key} AS key, district_id, name_zh, name_en FROM {from} \
         AND ($1 IS NULL OR district_id = $1) \
         AND ($2 = '%%' OR name_zh LIKE $2 ESCAPE '\\' OR LOWER(name_en) LIKE LOWER($2) ESCAPE '\\') \
         ORDER BY district_id, name_zh, id LIMIT {}",
        CHOICES_SHOWN + 1
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, Choice>(sqlx::AssertSqlSafe(sql))
        .bind(district).bind(&pattern).fetch_all(p).await?))
}

/// A place's editable columns, its version and when it last changed.
#[derive(Debug, Clone, FromRow)]
pub struct PlaceEditRow {
    pub id: i64,
    pub district_id: i64,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: String,
    pub address_en: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_open: bool,
    pub week_hours: Option<String>,
    pub hours_exceptions: String,
    pub closed_until: Option<NaiveDate>,
    pub closed_reason_zh: Option<String>,
    pub closed_reason_en: Option<String>,
    pub hours_zh: Option<String>,
    pub hours_en: Option<String>,
    pub amenities: String,
    pub amenities_note_zh: Option<String>,
    pub contact: Option<String>,
    pub accessibility_zh: Option<String>,
    pub accessibility_en: Option<String>,
    pub published: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

const EDIT_COLUMNS: &str = "SELECT id, district_id, kind, name_zh, name_en, summary_zh, \
     summary_en, address_zh, address_en, latitude, longitude, is_open, week_hours, \
     hours_exceptions, closed_until, closed_reason_zh, closed_reason_en, hours_zh, hours_en, \
     amenities, amenities_note_zh, contact, accessibility_zh, accessibility_en, published, \
     CAST(version AS BIGINT) AS version, updated_at FROM places WHERE id = $1";

impl PlaceEditRow {
    /// The stored place as its form means it.
    pub fn edit(&self) -> PlaceEdit {
        PlaceEdit {
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            summary_zh: self.summary_zh.clone(),
            summary_en: self.summary_en.clone(),
            address_zh: self.address_zh.clone(),
            address_en: self.address_en.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            in_service: self.is_open,
            draft: !self.published,
            hours: Hours {
                week: self.week_hours.as_deref().and_then(Week::from_stored),
                exceptions: exceptions_from_stored(&self.hours_exceptions),
                closed_until: self.closed_until,
            },
            hours_note_zh: self.hours_zh.clone(),
            hours_note_en: self.hours_en.clone(),
            closed_reason_zh: self.closed_reason_zh.clone(),
            closed_reason_en: self.closed_reason_en.clone(),
            amenities: Amenity::parse_list(&self.amenities),
            amenities_note_zh: self.amenities_note_zh.clone(),
            contact: self.contact.clone(),
            accessibility_zh: self.accessibility_zh.clone(),
            accessibility_en: self.accessibility_en.clone(),
        }
    }
}

/// A place as its edit form starts.
#[tracing::instrument(name = "db::places::for_edit", skip_all, fields(place_id = id))]
pub async fn for_edit(db: &Db, id: i64) -> DbResult<Option<PlaceEditRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, PlaceEditRow>(EDIT_COLUMNS)
        .bind(id).fetch_optional(p).await?))
}

/// One save of a place's form.
pub struct PlaceSave<'a> {
    pub id: i64,
    /// The version the form was opened at.
    pub opened_at: i64,
    pub edit: &'a PlaceEdit,
    pub user: i64,
    pub note: &'a str,
    /// A restore names the revision it brings back.
    pub restored_from: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Saves a place: its row, a revision (and revision 0 before the first),
/// an audit entry and the content version, in one transaction; refused
/// when the place was saved since the form was opened.
#[tracing::instrument(name = "db::places::save", skip_all, fields(place_id = s.id, user = s.user))]
pub async fn save(db: &Db, s: &PlaceSave<'_>) -> DbResult<Saved> {
    let after = s.edit.to_fields();
    let e = s.edit;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let Some(row) = sqlx::query_as::<_, PlaceEditRow>(EDIT_COLUMNS)
            .bind(s.id).fetch_optional(&mut *tx).await?
        else {
            return Ok(Saved::Missing);
        };
        let before = row.edit().to_fields();
        let (number, changes, base) = match decide_save(row.version, s.opened_at, &before, &after) {
            SaveStep::Unchanged => return Ok(Saved::Unchanged),
            SaveStep::Conflict => {
                let latest: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(LATEST)
                    .bind(ItemKind::Place.code()).bind(s.id).fetch_optional(&mut *tx).await?;
                let (by, at) = latest.unwrap_or((None, row.updated_at));
                return Ok(Saved::Conflict(Conflict { current: before, version: row.version, by, at }));
            }
            SaveStep::Write { number, changes, base } => (number, changes, base),
        };
        if base {
            write_revision!(&mut *tx, &NewRevision {
                kind: ItemKind::Place, item_id: s.id, number: 0, user: None, at: row.updated_at,
                note: "", restored_from: None, snapshot: before.to_stored(), changes: "[]".into(),
            })?;
        }
        let updated = sqlx::query(
            "UPDATE places SET name_zh = $1, name_en = $2, summary_zh = $3, summary_en = $4, \
                 address_zh = $5, address_en = $6, latitude = $7, longitude = $8, is_open = $9, \
                 week_hours = $10, hours_exceptions = $11, closed_until = $12, \
                 closed_reason_zh = $13, closed_reason_en = $14, hours_zh = $15, hours_en = $16, \
                 amenities = $17, amenities_note_zh = $18, contact = $19, accessibility_zh = $20, \
                 accessibility_en = $21, version = $22, updated_at = $23, published = $26 \
             WHERE id = $24 AND version = $25",
        )
        .bind(&e.name_zh).bind(&e.name_en).bind(&e.summary_zh).bind(&e.summary_en)
        .bind(&e.address_zh).bind(&e.address_en).bind(e.latitude).bind(e.longitude)
        .bind(e.in_service).bind(e.hours.week.as_ref().map(Week::to_stored))
        .bind(exceptions_to_stored(&e.hours.exceptions)).bind(e.hours.closed_until)
        .bind(&e.closed_reason_zh).bind(&e.closed_reason_en).bind(&e.hours_note_zh)
        .bind(&e.hours_note_en)
        .bind(e.amenities.iter().map(|a| a.code()).collect::<Vec<_>>().join(" "))
        .bind(&e.amenities_note_zh).bind(&e.contact).bind(&e.accessibility_zh)
        .bind(&e.accessibility_en).bind(number as i32).bind(s.now).bind(s.id).bind(row.version as i32)
        .bind(!e.draft)
        .execute(&mut *tx).await?.rows_affected();
        if updated != 1 {
            // Another transaction saved between the read and the update
            // (PostgreSQL); the next look shows it.
            return Ok(Saved::Conflict(Conflict {
                current: before, version: row.version + 1, by: None, at: s.now,
            }));
        }
        write_revision!(&mut *tx, &NewRevision {
            kind: ItemKind::Place, item_id: s.id, number, user: Some(s.user), at: s.now,
            note: s.note, restored_from: s.restored_from, snapshot: after.to_stored(),
            changes: changes_to_stored(&changes),
        })?;
        let action = if s.restored_from.is_some() { "place.restore" } else { "place.update" };
        write_audit!(&mut *tx, &audit::Entry {
            at: s.now, actor: Some(s.user), action, object: format!("place:{}", s.id),
            detail: format!("revision:{number}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Saved::Revision(number))
    })
}

/// Adds a place to a district, as revision 1 of its history, with its
/// audit entry and the content version in one transaction. Returns its id.
#[tracing::instrument(name = "db::places::create", skip_all, fields(district_id = district_id, user = user))]
pub async fn create(
    db: &Db,
    district_id: i64,
    kind: crate::domain::PlaceKind,
    edit: &PlaceEdit,
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    let fields = edit.to_fields();
    let changes =
        crate::domain::revision::changes(&crate::domain::revision::Fields::new(), &fields);
    // A stable code for printed links, never reused.
    let code = format!("p-{}", now.timestamp_micros());
    let e = edit;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO places (district_id, code, kind, name_zh, name_en, summary_zh, summary_en, \
                 address_zh, address_en, latitude, longitude, is_open, position, version, \
                 created_at, updated_at, published) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                    COALESCE(MAX(position), 0) + 1, 1, $13, $13, $14 \
             FROM places WHERE district_id = $1 AND kind = $3 RETURNING id",
        )
        .bind(district_id).bind(&code).bind(kind.code()).bind(&e.name_zh).bind(&e.name_en)
        .bind(&e.summary_zh).bind(&e.summary_en).bind(&e.address_zh).bind(&e.address_en)
        .bind(e.latitude).bind(e.longitude).bind(e.in_service).bind(now).bind(!e.draft)
        .fetch_one(&mut *tx).await?;
        write_revision!(&mut *tx, &NewRevision {
            kind: ItemKind::Place, item_id: id, number: 1, user: Some(user), at: now, note: "",
            restored_from: None, snapshot: fields.to_stored(), changes: changes_to_stored(&changes),
        })?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "place.create", object: format!("place:{id}"),
            detail: kind.code().to_owned(),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}
