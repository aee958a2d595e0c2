//! Workshops: the listing, a workshop's page, sign-ups and the keepers' work.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::accounts::escape_like;
use super::audit::{self, write_audit};
use super::revisions::{Conflict, LATEST, NewRevision, Saved, write_revision};
use super::{
    Arg, BeginWrite, Db, DbResult, ListQuery, Paged, bind_args, fetch_page, on_db, page_limit,
};
use crate::domain::Grants;
use crate::domain::revision::{Fields, ItemKind, SaveStep, changes_to_stored, decide_save};
use crate::domain::workshop::{
    GramKey, Listing, NewOpening, NewSignup, PAGE_SIZE, Sort, WorkshopEdit, query_keys,
    workshop_search_text,
};

#[derive(Debug, Clone, FromRow)]
pub struct WorkshopRow {
    pub id: i64,
    pub slug: String,
    pub district_id: i64,
    pub district_slug: String,
    pub district_name_zh: String,
    pub district_name_en: Option<String>,
    pub category: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub town_zh: String,
    pub town_en: Option<String>,
    pub villages_zh: String,
    pub villages_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub model_zh: Option<String>,
    pub model_en: Option<String>,
    pub partners_zh: Option<String>,
    pub partners_en: Option<String>,
    pub founded_year: Option<i32>,
    pub founded_month: Option<i32>,
    pub contact: Option<String>,
    pub is_active: bool,
    pub published: bool,
    /// Its district is published (a workshop of a draft district is a
    /// draft too, whatever its own state).
    pub district_published: bool,
    pub employed: Option<i64>,
    /// `employed` is a "more than" figure (20+).
    pub employed_more_than: bool,
    pub income_per_person_year: Option<i64>,
    /// The income was computed by the portal, thus (`3500×12`).
    pub income_formula: Option<String>,
    pub open_openings: i64,
    /// "Last updated".
    pub updated_at: DateTime<Utc>,
}

/// Columns of [`WorkshopRow`] (followed by a FROM that names `w` and `d`);
/// `$TODAY` is the placeholder of today's date.
const COLUMNS: &str = "SELECT w.id, w.slug, w.district_id, d.slug AS district_slug, \
     d.name_zh AS district_name_zh, d.name_en AS district_name_en, w.category, w.name_zh, \
     w.name_en, w.town_zh, w.town_en, w.villages_zh, w.villages_en, w.summary_zh, w.summary_en, \
     w.model_zh, w.model_en, w.partners_zh, w.partners_en, w.founded_year, w.founded_month, \
     w.contact, w.is_active, w.published, d.published AS district_published, w.employed, w.employed_more_than, w.income_per_person_year, w.income_formula, \
     (SELECT COUNT(*) FROM openings o WHERE o.workshop_id = w.id AND o.is_open = TRUE \
        AND o.places_left > 0 AND (o.closes_on IS NULL OR o.closes_on >= $TODAY)) AS open_openings, \
     w.updated_at";
const FROM: &str = " FROM workshops w JOIN districts d ON d.id = w.district_id";

/// One page of the listing, in the listing's order.
#[tracing::instrument(name = "db::workshops::list", skip_all)]
pub async fn list(db: &Db, listing: &Listing, today: NaiveDate) -> DbResult<Paged<WorkshopRow>> {
    let search = search_plan(db, listing.q.as_deref(), listing.sort).await?;
    fetch_page(db, &list_query(listing, today, &search), listing.page, PAGE_SIZE).await
}

/// The first page of a listing: for pages that show a few workshops and
/// link to the listing (a district page).
#[tracing::instrument(name = "db::workshops::first_page", skip_all)]
pub async fn first_page(
    db: &Db,
    listing: &Listing,
    today: NaiveDate,
) -> DbResult<Vec<WorkshopRow>> {
    let search = search_plan(db, listing.q.as_deref(), listing.sort).await?;
    let query = list_query(listing, today, &search);
    let mut rows = on_db!(db, p => {
        let q = sqlx::query_as::<_, WorkshopRow>(sqlx::AssertSqlSafe(query.rows.clone()));
        bind_args!(q, &query.args).fetch_all(p).await?
    });
    rows.truncate(PAGE_SIZE as usize);
    Ok(rows)
}

/// A search whose rarest pair has more workshops than this walks the
/// listing's order instead: its matches are common enough that a page of
/// them comes after a few hundred rows, while sorting every candidate
/// would grow with the portal.
pub const CANDIDATES_MAX: i64 = 2_000;

/// How a search finds its workshops (see migration 0008).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// No search.
    NoSearch,
    /// Walk the workshops that hold this pair of the query in the default
    /// order (the pair index keeps them so), check the whole query on
    /// each, and stop after a page.
    Ordered(String),
    /// Start from the workshops that hold this pair of the query, sort
    /// them, and check the whole query on each.
    Candidates(GramKey),
    /// Walk the order's index and check the query on each workshop.
    Walk,
}

/// Picks the rarest way into the search index of the query, counting each
/// one's workshops only up to [`CANDIDATES_MAX`]. In the default order a
/// pair's workshops are walked in order, however many there are; in
/// another order they are sorted, when there are few enough.
#[tracing::instrument(name = "db::workshops::search_plan", skip_all)]
pub async fn search_plan(db: &Db, q: Option<&str>, sort: Sort) -> DbResult<SearchPlan> {
    let Some(q) = q else { return Ok(SearchPlan::NoSearch) };
    let keys = query_keys(&q.to_lowercase());
    let ordered = |key: &GramKey| match key {
        GramKey::Pair(pair) if sort == Sort::Newest => Some(SearchPlan::Ordered(pair.clone())),
        _ => None,
    };
    match keys.as_slice() {
        [] => return Ok(SearchPlan::Walk),
        [only] if let Some(plan) = ordered(only) => return Ok(plan),
        _ => {}
    }
    let mut args = Vec::new();
    let parts: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            let cond = gram_condition(key, &mut args);
            format!(
                "SELECT CAST({k} AS BIGINT) AS k, (SELECT COUNT(*) FROM (SELECT 1 FROM workshop_grams g \
                 WHERE {cond} LIMIT {}) AS c) AS n",
                CANDIDATES_MAX + 1
            )
        })
        .collect();
    let sql = parts.join(" UNION ALL ");
    let counts: Vec<(i64, i64)> = on_db!(db, p => {
        let q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &args).fetch_all(p).await?
    });
    let Some((k, n)) = counts.into_iter().min_by_key(|&(k, n)| (n, k)) else {
        return Ok(SearchPlan::Walk);
    };
    let rarest = &keys[usize::try_from(k).unwrap_or(0)];
    Ok(match ordered(rarest) {
        Some(plan) => plan,
        None if n <= CANDIDATES_MAX => SearchPlan::Candidates(rarest.clone()),
        None => SearchPlan::Walk,
    })
}

/// The condition on `g.gram` for one key, its values pushed to `args`.
fn gram_condition(key: &GramKey, args: &mut Vec<Arg>) -> String {
    match key {
        GramKey::Pair(pair) => {
            args.push(Arg::Text(pair.clone()));
            format!("g.gram = ${}", args.len())
        }
        GramKey::Prefix(from, to) => {
            args.push(Arg::Text(from.clone()));
            args.push(Arg::Text(to.clone()));
            format!("g.gram >= ${} AND g.gram < ${}", args.len() - 1, args.len())
        }
    }
}

/// Adds the pairs of the search text of workshops `$1` to `$2` (ids) to the
/// search index, cut as migration 0008 first cut them. Run it in the
/// transaction that writes a search text, after deleting the old pairs of
/// a workshop whose text changed.
pub(crate) fn index_search_sql(db: &Db) -> &'static str {
    match db.backend() {
        super::Backend::Sqlite => {
            "INSERT OR IGNORE INTO workshop_grams (gram, year_key, month_key, workshop_id) \
             WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \
               (SELECT COALESCE(MAX(length(search_text)), 0) FROM workshops WHERE id BETWEEN $1 AND $2)) \
             SELECT substr(w.search_text || ' ', n.i, 2), COALESCE(w.founded_year, 0), \
                    COALESCE(w.founded_month, 0), w.id \
             FROM workshops w JOIN n ON n.i <= length(w.search_text) \
             WHERE w.id BETWEEN $1 AND $2 AND unicode(substr(w.search_text, n.i, 1)) > 127"
        }
        super::Backend::Postgres => {
            "INSERT INTO workshop_grams (gram, year_key, month_key, workshop_id) \
             SELECT substr(w.search_text || ' ', i, 2), COALESCE(w.founded_year, 0), \
                    COALESCE(w.founded_month, 0), w.id \
             FROM workshops w, generate_series(1, length(w.search_text)) AS i \
             WHERE w.id BETWEEN $1 AND $2 AND ascii(substr(w.search_text, i, 1)) > 127 \
             ON CONFLICT DO NOTHING"
        }
    }
}

/// Adds every workshop's pairs to the search index (after generated data,
/// and for rows a test writes past the portal's own paths).
#[tracing::instrument(name = "db::workshops::index_all", skip_all)]
pub async fn index_all(db: &Db) -> DbResult<()> {
    let sql = index_search_sql(db);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(0_i64).bind(i64::MAX).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// The listing's SQL for these filters (also what the plan test explains):
/// one row more than a page, so the page knows whether another follows.
pub fn list_query(listing: &Listing, today: NaiveDate, search: &SearchPlan) -> ListQuery {
    let mut args = vec![Arg::Date(today)];
    let mut filter = format!(
        " WHERE w.is_active = TRUE AND w.published = TRUE AND {}",
        super::in_public_district("w.district_id")
    );
    let push = |filter: &mut String, args: &mut Vec<Arg>, fragment: &str, arg: Arg| {
        args.push(arg);
        filter.push_str(&fragment.replace("$N", &format!("${}", args.len())));
    };
    if let Some(d) = &listing.district {
        // In the default order workshops_district_only_newest (or, with a
        // category, workshops_district_newest) holds the matches in order.
        // In another order the district is checked row by row while the
        // order's index is walked (the unary + keeps SQLite from starting
        // at the district and sorting a third of all workshops, measured
        // at 100,000: 33 MB of sorting per request).
        let sql = if listing.sort == Sort::Newest {
            " AND w.district_id = (SELECT sd.id FROM districts sd WHERE sd.slug = $N)"
        } else {
            " AND +w.district_id = (SELECT sd.id FROM districts sd WHERE sd.slug = $N)"
        };
        push(&mut filter, &mut args, sql, Arg::Text(d.clone()));
    }
    if let Some(t) = &listing.town {
        push(&mut filter, &mut args, " AND w.town_zh = $N", Arg::Text(t.clone()));
    }
    if let Some(c) = listing.category {
        push(&mut filter, &mut args, " AND w.category = $N", Arg::Text(c.code().to_owned()));
    }
    if let Some(q) = &listing.q {
        match search {
            SearchPlan::Candidates(key) => {
                let cond = gram_condition(key, &mut args);
                filter.push_str(&format!(
                    " AND w.id IN (SELECT g.workshop_id FROM workshop_grams g WHERE {cond})"
                ));
            }
            SearchPlan::Ordered(pair) => {
                push(&mut filter, &mut args, " AND g.gram = $N", Arg::Text(pair.clone()));
            }
            SearchPlan::NoSearch | SearchPlan::Walk => {}
        }
        let pattern = Arg::Text(format!("%{}%", escape_like(&q.to_lowercase())));
        push(&mut filter, &mut args, " AND w.search_text LIKE $N ESCAPE '\\'", pattern);
    }
    if listing.hiring {
        filter.push_str(
            " AND EXISTS (SELECT 1 FROM openings o WHERE o.workshop_id = w.id AND o.is_open = TRUE \
              AND o.places_left > 0 AND (o.closes_on IS NULL OR o.closes_on >= $1))",
        );
    }
    // The same expressions as the indexes of migrations 0005 and 0008, so
    // each order is an index walk that stops after one page (a missing
    // figure sorts last). Search candidates are few and sorted instead:
    // the unary plus keeps the planners from walking the whole order.
    let plus = if matches!(search, SearchPlan::Candidates(_)) { "+" } else { "" };
    let order = match listing.sort {
        Sort::Newest => format!(
            " ORDER BY {plus}COALESCE(w.founded_year, 0) DESC, COALESCE(w.founded_month, 0) DESC, w.id DESC"
        ),
        Sort::MostEmployed => format!(" ORDER BY {plus}COALESCE(w.employed, -1) DESC, w.id DESC"),
        Sort::LargestIncrease => {
            format!(" ORDER BY {plus}COALESCE(w.income_per_person_year, -1) DESC, w.id DESC")
        }
    };
    // A pair's workshops, walked in the default order from the pair index
    // (SQLite's CROSS JOIN keeps it the outer loop; PostgreSQL finds the
    // same plan by cost).
    let (from, order) = match search {
        SearchPlan::Ordered(_) => (
            " FROM workshop_grams g CROSS JOIN workshops w JOIN districts d ON d.id = w.district_id",
            " ORDER BY g.year_key DESC, g.month_key DESC, g.workshop_id DESC".to_owned(),
        ),
        _ => (FROM, order),
    };
    if matches!(search, SearchPlan::Ordered(_)) {
        filter.push_str(" AND w.id = g.workshop_id");
    }
    let columns = COLUMNS.replace("$TODAY", "$1");
    let rows = format!("{columns}{from}{filter}{order}{}", page_limit(PAGE_SIZE));
    ListQuery { rows, args }
}

#[derive(Debug, Clone, FromRow)]
pub struct OpeningRow {
    pub id: i64,
    pub task_zh: String,
    pub task_en: Option<String>,
    pub pay_zh: String,
    pub pay_en: Option<String>,
    pub hours_zh: String,
    pub hours_en: Option<String>,
    pub places: i64,
    pub places_left: i64,
    pub closes_on: Option<NaiveDate>,
    pub is_open: bool,
}

impl OpeningRow {
    /// Open for sign-ups today: open, places left, not past its closing date.
    pub fn accepting(&self, today: NaiveDate) -> bool {
        self.is_open && self.places_left > 0 && self.closes_on.is_none_or(|d| d >= today)
    }
}

pub struct WorkshopPage {
    pub workshop: WorkshopRow,
    pub figures: Vec<super::districts::FigureRow>,
    /// Its figures' values over the years, and their corrections.
    pub values: Vec<super::sources::ValueRow>,
    pub corrections: Vec<super::sources::CorrectionRow>,
    pub openings: Vec<OpeningRow>,
    /// The sources its figures cite.
    pub sources: Vec<super::sources::SourceRow>,
    pub photos: Vec<super::photos::PhotoRow>,
}

const OPENING_COLUMNS: &str = "id, task_zh, task_en, pay_zh, pay_en, hours_zh, hours_en, places, \
     places_left, closes_on, is_open";

#[tracing::instrument(name = "db::workshops::page", skip_all)]
pub async fn page(
    db: &Db,
    slug: &str,
    today: NaiveDate,
    drafts: bool,
) -> DbResult<Option<WorkshopPage>> {
    let sql = format!("{}{FROM} WHERE w.slug = $2", COLUMNS.replace("$TODAY", "$1"));
    let openings_sql = format!(
        "SELECT {OPENING_COLUMNS} FROM openings WHERE workshop_id = $1 ORDER BY is_open DESC, id"
    );
    // Its figures are figures as a district's are, of this workshop.
    let figures_sql = format!(
        "SELECT id, district_id, code, label_zh, label_en, value, unit_zh, unit_en, qualifier, \
                year, as_of_zh, as_of_en, source_id, computed_as, chart_group, headline, published \
         FROM figures WHERE workshop_id = $1{} AND value IS NOT NULL AND source_id IS NOT NULL \
         ORDER BY position, id",
        if drafts { "" } else { " AND published = TRUE" }
    );
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let Some(workshop) = sqlx::query_as::<_, WorkshopRow>(sqlx::AssertSqlSafe(sql))
            .bind(today).bind(slug).fetch_optional(&mut *conn).await?
        else {
            return Ok(None);
        };
        let figures = sqlx::query_as::<_, super::districts::FigureRow>(sqlx::AssertSqlSafe(figures_sql))
            .bind(workshop.id).fetch_all(&mut *conn).await?;
        let (values, corrections) =
            super::sources::read_history!(conn, workshop.id, super::sources::ValuesOf::Workshop);
        let openings = sqlx::query_as::<_, OpeningRow>(sqlx::AssertSqlSafe(openings_sql))
            .bind(workshop.id).fetch_all(&mut *conn).await?;
        let sources = super::sources::read_cited!(&mut *conn, &figures);
        let photos = sqlx::query_as::<_, super::photos::PhotoRow>(sqlx::AssertSqlSafe(
            super::photos::Owner::Workshop(workshop.id).list_sql(),
        ))
        .bind(workshop.id).fetch_all(&mut *conn).await?;
        Ok(Some(WorkshopPage { workshop, figures, values, corrections, openings, sources, photos }))
    })
}

/// What the portal itself lists: active workshops and the people they
/// report employing (where known; a lower bound when one reports "more
/// than"), optionally for one district.
#[tracing::instrument(name = "db::workshops::portal_totals", skip_all, fields(district_id = ?district_id))]
pub async fn portal_totals(db: &Db, district_id: Option<i64>) -> DbResult<(i64, i64, bool)> {
    let sql = format!(
        "SELECT COUNT(*), CAST(SUM(employed) AS BIGINT), \
         CAST(MAX(CASE WHEN employed_more_than AND employed IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM workshops \
         WHERE is_active = TRUE AND published = TRUE AND ($1 IS NULL OR district_id = $1) \
         AND {}",
        super::in_public_district("workshops.district_id")
    );
    Ok(
        on_db!(db, p => sqlx::query_as::<_, (i64, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(sql))
            .bind(district_id).fetch_one(p).await.map(|(n, s, more)| (n, s.unwrap_or(0), more == Some(1)))?),
    )
}

/// A district in the listing's filter: slug, name in Chinese, in English.
pub type DistrictChoice = (String, String, Option<String>);
/// A town in the listing's filter: its name in Chinese, in English.
pub type TownChoice = (String, Option<String>);
/// A workshop a keeper keeps: slug, name in Chinese, in English, district id.
pub type KeptWorkshop = (String, String, Option<String>, i64);

/// Choices for the listing's filters: districts with workshops, and towns.
#[tracing::instrument(name = "db::workshops::filter_choices", skip_all)]
pub async fn filter_choices(db: &Db) -> DbResult<(Vec<DistrictChoice>, Vec<TownChoice>)> {
    on_db!(db, p => {
        let districts = sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT DISTINCT d.slug, d.name_zh, d.name_en FROM districts d \
             JOIN workshops w ON w.district_id = d.id \
             WHERE w.is_active = TRUE AND w.published = TRUE AND d.published = TRUE \
             ORDER BY d.slug",
        ).fetch_all(p).await?;
        // Towns and streets of the tree that hold an active workshop.
        let towns = sqlx::query_as::<_, (String, Option<String>)>(sqlx::AssertSqlSafe(format!(
            "SELECT t.name_zh, MAX(t.name_en) FROM territories t \
             WHERE t.kind IN ('town', 'street') AND EXISTS (SELECT 1 FROM workshops w \
                   WHERE w.town_id = t.id AND w.is_active = TRUE AND w.published = TRUE \
                   AND {}) \
             GROUP BY t.name_zh ORDER BY t.name_zh",
            super::in_public_district("w.district_id")
        ))).fetch_all(p).await?;
        Ok((districts, towns))
    })
}

/// How a sign-up went.
#[derive(Debug, PartialEq, Eq)]
pub enum SignupOutcome {
    Done(i64),
    AlreadySignedUp,
    Closed,
    Full,
    NotFound,
}

/// Signs a villager up: one place is taken with a conditional update, so
/// places left never go below zero however many sign up at once.
#[tracing::instrument(name = "db::workshops::sign_up", skip_all, fields(opening_id = opening_id))]
pub async fn sign_up(
    db: &Db,
    slug: &str,
    opening_id: i64,
    s: &NewSignup,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> DbResult<SignupOutcome> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let opening: Option<(bool, i64, Option<NaiveDate>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT o.is_open, o.places_left, o.closes_on FROM openings o \
             JOIN workshops w ON w.id = o.workshop_id \
             WHERE o.id = $1 AND w.slug = $2 AND w.published = TRUE AND {}",
            super::in_public_district("w.district_id")
        )))
        .bind(opening_id).bind(slug).fetch_optional(&mut *tx).await?;
        let Some((is_open, left, closes_on)) = opening else { return Ok(SignupOutcome::NotFound) };
        if !is_open || closes_on.is_some_and(|d| d < today) {
            return Ok(SignupOutcome::Closed);
        }
        // Full before "already signed up": the answer for a full opening
        // is the same whoever asks, so it tells nobody who signed up.
        if left <= 0 {
            return Ok(SignupOutcome::Full);
        }
        let existing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signups WHERE opening_id = $1 AND phone = $2",
        )
        .bind(opening_id).bind(s.phone.as_str()).fetch_one(&mut *tx).await?;
        if existing > 0 {
            return Ok(SignupOutcome::AlreadySignedUp);
        }
        let taken = sqlx::query(
            "UPDATE openings SET places_left = places_left - 1 \
             WHERE id = $1 AND is_open = TRUE AND places_left > 0",
        )
        .bind(opening_id).execute(&mut *tx).await?.rows_affected();
        if taken != 1 {
            return Ok(SignupOutcome::Full);
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO signups (opening_id, name, phone, village, note, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'new', $6, $6) RETURNING id",
        )
        .bind(opening_id).bind(&s.name).bind(s.phone.as_str()).bind(&s.village).bind(&s.note).bind(now)
        .fetch_one(&mut *tx).await;
        let id = match inserted {
            Ok(id) => id,
            // The same phone raced in at the same moment.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(SignupOutcome::AlreadySignedUp);
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(SignupOutcome::Done(id))
    })
}

/// The workshops a set of grants keeps, for the staff list.
#[tracing::instrument(name = "db::workshops::kept", skip_all)]
pub async fn kept(db: &Db, grants: &Grants) -> DbResult<Vec<KeptWorkshop>> {
    let all: Vec<KeptWorkshop> = on_db!(db, p => sqlx::query_as(
        "SELECT slug, name_zh, name_en, district_id FROM workshops ORDER BY district_id, name_zh",
    ).fetch_all(p).await?);
    Ok(all.into_iter().filter(|(slug, _, _, d)| grants.keeps_workshop(slug, *d)).collect())
}

#[tracing::instrument(name = "db::workshops::district_of", skip_all)]
pub async fn district_of(db: &Db, slug: &str) -> DbResult<Option<i64>> {
    Ok(
        on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT district_id FROM workshops WHERE slug = $1")
        .bind(slug).fetch_optional(p).await?),
    )
}

/// A workshop named as staff pages name it: its id, address, district
/// and names.
#[derive(Debug, Clone, FromRow)]
pub struct WorkshopName {
    pub id: i64,
    pub slug: String,
    pub district_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
}

#[tracing::instrument(name = "db::workshops::named", skip_all)]
pub async fn named(db: &Db, slug: &str) -> DbResult<Option<WorkshopName>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, WorkshopName>(
        "SELECT id, slug, district_id, name_zh, name_en FROM workshops WHERE slug = $1",
    ).bind(slug).fetch_optional(p).await?))
}

/// A workshop's facts as its form holds them, with its version and when
/// it last changed.
pub struct WorkshopForm {
    pub id: i64,
    pub district_id: i64,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub fields: Fields,
}

#[derive(FromRow)]
struct FactsRow {
    id: i64,
    district_id: i64,
    version: i64,
    updated_at: DateTime<Utc>,
    name_zh: String,
    name_en: Option<String>,
    category: String,
    town_id: Option<i64>,
    villages_zh: String,
    summary_zh: String,
    summary_en: Option<String>,
    model_zh: Option<String>,
    partners_zh: Option<String>,
    founded_year: Option<i32>,
    founded_month: Option<i32>,
    contact: Option<String>,
    employed: Option<i64>,
    employed_more_than: bool,
    income_per_person_year: Option<i64>,
    income_formula: Option<String>,
    is_active: bool,
    published: bool,
}

const FACTS_SQL: &str = "SELECT id, district_id, CAST(version AS BIGINT) AS version, updated_at, \
     name_zh, name_en, category, town_id, villages_zh, summary_zh, summary_en, model_zh, \
     partners_zh, founded_year, founded_month, contact, employed, employed_more_than, \
     income_per_person_year, income_formula, is_active, published FROM workshops WHERE slug = $1";

/// The stored facts in the form's canonical fields (what
/// [`WorkshopEdit::to_fields`] writes for the same workshop).
fn stored_fields(w: &FactsRow) -> Fields {
    let mut f = Fields::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    f.set("name_zh", &w.name_zh);
    f.set("name_en", opt(&w.name_en));
    f.set("category", &w.category);
    f.set("town", w.town_id.map(|id| id.to_string()).unwrap_or_default());
    f.set("villages_zh", &w.villages_zh);
    f.set("summary_zh", &w.summary_zh);
    f.set("summary_en", opt(&w.summary_en));
    f.set("model_zh", opt(&w.model_zh));
    f.set("partners_zh", opt(&w.partners_zh));
    f.set(
        "founded",
        match (w.founded_year, w.founded_month) {
            (Some(y), m) => format!("{y}-{:02}", m.unwrap_or(1)),
            _ => String::new(),
        },
    );
    f.set("contact", opt(&w.contact));
    let plus = if w.employed_more_than { "+" } else { "" };
    f.set("employed", w.employed.map(|n| format!("{n}{plus}")).unwrap_or_default());
    let income = match (&w.income_formula, w.income_per_person_year) {
        (Some(formula), _) => formula.clone(),
        (None, n) => n.map(|n| n.to_string()).unwrap_or_default(),
    };
    f.set("income_per_person_year", income);
    f.set("is_active", if w.is_active { "on" } else { "" });
    f.set("draft", if w.published { "" } else { "on" });
    f
}

/// A workshop's form as stored.
#[tracing::instrument(name = "db::workshops::for_edit", skip_all)]
pub async fn for_edit(db: &Db, slug: &str) -> DbResult<Option<WorkshopForm>> {
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let Some(w) = sqlx::query_as::<_, FactsRow>(FACTS_SQL).bind(slug).fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        Ok(Some(WorkshopForm {
            id: w.id, district_id: w.district_id, version: w.version, updated_at: w.updated_at,
            fields: stored_fields(&w),
        }))
    })
}

/// One save of a workshop's form (or a restore).
pub struct WorkshopSave<'a> {
    pub slug: &'a str,
    pub opened_at: i64,
    pub edit: &'a WorkshopEdit,
    pub user: i64,
    pub note: &'a str,
    pub restored_from: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Saves a workshop's facts: its row, its
/// search index, a revision (and revision 0 before the first), an audit
/// entry and the content version, in one transaction; refused when it was
/// saved since the form was opened.
#[tracing::instrument(name = "db::workshops::save_facts", skip_all, fields(user = s.user))]
pub async fn save_facts(db: &Db, s: &WorkshopSave<'_>) -> DbResult<Saved> {
    let e = s.edit;
    let after = e.to_fields();
    let search = workshop_search_text(
        e.category,
        &e.name_zh,
        e.name_en.as_deref().unwrap_or(""),
        &e.villages_zh,
        &e.summary_zh,
        e.summary_en.as_deref().unwrap_or(""),
        &e.town_zh,
    );
    let (year, month) = match e.founded {
        Some((y, m)) => (Some(y), Some(m)),
        None => (None, None),
    };
    let index_sql = index_search_sql(db);
    let kind = ItemKind::Workshop;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let Some(w) = sqlx::query_as::<_, FactsRow>(FACTS_SQL).bind(s.slug).fetch_optional(&mut *tx).await? else {
            return Ok(Saved::Missing);
        };
        let before = stored_fields(&w);
        let (number, changes, base) = match decide_save(w.version, s.opened_at, &before, &after) {
            SaveStep::Unchanged => return Ok(Saved::Unchanged),
            SaveStep::Conflict => {
                let latest: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(LATEST)
                    .bind(kind.code()).bind(w.id).fetch_optional(&mut *tx).await?;
                let (by, at) = latest.unwrap_or((None, w.updated_at));
                return Ok(Saved::Conflict(Conflict { current: before, version: w.version, by, at }));
            }
            SaveStep::Write { number, changes, base } => (number, changes, base),
        };
        if base {
            write_revision!(&mut *tx, &NewRevision {
                kind, item_id: w.id, number: 0, user: None, at: w.updated_at, note: "",
                restored_from: None, snapshot: before.to_stored(), changes: "[]".into(),
            })?;
        }
        let n = sqlx::query(
            "UPDATE workshops SET name_zh = $1, name_en = $2, category = $3, town_zh = $4, \
                 villages_zh = $5, summary_zh = $6, summary_en = $7, model_zh = $8, partners_zh = $9, \
                 founded_year = $10, founded_month = $11, contact = $12, employed = $13, \
                 income_per_person_year = $14, is_active = $15, search_text = $16, updated_at = $17, \
                 version = $18, town_id = $21, town_en = $22, published = $23, \
                 employed_more_than = $24, income_formula = $25 \
             WHERE id = $19 AND version = $20",
        )
        .bind(&e.name_zh).bind(&e.name_en).bind(e.category.code()).bind(&e.town_zh)
        .bind(&e.villages_zh).bind(&e.summary_zh).bind(&e.summary_en).bind(&e.model_zh)
        .bind(&e.partners_zh).bind(year).bind(month).bind(&e.contact).bind(e.employed)
        .bind(e.income_per_person_year).bind(e.is_active).bind(&search).bind(s.now)
        .bind(number as i32).bind(w.id).bind(w.version as i32).bind(e.town).bind(&e.town_en)
        .bind(!e.draft).bind(e.employed_more_than).bind(&e.income_formula)
        .execute(&mut *tx).await?.rows_affected();
        if n != 1 {
            return Ok(Saved::Conflict(Conflict { current: before, version: w.version + 1, by: None, at: s.now }));
        }
        sqlx::query("DELETE FROM workshop_grams WHERE workshop_id = $1").bind(w.id).execute(&mut *tx).await?;
        sqlx::query(sqlx::AssertSqlSafe(index_sql)).bind(w.id).bind(w.id).execute(&mut *tx).await?;
        write_revision!(&mut *tx, &NewRevision {
            kind, item_id: w.id, number, user: Some(s.user), at: s.now, note: s.note,
            restored_from: s.restored_from, snapshot: after.to_stored(),
            changes: changes_to_stored(&changes),
        })?;
        let action = if s.restored_from.is_some() { "workshop.restore" } else { "workshop.update" };
        write_audit!(&mut *tx, &audit::Entry {
            at: s.now, actor: Some(s.user), action, object: format!("workshop:{}", s.slug),
            detail: format!("revision:{number}"),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Saved::Revision(number))
    })
}

/// Why a new workshop was not added.
#[derive(Debug)]
pub enum CreateError {
    /// Another workshop has this address already.
    SlugTaken,
    Db(super::DbError),
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> CreateError {
        // Two admins adding the same address at once: the second is told.
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => CreateError::SlugTaken,
            _ => CreateError::Db(e.into()),
        }
    }
}

/// Adds a workshop to a district at `slug`: its row, its search index, its
/// revision 1, an audit entry and the content version, in one transaction.
#[tracing::instrument(name = "db::workshops::create", skip_all, fields(district_id = district_id, user = user))]
pub async fn create(
    db: &Db,
    district_id: i64,
    slug: &str,
    e: &WorkshopEdit,
    user: i64,
    now: DateTime<Utc>,
) -> Result<i64, CreateError> {
    let fields = e.to_fields();
    let changes = crate::domain::revision::changes(&Fields::new(), &fields);
    let search = workshop_search_text(
        e.category,
        &e.name_zh,
        e.name_en.as_deref().unwrap_or(""),
        &e.villages_zh,
        &e.summary_zh,
        e.summary_en.as_deref().unwrap_or(""),
        &e.town_zh,
    );
    let index_sql = index_search_sql(db);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workshops WHERE slug = $1")
            .bind(slug).fetch_one(&mut *tx).await?;
        if taken > 0 {
            return Err(CreateError::SlugTaken);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO workshops (slug, district_id, category, name_zh, name_en, town_zh, \
                 villages_zh, summary_zh, summary_en, is_active, search_text, version, \
                 created_at, updated_at, town_id, town_en, published) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, 1, $11, $11, $12, $13, $14) \
             RETURNING id",
        )
        .bind(slug).bind(district_id).bind(e.category.code()).bind(&e.name_zh).bind(&e.name_en)
        .bind(&e.town_zh).bind(&e.villages_zh).bind(&e.summary_zh).bind(&e.summary_en)
        .bind(&search).bind(now).bind(e.town).bind(&e.town_en).bind(!e.draft)
        .fetch_one(&mut *tx).await?;
        sqlx::query(sqlx::AssertSqlSafe(index_sql)).bind(id).bind(id).execute(&mut *tx).await?;
        write_revision!(&mut *tx, &NewRevision {
            kind: ItemKind::Workshop, item_id: id, number: 1, user: Some(user), at: now, note: "",
            restored_from: None, snapshot: fields.to_stored(), changes: changes_to_stored(&changes),
        })?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: "workshop.create", object: format!("workshop:{slug}"),
            detail: String::new(),
        })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}

#[tracing::instrument(name = "db::workshops::create_opening", skip_all, fields(actor = actor))]
pub async fn create_opening(
    db: &Db,
    slug: &str,
    o: &NewOpening,
    actor: i64,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO openings (workshop_id, task_zh, pay_zh, hours_zh, places, places_left, \
                                   closes_on, is_open, created_at) \
             SELECT id, $1, $2, $3, $4, $4, $5, TRUE, $6 FROM workshops WHERE slug = $7 RETURNING id",
        )
        .bind(&o.task_zh).bind(&o.pay_zh).bind(&o.hours_zh).bind(o.places).bind(o.closes_on)
        .bind(now).bind(slug).fetch_one(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(actor), action: "opening.create", object: format!("workshop:{slug}"), detail: format!("opening:{id}") })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Closes an opening of this workshop. False when there is no such opening here.
#[tracing::instrument(name = "db::workshops::close_opening", skip_all, fields(opening_id = opening_id, actor = actor))]
pub async fn close_opening(
    db: &Db,
    slug: &str,
    opening_id: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE openings SET is_open = FALSE \
             WHERE id = $1 AND workshop_id = (SELECT id FROM workshops WHERE slug = $2)",
        )
        .bind(opening_id).bind(slug).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(actor), action: "opening.close", object: format!("workshop:{slug}"), detail: format!("opening:{opening_id}") })?;
            sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct SignupRow {
    pub id: i64,
    pub opening_id: i64,
    pub task_zh: String,
    pub task_en: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub village: String,
    pub note: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(name = "db::workshops::signups", skip_all)]
pub async fn signups(db: &Db, slug: &str) -> DbResult<Vec<SignupRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, SignupRow>(
        "SELECT s.id, s.opening_id, o.task_zh, o.task_en, s.name, s.phone, s.village, s.note, s.status, s.created_at \
         FROM signups s JOIN openings o ON o.id = s.opening_id JOIN workshops w ON w.id = o.workshop_id \
         WHERE w.slug = $1 ORDER BY s.id DESC",
    ).bind(slug).fetch_all(p).await?))
}

/// Sets a sign-up's status. False when the sign-up is not this workshop's.
#[tracing::instrument(name = "db::workshops::set_signup_status", skip_all, fields(signup_id = signup_id, actor = actor))]
pub async fn set_signup_status(
    db: &Db,
    slug: &str,
    signup_id: i64,
    status: &str,
    actor: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE signups SET status = $1, updated_at = $2 WHERE id = $3 AND opening_id IN \
               (SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id WHERE w.slug = $4)",
        )
        .bind(status).bind(now).bind(signup_id).bind(slug).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(actor), action: "signup.status", object: format!("signup:{signup_id}"), detail: status.to_owned() })?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

#[tracing::instrument(name = "db::workshops::audit_export", skip_all, fields(actor = actor))]
pub async fn audit_export(db: &Db, slug: &str, actor: i64, now: DateTime<Utc>) -> DbResult<()> {
    audit::audit(db, Some(actor), "signup.export", &format!("workshop:{slug}"), "", now).await
}

/// Erases villagers' phone numbers from sign-ups made before `before`.
/// Idempotent, so any number of instances may run it at once.
#[tracing::instrument(name = "db::workshops::erase_old_signup_phones", skip_all)]
pub async fn erase_old_signup_phones(db: &Db, before: DateTime<Utc>) -> DbResult<u64> {
    Ok(on_db!(db, p => sqlx::query(
        "UPDATE signups SET phone = NULL WHERE phone IS NOT NULL AND created_at < $1",
    ).bind(before).execute(p).await?.rows_affected()))
}
