//! A district's sources register and its figures' values over the years.
//!
//! Staff edit a source as any content item ([`super::content`]); this
//! module reads the register for pages and forms, and writes a figure's
//! values: a new year adds one, a correction replaces one and keeps a
//! public note. Either way the figure's own value columns are set to its
//! latest value in the same transaction, so pages read one row a figure.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::districts::FigureRow;
use super::{BeginWrite, Db, DbResult, on_db};

#[derive(Debug, Clone, FromRow)]
pub struct SourceRow {
    pub id: i64,
    pub district_id: i64,
    pub publisher_zh: String,
    pub publisher_en: Option<String>,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub authors_zh: Option<String>,
    pub authors_en: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub page: Option<String>,
    pub url: Option<String>,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

const SOURCE_COLUMNS: &str = "id, district_id, publisher_zh, publisher_en, title_zh, title_en, \
     authors_zh, authors_en, published_on, page, url, note_zh, note_en";

/// A district's register, in its order.
#[tracing::instrument(name = "db::sources::of_district", skip_all, fields(district_id = district_id))]
pub async fn of_district(db: &Db, district_id: i64) -> DbResult<Vec<SourceRow>> {
    let sql = format!(
        "SELECT {SOURCE_COLUMNS} FROM sources WHERE district_id = $1 ORDER BY position, id"
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, SourceRow>(sqlx::AssertSqlSafe(sql))
        .bind(district_id).fetch_all(p).await?))
}

/// The query for the sources `figures` cite, each once (none when they
/// cite none). Built from ids only, so from fixed text.
pub fn cited_sql(figures: &[FigureRow]) -> Option<String> {
    let mut ids: Vec<i64> = figures.iter().map(|f| f.source_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    (!ids.is_empty()).then(|| format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id IN ({ids})"))
}

/// Reads the sources `$figures` cite on `$exec`, a connection of either
/// database (the page's own).
macro_rules! read_cited {
    ($exec:expr, $figures:expr) => {{
        match $crate::db::sources::cited_sql($figures) {
            Some(sql) => {
                sqlx::query_as::<_, $crate::db::sources::SourceRow>(sqlx::AssertSqlSafe(sql))
                    .fetch_all($exec)
                    .await?
            }
            None => Vec::new(),
        }
    }};
}
pub(crate) use read_cited;

/// One value of a figure over the years.
#[derive(Debug, Clone, FromRow)]
pub struct ValueRow {
    pub id: i64,
    pub figure_id: i64,
    pub year: Option<i32>,
    pub as_of_zh: Option<String>,
    pub as_of_en: Option<String>,
    pub value: f64,
    pub qualifier: String,
    pub computed_as: Option<String>,
    pub source_id: i64,
    pub sort_year: i32,
}

/// A correction of a value: what it was and why it changed.
#[derive(Debug, Clone)]
pub struct CorrectionRow {
    pub value_id: i64,
    pub figure_id: i64,
    pub was: f64,
    pub was_qualifier: String,
    pub was_year: Option<i32>,
    pub was_as_of_zh: Option<String>,
    pub was_as_of_en: Option<String>,
    pub note_zh: String,
    pub note_en: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Values in the order they follow one another: by year, a value "as of"
/// a moment (no year) by its source's year of publication, else by the
/// year it was entered (`sort_year`); the last is the latest.
const VALUE_ORDER: &str = "v.sort_year, v.id";

/// Where a value stands among a figure's others ([`VALUE_ORDER`]).
fn sort_year(year: Option<i32>, published: Option<NaiveDate>, otherwise: i32) -> i32 {
    use chrono::Datelike;
    year.or(published.map(|d| d.year())).unwrap_or(otherwise)
}

const VALUE_COLUMNS: &str = "v.id, v.figure_id, v.year, v.as_of_zh, v.as_of_en, v.value, \
     v.qualifier, v.computed_as, v.source_id, v.sort_year";

/// Whose values a page reads: one figure's, a district's own figures'
/// (not its workshops'), or a workshop's figures'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuesOf {
    Figure,
    District,
    Workshop,
}

/// The query for the values of figure `$1`, or of every figure of
/// district or workshop `$1`, in order, each with its corrections (a row
/// per correction; one query, as a page reads it).
pub fn history_sql(of: ValuesOf) -> String {
    let filter = match of {
        ValuesOf::Figure => "v.figure_id = $1",
        ValuesOf::District => {
            "v.figure_id IN (SELECT f.id FROM figures f WHERE f.district_id = $1 \
                 AND f.workshop_id IS NULL)"
        }
        ValuesOf::Workshop => {
            "v.figure_id IN (SELECT f.id FROM figures f WHERE f.workshop_id = $1)"
        }
    };
    format!(
        "SELECT {VALUE_COLUMNS}, c.id AS correction_id, c.was, c.was_qualifier, c.was_year, c.was_as_of_zh, \
                c.was_as_of_en, c.note_zh, c.note_en, c.created_at \
         FROM figure_values v LEFT JOIN figure_corrections c ON c.value_id = v.id \
         WHERE {filter} ORDER BY v.figure_id, {VALUE_ORDER}, c.id"
    )
}

/// A row of [`history_sql`]: a value, and one of its corrections if any.
#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    #[sqlx(flatten)]
    pub value: ValueRow,
    pub correction_id: Option<i64>,
    pub was: Option<f64>,
    pub was_qualifier: Option<String>,
    pub was_year: Option<i32>,
    pub was_as_of_zh: Option<String>,
    pub was_as_of_en: Option<String>,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// The values (each once, in order) and the corrections of `rows`, in
/// the order they were made.
pub fn split_history(rows: Vec<HistoryRow>) -> (Vec<ValueRow>, Vec<CorrectionRow>) {
    let mut values: Vec<ValueRow> = Vec::new();
    let mut corrections: Vec<(i64, CorrectionRow)> = Vec::new();
    for row in rows {
        if let (Some(id), Some(was), Some(was_qualifier), Some(note_zh), Some(created_at)) =
            (row.correction_id, row.was, row.was_qualifier, row.note_zh, row.created_at)
        {
            corrections.push((
                id,
                CorrectionRow {
                    value_id: row.value.id,
                    figure_id: row.value.figure_id,
                    was,
                    was_qualifier,
                    was_year: row.was_year,
                    was_as_of_zh: row.was_as_of_zh,
                    was_as_of_en: row.was_as_of_en,
                    note_zh,
                    note_en: row.note_en,
                    created_at,
                },
            ));
        }
        if values.last().is_none_or(|v| v.id != row.value.id) {
            values.push(row.value);
        }
    }
    corrections.sort_by_key(|(id, _)| *id);
    (values, corrections.into_iter().map(|(_, c)| c).collect())
}

/// Reads [`history_sql`]'s values and corrections on `$conn`, a
/// connection of either database.
macro_rules! read_history {
    ($conn:ident, $id:expr, $of:expr) => {{
        let sql = $crate::db::sources::history_sql($of);
        let rows = sqlx::query_as::<_, $crate::db::sources::HistoryRow>(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_all(&mut *$conn)
            .await?;
        $crate::db::sources::split_history(rows)
    }};
}
pub(crate) use read_history;

/// A figure's values and their corrections, for its staff page.
#[tracing::instrument(name = "db::sources::history", skip_all, fields(figure = figure))]
pub async fn history(db: &Db, figure: i64) -> DbResult<(Vec<ValueRow>, Vec<CorrectionRow>)> {
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        Ok(read_history!(conn, figure, ValuesOf::Figure))
    })
}

/// A value as staff add it or correct one to.
pub struct NewValue<'a> {
    pub figure_id: i64,
    pub year: Option<i32>,
    pub as_of_zh: Option<&'a str>,
    pub as_of_en: Option<&'a str>,
    pub value: f64,
    pub qualifier: &'a str,
    pub computed_as: Option<&'a str>,
    pub source_id: i64,
    pub user: i64,
    pub now: DateTime<Utc>,
}

/// A correction: the value it replaces, and why.
pub struct Correction<'a> {
    pub value_id: i64,
    pub note_zh: &'a str,
    pub note_en: Option<&'a str>,
}

/// What came of adding or correcting a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSaved {
    Saved(i64),
    /// The figure has a value for that year already: correct that one.
    YearTaken,
    /// The correction changes nothing.
    Unchanged,
    /// No such figure, or no such value of it.
    Missing,
}

/// Adds a value to a figure (`correction` none) or corrects one, and sets
/// the figure's latest value, in one transaction with its audit entry.
#[tracing::instrument(name = "db::sources::save_value", skip_all, fields(figure = v.figure_id, user = v.user))]
pub async fn save_value(
    db: &Db,
    v: &NewValue<'_>,
    correction: Option<&Correction<'_>>,
) -> DbResult<ValueSaved> {
    let latest = format!(
        "SELECT {VALUE_COLUMNS} FROM figure_values v WHERE v.figure_id = $1 \
         ORDER BY {} LIMIT 1",
        VALUE_ORDER.replace(", ", " DESC, ") + " DESC"
    );
    // Two saves of one figure's values at once go one after the other, so
    // neither sets the figure's latest value from a stale read nor passes
    // the year check beside the other (SQLite's write transaction is
    // exclusive already).
    let lock = match db.backend() {
        super::Backend::Postgres => {
            "SELECT district_id, workshop_id FROM figures WHERE id = $1 FOR UPDATE"
        }
        super::Backend::Sqlite => "SELECT district_id, workshop_id FROM figures WHERE id = $1",
    };
    let entered = crate::domain::format::beijing_year(v.now);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let owner: Option<(i64, Option<i64>)> = sqlx::query_as(sqlx::AssertSqlSafe(lock))
            .bind(v.figure_id).fetch_optional(&mut *tx).await?;
        let Some((district, workshop)) = owner else { return Ok(ValueSaved::Missing) };
        let published: Option<Option<NaiveDate>> =
            sqlx::query_scalar("SELECT published_on FROM sources WHERE id = $1")
                .bind(v.source_id).fetch_optional(&mut *tx).await?;
        let published = published.flatten();
        let taken: Option<i64> = match v.year {
            Some(year) => sqlx::query_scalar("SELECT id FROM figure_values WHERE figure_id = $1 AND year = $2")
                .bind(v.figure_id).bind(year).fetch_optional(&mut *tx).await?,
            None => None,
        };
        let (id, action, detail) = match correction {
            None => {
                if taken.is_some() {
                    return Ok(ValueSaved::YearTaken);
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO figure_values (figure_id, year, as_of_zh, as_of_en, value, qualifier, \
                         computed_as, source_id, sort_year, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(v.figure_id).bind(v.year).bind(v.as_of_zh).bind(v.as_of_en).bind(v.value)
                .bind(v.qualifier).bind(v.computed_as).bind(v.source_id)
                .bind(sort_year(v.year, published, entered)).bind(v.user).bind(v.now)
                .fetch_one(&mut *tx).await?;
                (id, "figure.value_add", format!("value:{id}"))
            }
            Some(c) => {
                let before = format!("SELECT {VALUE_COLUMNS} FROM figure_values v WHERE v.id = $1 AND v.figure_id = $2");
                let Some(old) = sqlx::query_as::<_, ValueRow>(sqlx::AssertSqlSafe(before))
                    .bind(c.value_id).bind(v.figure_id).fetch_optional(&mut *tx).await?
                else {
                    return Ok(ValueSaved::Missing);
                };
                if taken.is_some_and(|t| t != old.id) {
                    return Ok(ValueSaved::YearTaken);
                }
                let same = old.year == v.year
                    && old.as_of_zh.as_deref() == v.as_of_zh
                    && old.as_of_en.as_deref() == v.as_of_en
                    && old.value == v.value
                    && old.qualifier == v.qualifier
                    && old.computed_as.as_deref() == v.computed_as
                    && old.source_id == v.source_id;
                if same {
                    return Ok(ValueSaved::Unchanged);
                }
                sqlx::query(
                    "UPDATE figure_values SET year = $1, as_of_zh = $2, as_of_en = $3, value = $4, \
                         qualifier = $5, computed_as = $6, source_id = $7, sort_year = $8 WHERE id = $9",
                )
                .bind(v.year).bind(v.as_of_zh).bind(v.as_of_en).bind(v.value).bind(v.qualifier)
                .bind(v.computed_as).bind(v.source_id)
                .bind(sort_year(v.year, published, old.sort_year)).bind(old.id)
                .execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO figure_corrections (value_id, was, was_qualifier, was_year, \
                         was_as_of_zh, was_as_of_en, note_zh, note_en, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(old.id).bind(old.value).bind(&old.qualifier).bind(old.year)
                .bind(&old.as_of_zh).bind(&old.as_of_en).bind(c.note_zh).bind(c.note_en)
                .bind(v.user).bind(v.now)
                .execute(&mut *tx).await?;
                let detail = format!("value:{} was:{} {}", old.id, old.value, old.qualifier);
                (old.id, "figure.value_correct", detail)
            }
        };
        let last = sqlx::query_as::<_, ValueRow>(sqlx::AssertSqlSafe(latest))
            .bind(v.figure_id).fetch_one(&mut *tx).await?;
        sqlx::query(
            "UPDATE figures SET value = $1, qualifier = $2, year = $3, as_of_zh = $4, as_of_en = $5, \
                 computed_as = $6, source_id = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(last.value).bind(&last.qualifier).bind(last.year).bind(&last.as_of_zh)
        .bind(&last.as_of_en).bind(&last.computed_as).bind(last.source_id).bind(v.now)
        .bind(v.figure_id)
        .execute(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry {
            at: v.now, actor: Some(v.user), action,
            object: format!("figure:{}", v.figure_id), detail,
        })?;
        let (touch, owner) = super::content::touch(district, workshop);
        sqlx::query(touch).bind(v.now).bind(owner).execute(&mut *tx).await?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ValueSaved::Saved(id))
    })
}

/// How many figures and values (a district's and its workshops') cite
/// source `$1`.
pub(crate) const CITING: &str = "SELECT (SELECT COUNT(*) FROM figures WHERE source_id = $1) \
     + (SELECT COUNT(*) FROM figure_values WHERE source_id = $1)";
