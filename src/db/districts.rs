//! Districts and what belongs to them: figures, programmes, places, stories.

use sqlx::FromRow;

use super::{Arg, Db, DbResult, ListQuery, Paged, fetch_page, on_db, page_limit};
use crate::domain::place::PlaceKind;

#[derive(Debug, Clone, FromRow)]
pub struct DistrictRow {
    pub id: i64,
    pub slug: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    /// Published, or a draft only staff see.
    pub published: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct FigureRow {
    pub id: i64,
    pub district_id: i64,
    pub code: String,
    pub label_zh: String,
    pub label_en: Option<String>,
    /// Its latest value (a figure with none yet is on no page).
    pub value: f64,
    pub unit_zh: String,
    pub unit_en: Option<String>,
    pub qualifier: String,
    pub year: Option<i32>,
    pub as_of_zh: Option<String>,
    pub as_of_en: Option<String>,
    /// The source of its latest value, from the district's register.
    pub source_id: i64,
    /// The latest value was computed by the portal, so: `3500×12`.
    pub computed_as: Option<String>,
    pub chart_group: Option<String>,
    pub headline: bool,
    pub published: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProgrammeRow {
    pub code: String,
    pub published: bool,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct PlaceRow {
    pub id: i64,
    pub district_id: i64,
    pub code: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: String,
    pub address_en: Option<String>,
    pub hours_zh: Option<String>,
    pub hours_en: Option<String>,
    pub amenities: String,
    pub contact: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_open: bool,
    pub week_hours: Option<String>,
    pub hours_exceptions: String,
    pub closed_until: Option<chrono::NaiveDate>,
    pub closed_reason_zh: Option<String>,
    pub closed_reason_en: Option<String>,
    pub amenities_note_zh: Option<String>,
    pub accessibility_zh: Option<String>,
    pub accessibility_en: Option<String>,
    pub published: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct StoryRow {
    pub id: i64,
    pub code: String,
    pub published: bool,
    pub story_date: Option<chrono::NaiveDate>,
    pub place_id: Option<i64>,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub body_zh: String,
    pub body_en: Option<String>,
}

/// Everything a district page shows.
#[derive(Debug, Clone)]
pub struct DistrictPage {
    pub district: DistrictRow,
    pub figures: Vec<FigureRow>,
    pub programmes: Vec<ProgrammeRow>,
    pub places: Vec<PlaceRow>,
    pub stories: Vec<StoryRow>,
    pub notices: Vec<NoticeRow>,
    /// The sources its figures cite, and their values over the years
    /// with the corrections made to them.
    pub sources: Vec<super::sources::SourceRow>,
    pub values: Vec<super::sources::ValueRow>,
    pub corrections: Vec<super::sources::CorrectionRow>,
    /// The district's own photos, and its stories' (story id, photo).
    pub photos: Vec<super::photos::PhotoRow>,
    pub story_photos: Vec<(i64, super::photos::PhotoRow)>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A notice as a page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub text_zh: String,
    pub text_en: Option<String>,
    pub ends_on: chrono::NaiveDate,
    pub published: bool,
}

/// Notices up on `$2` (today) of district `$1` itself (no place), in order.
const DISTRICT_NOTICES: &str = "SELECT id, text_zh, text_en, ends_on, published FROM notices \
     WHERE district_id = $1 AND place_id IS NULL AND starts_on <= $2 AND ends_on >= $2";

/// Notices up on `$2` at place `$1`.
const PLACE_NOTICES: &str = "SELECT id, text_zh, text_en, ends_on, published FROM notices \
     WHERE place_id = $1 AND starts_on <= $2 AND ends_on >= $2";

/// Only published rows, unless a preview shows drafts too.
fn published(drafts: bool) -> &'static str {
    if drafts { "" } else { " AND published = TRUE" }
}

/// What the home page shows: the districts with their headline figures.
#[derive(Debug, Clone)]
pub struct Overview {
    pub districts: Vec<DistrictRow>,
    pub headline_figures: Vec<FigureRow>,
}

#[tracing::instrument(name = "db::districts::overview", skip_all)]
/// With `drafts`, draft districts too (for staff); without, what the
/// public sees.
pub async fn overview(db: &Db, drafts: bool) -> DbResult<Overview> {
    let districts_sql = format!(
        "SELECT id, slug, kind, name_zh, name_en, summary_zh, summary_en, published \
         FROM districts{} ORDER BY position, id",
        if drafts { "" } else { " WHERE published = TRUE" }
    );
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let districts = sqlx::query_as::<_, DistrictRow>(sqlx::AssertSqlSafe(districts_sql))
        .fetch_all(&mut *conn)
        .await?;
        let headline_figures = sqlx::query_as::<_, FigureRow>(
            "SELECT f.id, f.district_id, f.code, f.label_zh, f.label_en, f.value, f.unit_zh, \
                    f.unit_en, f.qualifier, f.year, f.as_of_zh, f.as_of_en, f.source_id, \
                    f.computed_as, f.chart_group, f.headline, f.published \
             FROM figures f WHERE f.headline = TRUE AND f.published = TRUE \
               AND f.workshop_id IS NULL AND f.value IS NOT NULL AND f.source_id IS NOT NULL \
             ORDER BY f.district_id, f.position, f.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(Overview { districts, headline_figures })
    })
}

/// Columns of [`PlaceRow`].
const PLACE_COLUMNS: &str = "SELECT id, district_id, code, kind, name_zh, name_en, summary_zh, \
     summary_en, address_zh, address_en, hours_zh, hours_en, amenities, contact, latitude, \
     longitude, is_open, week_hours, hours_exceptions, closed_until, closed_reason_zh, \
     closed_reason_en, amenities_note_zh, accessibility_zh, accessibility_en, published, \
     updated_at, position AS place_position FROM places";

/// How many places of each kind a district page lists; one more is read
/// to know whether to link to all of them.
pub const PLACES_SHOWN: i64 = 12;

/// The first [`PLACES_SHOWN`] + 1 places of each kind of district `$1`,
/// each kind one walk of `places_district_kind`: a district with hundreds
/// of love stations costs its page no more than one with twelve.
fn first_places_sql(drafts: bool) -> String {
    let only = published(drafts);
    let kinds = PlaceKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            format!(
                "SELECT * FROM ({PLACE_COLUMNS} WHERE district_id = $1 AND kind = '{}'{only} \
                 ORDER BY position, id LIMIT {}) AS k{i}",
                kind.code(),
                PLACES_SHOWN + 1
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!("SELECT * FROM ({kinds}) AS p ORDER BY kind, place_position, id")
}

/// Places of one kind in a district, a page at a time, in the district
/// page's order.
#[tracing::instrument(name = "db::districts::places_of_kind", skip_all, fields(district_id = district_id))]
pub async fn places_of_kind(
    db: &Db,
    district_id: i64,
    kind: PlaceKind,
    page: i64,
) -> DbResult<Paged<PlaceRow>> {
    let query = ListQuery {
        rows: format!(
            "{PLACE_COLUMNS} WHERE district_id = $1 AND kind = $2 AND published = TRUE \
             ORDER BY position, id{}",
            page_limit(PLACES_PAGE)
        ),
        args: vec![Arg::Int(district_id), Arg::Text(kind.code().to_owned())],
    };
    fetch_page(db, &query, page, PLACES_PAGE).await
}

pub const PLACES_PAGE: i64 = 20;

/// A district's own row, by slug.
#[tracing::instrument(name = "db::districts::by_slug", skip_all)]
pub async fn by_slug(db: &Db, slug: &str) -> DbResult<Option<DistrictRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, DistrictRow>(
        "SELECT id, slug, kind, name_zh, name_en, summary_zh, summary_en, published FROM districts WHERE slug = $1",
    ).bind(slug).fetch_optional(p).await?))
}

#[tracing::instrument(name = "db::districts::by_id", skip_all, fields(id = id))]
pub async fn by_id(db: &Db, id: i64) -> DbResult<Option<DistrictRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, DistrictRow>(
        "SELECT id, slug, kind, name_zh, name_en, summary_zh, summary_en, published FROM districts WHERE id = $1",
    ).bind(id).fetch_optional(p).await?))
}

/// A district page: what the public sees, or with `drafts` what a
/// preview shows (drafts among the published, marked).
#[tracing::instrument(name = "db::districts::district_page", skip_all)]
pub async fn district_page(
    db: &Db,
    slug: &str,
    today: chrono::NaiveDate,
    drafts: bool,
) -> DbResult<Option<DistrictPage>> {
    let only = published(drafts);
    let figures_sql = format!(
        "SELECT id, district_id, code, label_zh, label_en, value, unit_zh, unit_en, qualifier, \
                year, as_of_zh, as_of_en, source_id, computed_as, chart_group, headline, published \
         FROM figures WHERE district_id = $1{only} AND workshop_id IS NULL \
           AND value IS NOT NULL AND source_id IS NOT NULL \
         ORDER BY position, id"
    );
    let programmes_sql = format!(
        "SELECT code, published, name_zh, name_en, summary_zh, summary_en \
         FROM programmes WHERE district_id = $1{only} ORDER BY position, id"
    );
    let stories_sql = format!(
        "SELECT id, code, published, story_date, place_id, title_zh, title_en, body_zh, body_en \
         FROM stories WHERE district_id = $1{only} ORDER BY position, id"
    );
    let notices_sql = format!("{DISTRICT_NOTICES}{only} ORDER BY position, id");
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let Some((district, updated_at)) = sqlx::query_as::<_, DistrictWhen>(
            "SELECT id, slug, kind, name_zh, name_en, summary_zh, summary_en, published, updated_at \
             FROM districts WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?
        .map(DistrictWhen::split)
        else {
            return Ok(None);
        };
        // A draft district has no public page (the preview shows it).
        if !district.published && !drafts {
            return Ok(None);
        }
        let figures = sqlx::query_as::<_, FigureRow>(sqlx::AssertSqlSafe(figures_sql))
            .bind(district.id)
            .fetch_all(&mut *conn)
            .await?;
        let programmes = sqlx::query_as::<_, ProgrammeRow>(sqlx::AssertSqlSafe(programmes_sql))
            .bind(district.id)
            .fetch_all(&mut *conn)
            .await?;
        let places = sqlx::query_as::<_, PlaceRow>(sqlx::AssertSqlSafe(first_places_sql(drafts)))
            .bind(district.id)
            .fetch_all(&mut *conn)
            .await?;
        let stories = sqlx::query_as::<_, StoryRow>(sqlx::AssertSqlSafe(stories_sql))
            .bind(district.id)
            .fetch_all(&mut *conn)
            .await?;
        let notices = sqlx::query_as::<_, NoticeRow>(sqlx::AssertSqlSafe(notices_sql))
            .bind(district.id)
            .bind(today)
            .fetch_all(&mut *conn)
            .await?;
        let sources = super::sources::read_cited!(&mut *conn, &figures);
        let (values, corrections) = super::sources::read_history!(conn, district.id, super::sources::ValuesOf::District);
        let mut photos = Vec::new();
        let mut story_photos = Vec::new();
        for row in sqlx::query_as::<_, super::photos::PagePhotoRow>(super::photos::OF_DISTRICT_PAGE)
            .bind(district.id)
            .fetch_all(&mut *conn)
            .await?
        {
            match row.story_id {
                Some(story) => story_photos.push((story, row.photo)),
                None => photos.push(row.photo),
            }
        }
        Ok(Some(DistrictPage {
            district, figures, programmes, places, stories, notices, sources, values, corrections,
            photos, story_photos, updated_at,
        }))
    })
}

/// A district row with its "last updated".
#[derive(FromRow)]
struct DistrictWhen {
    id: i64,
    slug: String,
    kind: String,
    name_zh: String,
    name_en: Option<String>,
    summary_zh: String,
    summary_en: Option<String>,
    published: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl DistrictWhen {
    fn split(self) -> (DistrictRow, chrono::DateTime<chrono::Utc>) {
        let d = DistrictRow {
            id: self.id,
            slug: self.slug,
            kind: self.kind,
            name_zh: self.name_zh,
            name_en: self.name_en,
            summary_zh: self.summary_zh,
            summary_en: self.summary_en,
            published: self.published,
        };
        (d, self.updated_at)
    }
}

/// A place with its district and the stories told about it.
#[derive(Debug, Clone)]
pub struct PlacePage {
    pub place: PlaceRow,
    pub district: DistrictRow,
    pub stories: Vec<StoryRow>,
    pub notices: Vec<NoticeRow>,
    pub photos: Vec<super::photos::PhotoRow>,
}

#[tracing::instrument(name = "db::districts::place_page", skip_all, fields(id = id))]
pub async fn place_page(db: &Db, id: i64, today: chrono::NaiveDate) -> DbResult<Option<PlacePage>> {
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let Some(place) = sqlx::query_as::<_, PlaceRow>(sqlx::AssertSqlSafe(format!(
            "{PLACE_COLUMNS} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let district = sqlx::query_as::<_, DistrictRow>(
            "SELECT id, slug, kind, name_zh, name_en, summary_zh, summary_en, published \
             FROM districts WHERE id = $1",
        )
        .bind(place.district_id)
        .fetch_one(&mut *conn)
        .await?;
        let stories = sqlx::query_as::<_, StoryRow>(
            "SELECT id, code, published, story_date, place_id, title_zh, title_en, body_zh, body_en \
             FROM stories WHERE place_id = $1 AND published = TRUE ORDER BY position, id",
        )
        .bind(place.id)
        .fetch_all(&mut *conn)
        .await?;
        let notices = sqlx::query_as::<_, NoticeRow>(sqlx::AssertSqlSafe(format!(
            "{PLACE_NOTICES} AND published = TRUE ORDER BY position, id"
        )))
        .bind(place.id)
        .bind(today)
        .fetch_all(&mut *conn)
        .await?;
        let photos = sqlx::query_as::<_, super::photos::PhotoRow>(sqlx::AssertSqlSafe(super::photos::Owner::Place(place.id).list_sql()))
            .bind(place.id)
            .fetch_all(&mut *conn)
            .await?;
        Ok(Some(PlacePage { place, district, stories, notices, photos }))
    })
}

/// Adds a district (site admins): its row as revision 1, with its audit
/// entry and the content version in one transaction, then its node in the
/// territory tree. `None` when the address name is taken.
#[tracing::instrument(name = "db::districts::create", skip_all, fields(user = user))]
pub async fn create(
    db: &Db,
    slug: &str,
    kind: &str,
    fields: &crate::domain::revision::Fields,
    user: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> DbResult<Option<i64>> {
    use super::audit::{self, write_audit};
    use super::revisions::{NewRevision, write_revision};
    use crate::domain::revision::{Fields, ItemKind, changes, changes_to_stored};
    let opt = |name: &str| Some(fields.get(name).to_owned()).filter(|v| !v.is_empty());
    let list = changes(&Fields::new(), fields);
    let id = on_db!(db, p => {
        let mut tx = super::BeginWrite::begin_write(p).await?;
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM districts WHERE slug = $1")
            .bind(slug).fetch_one(&mut *tx).await?;
        if taken > 0 {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO districts (slug, kind, name_zh, name_en, summary_zh, summary_en, position, \
                                    version, created_at, updated_at, published) \
             SELECT $1, $2, $3, $4, $5, $6, COALESCE(MAX(position), 0) + 1, 1, $7, $7, FALSE \
             FROM districts \
             RETURNING id",
        )
        .bind(slug).bind(kind).bind(fields.get("name_zh")).bind(opt("name_en"))
        .bind(fields.get("summary_zh")).bind(opt("summary_en")).bind(now)
        .fetch_one(&mut *tx).await?;
        write_revision!(&mut *tx, &NewRevision {
            kind: ItemKind::District, item_id: id, number: 1, user: Some(user), at: now, note: "",
            restored_from: None, snapshot: fields.to_stored(), changes: changes_to_stored(&list),
        })?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "district.create", object: format!("district:{id}"),
            detail: slug.to_owned(),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok::<i64, super::DbError>(id)
    })?;
    super::territories::adopt(db).await?;
    Ok(Some(id))
}
