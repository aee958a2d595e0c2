//! District content as staff edit it (see [`crate::domain::content`]):
//! each kind's table and columns, named as its form's fields, so one load,
//! one save (row + revision + audit + content version in one transaction,
//! refused when made from an older version), one create and one delete
//! serve every kind.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::audit::{self, write_audit};
use super::revisions::{Conflict, LATEST, NewRevision, Saved, write_revision};
use super::{Arg, BeginWrite, Db, DbResult, bind_args, on_db};
use crate::domain::content::ContentKind;
use crate::domain::revision::{Fields, SaveStep, changes, changes_to_stored, decide_save};
use crate::domain::workshop::{Category, workshop_search_text};

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Text,
    OptText,
    Bool,
    Date,
    OptDate,
    OptId,
    /// A whole number (INTEGER on both databases).
    Int,
    OptInt,
}

struct Table {
    name: &'static str,
    /// Field name = column name, and its type.
    columns: &'static [(&'static str, Col)],
    /// The column naming the district (`id` for a district itself).
    district: &'static str,
    /// The table has a place column (`place_id`) and a published flag.
    place: bool,
    /// The table has a workshop column (`workshop_id`): an item of a
    /// workshop (a workshop's figure) rather than of the district itself.
    workshop: bool,
    published: bool,
}

fn table(kind: ContentKind) -> Table {
    use Col::*;
    match kind {
        ContentKind::District => Table {
            name: "districts",
            columns: &[
                ("name_zh", Text),
                ("name_en", OptText),
                ("summary_zh", Text),
                ("summary_en", OptText),
            ],
            district: "id",
            place: false,
            workshop: false,
            published: true,
        },
        // Its values over the years are kept by `super::sources`.
        ContentKind::Figure => Table {
            name: "figures",
            columns: &[
                ("label_zh", Text),
                ("label_en", OptText),
                ("unit_zh", Text),
                ("unit_en", OptText),
                ("chart_group", OptText),
                ("headline", Bool),
            ],
            district: "district_id",
            place: false,
            workshop: true,
            published: true,
        },
        ContentKind::Programme => Table {
            name: "programmes",
            columns: &[
                ("name_zh", Text),
                ("name_en", OptText),
                ("summary_zh", Text),
                ("summary_en", OptText),
            ],
            district: "district_id",
            place: false,
            workshop: false,
            published: true,
        },
        ContentKind::Story => Table {
            name: "stories",
            columns: &[
                ("title_zh", Text),
                ("title_en", OptText),
                ("body_zh", Text),
                ("body_en", OptText),
                ("story_date", OptDate),
                ("place_id", OptId),
            ],
            district: "district_id",
            place: true,
            workshop: false,
            published: true,
        },
        ContentKind::Notice => Table {
            name: "notices",
            columns: &[
                ("text_zh", Text),
                ("text_en", OptText),
                ("starts_on", Date),
                ("ends_on", Date),
            ],
            district: "district_id",
            place: true,
            workshop: false,
            published: true,
        },
        ContentKind::Source => Table {
            name: "sources",
            columns: &[
                ("title_zh", Text),
                ("title_en", OptText),
                ("publisher_zh", Text),
                ("publisher_en", OptText),
                ("authors_zh", OptText),
                ("authors_en", OptText),
                ("published_on", OptDate),
                ("page", OptText),
                ("url", OptText),
                ("note_zh", OptText),
                ("note_en", OptText),
            ],
            district: "district_id",
            place: false,
            workshop: false,
            published: false,
        },
        // Its sessions are written from its schedule as it is saved.
        ContentKind::Activity => Table {
            name: "activities",
            columns: &[
                ("title_zh", Text),
                ("title_en", OptText),
                ("kind", Text),
                ("audience", Text),
                ("summary_zh", Text),
                ("summary_en", OptText),
                ("place_id", OptId),
                ("address_zh", OptText),
                ("address_en", OptText),
                ("organiser_zh", Text),
                ("organiser_en", OptText),
                ("first_day", Date),
                ("start_time", Text),
                ("end_time", Text),
                ("weekdays", Text),
                ("every_weeks", Int),
                ("until_day", OptDate),
                ("except_days", Text),
                ("signup", Text),
                ("places", OptInt),
                ("party_max", Int),
                ("phone_required", Bool),
                ("cost_zh", OptText),
                ("cost_en", OptText),
                ("bring_zh", OptText),
                ("bring_en", OptText),
                ("outcome_zh", OptText),
                ("outcome_en", OptText),
            ],
            district: "district_id",
            place: true,
            workshop: false,
            published: true,
        },
        // A town or street's district is the one whose node is its parent.
        ContentKind::Territory => Table {
            name: "territories",
            columns: &[("name_zh", Text), ("name_en", OptText), ("kind", Text)],
            district: "(SELECT od.id FROM districts od WHERE od.territory_id = territories.parent_id)",
            place: false,
            workshop: false,
            published: false,
        },
    }
}

impl Table {
    fn select(&self) -> String {
        let cols: Vec<&str> = self.columns.iter().map(|(c, _)| *c).collect();
        let place = if self.place && !self.columns.iter().any(|(c, _)| *c == "place_id") {
            ", place_id"
        } else if self.place {
            ""
        } else {
            ", CAST(NULL AS BIGINT) AS place_id"
        };
        let published = if self.published { "published" } else { "TRUE AS published" };
        let workshop = if self.workshop {
            ", workshop_id, (SELECT w.slug FROM workshops w WHERE w.id = workshop_id) AS workshop_slug"
        } else {
            ", CAST(NULL AS BIGINT) AS workshop_id, CAST(NULL AS TEXT) AS workshop_slug"
        };
        format!(
            "SELECT id, {}{place}{workshop}, {} AS owner_district, {published}, \
                    CAST(version AS BIGINT) AS version, updated_at FROM {}",
            cols.join(", "),
            self.district,
            self.name
        )
    }

    /// Items of the district itself, not of one of its workshops.
    fn of_district_itself(&self) -> &'static str {
        if self.workshop { " AND workshop_id IS NULL" } else { "" }
    }

    /// A field's canonical text as the value to bind.
    fn arg(col: Col, value: &str) -> Arg {
        let opt = || (!value.is_empty()).then(|| value.to_owned());
        match col {
            Col::Text => Arg::Text(value.to_owned()),
            Col::OptText => Arg::OptText(opt()),
            Col::Bool => Arg::Bool(!value.is_empty()),
            Col::Date => {
                Arg::Date(NaiveDate::parse_from_str(value, "%Y-%m-%d").unwrap_or(NaiveDate::MIN))
            }
            Col::OptDate => Arg::OptDate(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()),
            Col::OptId => Arg::OptInt(value.parse().ok()),
            Col::Int => Arg::Int32(value.parse().unwrap_or(1)),
            Col::OptInt => Arg::OptInt32(value.parse().ok()),
        }
    }
}

/// A workshop's texts its search text is made of (with its town's name).
type SearchParts = (i64, String, String, Option<String>, String, String, Option<String>);

/// An item as stored: its fields, who owns it and its version.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub fields: Fields,
    pub district_id: i64,
    pub place_id: Option<i64>,
    /// The workshop it belongs to (id and address), for a workshop's figure.
    pub workshop: Option<(i64, String)>,
    pub published: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// Reads an [`Item`] from a row of [`Table::select`].
macro_rules! read_item {
    ($row:expr, $table:expr) => {{
        let row = $row;
        let mut fields = Fields::new();
        for (name, col) in $table.columns {
            let value = match col {
                Col::Text => row.try_get::<String, _>(*name)?,
                Col::OptText => row.try_get::<Option<String>, _>(*name)?.unwrap_or_default(),
                Col::Bool => {
                    if row.try_get::<bool, _>(*name)? {
                        "on".into()
                    } else {
                        String::new()
                    }
                }
                Col::Date => row.try_get::<NaiveDate, _>(*name)?.to_string(),
                Col::OptDate => row
                    .try_get::<Option<NaiveDate>, _>(*name)?
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                Col::OptId => {
                    row.try_get::<Option<i64>, _>(*name)?.map(|n| n.to_string()).unwrap_or_default()
                }
                Col::Int => row.try_get::<i32, _>(*name)?.to_string(),
                Col::OptInt => {
                    row.try_get::<Option<i32>, _>(*name)?.map(|n| n.to_string()).unwrap_or_default()
                }
            };
            fields.set(name, value);
        }
        let published: bool = row.try_get("published")?;
        fields.set("published", if published { "on" } else { "" });
        Item {
            id: row.try_get("id")?,
            fields,
            district_id: row.try_get("owner_district")?,
            place_id: row.try_get::<Option<i64>, _>("place_id")?,
            workshop: match (
                row.try_get::<Option<i64>, _>("workshop_id")?,
                row.try_get::<Option<String>, _>("workshop_slug")?,
            ) {
                (Some(id), Some(slug)) => Some((id, slug)),
                _ => None,
            },
            published,
            version: row.try_get("version")?,
            updated_at: row.try_get("updated_at")?,
        }
    }};
}

/// One item of a kind, by id.
#[tracing::instrument(name = "db::content::item", skip_all, fields(id = id))]
pub async fn item(db: &Db, kind: ContentKind, id: i64) -> DbResult<Option<Item>> {
    let t = table(kind);
    let sql = format!("{} WHERE id = $1", t.select());
    on_db!(db, p => {
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?;
        Ok(match row { Some(row) => Some(read_item!(&row, &t)), None => None })
    })
}

/// The items of a kind in a district (drafts too), in the page's order;
/// not its workshops' (see [`of_workshop`]).
#[tracing::instrument(name = "db::content::listed", skip_all, fields(district_id = district_id))]
pub async fn listed(db: &Db, kind: ContentKind, district_id: i64) -> DbResult<Vec<Item>> {
    let t = table(kind);
    let sql = format!(
        "{} WHERE {} = $1{} ORDER BY position, id",
        t.select(),
        t.district,
        t.of_district_itself()
    );
    read_list(db, &t, sql, district_id).await
}

/// A workshop's figures (drafts too), in the page's order.
#[tracing::instrument(name = "db::content::of_workshop", skip_all, fields(workshop_id = workshop_id))]
pub async fn of_workshop(db: &Db, workshop_id: i64) -> DbResult<Vec<Item>> {
    let t = table(ContentKind::Figure);
    let sql = format!("{} WHERE workshop_id = $1 ORDER BY position, id", t.select());
    read_list(db, &t, sql, workshop_id).await
}

async fn read_list(db: &Db, t: &Table, sql: String, id: i64) -> DbResult<Vec<Item>> {
    on_db!(db, p => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(read_item!(row, &t));
        }
        Ok(out)
    })
}

/// Who owns an item, for the access check.
#[derive(Debug, Clone)]
pub struct Owner {
    pub district: i64,
    /// A notice's place, a story's (the story is still the district's).
    pub place: Option<i64>,
    /// A workshop's figure's workshop, by its address.
    pub workshop: Option<String>,
}

#[tracing::instrument(name = "db::content::owner", skip_all, fields(id = id))]
pub async fn owner(db: &Db, kind: ContentKind, id: i64) -> DbResult<Option<Owner>> {
    Ok(item(db, kind, id).await?.map(|i| Owner {
        district: i.district_id,
        place: i.place_id,
        workshop: i.workshop.map(|(_, slug)| slug),
    }))
}

/// The statement that sets "last updated" (`$1`) on the page an item shows
/// on, and its owner's id (`$2`): its workshop's, for a workshop's figure,
/// else its district's.
pub(crate) fn touch(district_id: i64, workshop: Option<i64>) -> (&'static str, i64) {
    match workshop {
        Some(id) => ("UPDATE workshops SET updated_at = $1 WHERE id = $2", id),
        None => ("UPDATE districts SET updated_at = $1 WHERE id = $2", district_id),
    }
}

/// Where a new item goes: the district itself, a place of it (a notice
/// there) or a workshop of it (a workshop's figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Under {
    District,
    Place(i64),
    Workshop(i64),
}

/// One save of an item's form (or a restore, or publishing).
pub struct ContentSave<'a> {
    pub kind: ContentKind,
    pub id: i64,
    pub opened_at: i64,
    /// The checked fields, canonical, `published` among them.
    pub fields: &'a Fields,
    pub user: i64,
    pub note: &'a str,
    pub restored_from: Option<i64>,
    pub now: DateTime<Utc>,
}

#[tracing::instrument(name = "db::content::save", skip_all, fields(id = s.id, user = s.user))]
pub async fn save(db: &Db, s: &ContentSave<'_>) -> DbResult<Saved> {
    let t = table(s.kind);
    let kind = s.kind.item_kind();
    let select = format!("{} WHERE id = $1", t.select());
    let mut sets: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    for (name, col) in t.columns {
        args.push(Table::arg(*col, s.fields.get(name)));
        sets.push(format!("{name} = ${}", args.len()));
    }
    if t.published {
        args.push(Arg::Bool(!s.fields.get("published").is_empty()));
        sets.push(format!("published = ${}", args.len()));
    }
    let n = args.len();
    let index_sql = super::workshops::index_search_sql(db);
    let lock = db.row_lock(" FOR UPDATE");
    let update = format!(
        "UPDATE {} SET {}, version = ${}, updated_at = ${} WHERE id = ${} AND version = ${}",
        t.name,
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(select)).bind(s.id).fetch_optional(&mut *tx).await? else {
            return Ok(Saved::Missing);
        };
        let before = read_item!(&row, &t);
        let (number, changes, base) = match decide_save(before.version, s.opened_at, &before.fields, s.fields) {
            SaveStep::Unchanged => return Ok(Saved::Unchanged),
            SaveStep::Conflict => {
                let latest: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(LATEST)
                    .bind(kind.code()).bind(s.id).fetch_optional(&mut *tx).await?;
                let (by, at) = latest.unwrap_or((None, before.updated_at));
                return Ok(Saved::Conflict(Conflict { current: before.fields, version: before.version, by, at }));
            }
            SaveStep::Write { number, changes, base } => (number, changes, base),
        };
        if base {
            write_revision!(&mut *tx, &NewRevision {
                kind, item_id: s.id, number: 0, user: None, at: before.updated_at, note: "",
                restored_from: None, snapshot: before.fields.to_stored(), changes: "[]".into(),
            })?;
        }
        let mut all = args.clone();
        all.extend([Arg::Int32(number as i32), Arg::At(s.now), Arg::Int(s.id), Arg::Int32(before.version as i32)]);
        let q = sqlx::query(sqlx::AssertSqlSafe(update));
        if bind_args!(q, &all).execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(Saved::Conflict(Conflict {
                current: before.fields, version: before.version + 1, by: None, at: s.now,
            }));
        }
        write_revision!(&mut *tx, &NewRevision {
            kind, item_id: s.id, number, user: Some(s.user), at: s.now, note: s.note,
            restored_from: s.restored_from, snapshot: s.fields.to_stored(),
            changes: changes_to_stored(&changes),
        })?;
        let action = format!("{}.{}", kind.code(), if s.restored_from.is_some() { "restore" } else { "update" });
        write_audit!(&mut *tx, &audit::Entry {
            at: s.now, actor: Some(s.user), action: &action, object: format!("{}:{}", kind.code(), s.id),
            detail: format!("revision:{number}"),
        })?;
        if s.kind == ContentKind::Activity {
            super::activities::write_sessions!(tx, s.id, s.fields, s.now, lock);
        }
        if s.kind == ContentKind::Territory {
            // The workshops in a renamed town show and are found by its
            // new name.
            let rows: Vec<SearchParts> = sqlx::query_as(
                "SELECT id, category, name_zh, name_en, villages_zh, summary_zh, summary_en FROM workshops \
                 WHERE town_id = $1",
            ).bind(s.id).fetch_all(&mut *tx).await?;
            let (town_zh, town_en) = (s.fields.get("name_zh"), s.fields.get("name_en"));
            for (id, category, name_zh, name_en, villages_zh, summary_zh, summary_en) in rows {
                let category = Category::parse(&category).unwrap_or(Category::Other);
                let search = workshop_search_text(
                    category, &name_zh, name_en.as_deref().unwrap_or(""), &villages_zh, &summary_zh,
                    summary_en.as_deref().unwrap_or(""), town_zh,
                );
                sqlx::query("UPDATE workshops SET town_zh = $1, town_en = $2, search_text = $3 WHERE id = $4")
                    .bind(town_zh).bind(Some(town_en).filter(|t| !t.is_empty())).bind(&search).bind(id)
                    .execute(&mut *tx).await?;
                sqlx::query("DELETE FROM workshop_grams WHERE workshop_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query(sqlx::AssertSqlSafe(index_sql)).bind(id).bind(id).execute(&mut *tx).await?;
            }
        } else {
            let (touch, owner) = touch(before.district_id, before.workshop.as_ref().map(|w| w.0));
            sqlx::query(touch).bind(s.now).bind(owner).execute(&mut *tx).await?;
        }
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Saved::Revision(number))
    })
}

/// Adds an item of a listed kind to a district (at a place, for a notice
/// there; of a workshop, for its figure), last in order, as revision 1.
/// Returns its id.
#[tracing::instrument(name = "db::content::create", skip_all, fields(district_id = district_id, user = user))]
pub async fn create(
    db: &Db,
    kind: ContentKind,
    district_id: i64,
    under: Under,
    fields: &Fields,
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    let t = table(kind);
    let mut cols: Vec<&str> = vec!["district_id", "code"];
    let mut args =
        vec![Arg::Int(district_id), Arg::Text(format!("staff-{}", now.timestamp_micros()))];
    for (name, col) in t.columns {
        cols.push(name);
        args.push(Table::arg(*col, fields.get(name)));
    }
    if kind == ContentKind::Notice {
        cols.push("place_id");
        args.push(Arg::OptInt(match under {
            Under::Place(id) => Some(id),
            _ => None,
        }));
        cols.push("created_at");
        args.push(Arg::At(now));
    }
    if kind == ContentKind::Activity {
        cols.push("created_at");
        args.push(Arg::At(now));
    }
    if let Under::Workshop(id) = under
        && t.workshop
    {
        cols.push("workshop_id");
        args.push(Arg::Int(id));
    }
    if t.published {
        cols.push("published");
        args.push(Arg::Bool(!fields.get("published").is_empty()));
    }
    cols.extend(["version", "updated_at", "position"]);
    args.extend([Arg::Int32(1), Arg::At(now)]);
    let values: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {t} ({cols}) SELECT {values}, COALESCE(MAX(position), 0) + 1 FROM {t} \
         WHERE district_id = $1 RETURNING id",
        t = t.name,
        cols = cols.join(", "),
        values = values.join(", ")
    );
    let item_kind = kind.item_kind();
    let lock = db.row_lock(" FOR UPDATE");
    let list = changes(&Fields::new(), fields);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        let id = bind_args!(q, &args).fetch_one(&mut *tx).await?;
        if kind == ContentKind::Activity {
            super::activities::write_sessions!(tx, id, fields, now, lock);
        }
        write_revision!(&mut *tx, &NewRevision {
            kind: item_kind, item_id: id, number: 1, user: Some(user), at: now, note: "",
            restored_from: None, snapshot: fields.to_stored(), changes: changes_to_stored(&list),
        })?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: &format!("{}.create", item_kind.code()),
            object: format!("{}:{id}", item_kind.code()), detail: String::new(),
        })?;
        let (touch, owner) = touch(district_id, match under {
            Under::Workshop(id) => Some(id),
            _ => None,
        });
        sqlx::query(touch).bind(now).bind(owner).execute(&mut *tx).await?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// What came of deleting an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    Missing,
    /// A source that figures still cite stays.
    Cited,
    /// An activity people signed up for, with a session ahead, stays (its
    /// sessions are called off first).
    SignedUp,
}

/// Deletes an item of a listed kind for good, with its revisions (an id
/// may be taken again by a later item, whose history must start afresh);
/// the audit entry keeps what it last held.
#[tracing::instrument(name = "db::content::delete", skip_all, fields(id = id, user = user))]
pub async fn delete(
    db: &Db,
    kind: ContentKind,
    id: i64,
    user: i64,
    now: DateTime<Utc>,
) -> DbResult<Deleted> {
    let t = table(kind);
    // The row is locked first, in the order a save takes (item, then an
    // activity's sessions).
    let select = format!("{} WHERE id = $1{}", t.select(), db.row_lock(" FOR UPDATE"));
    let sql = format!("DELETE FROM {} WHERE id = $1", t.name);
    let item_kind = kind.item_kind();
    let lock = db.row_lock(" FOR UPDATE");
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(select)).bind(id).fetch_optional(&mut *tx).await? else {
            return Ok(Deleted::Missing);
        };
        let before = read_item!(&row, &t);
        if kind == ContentKind::Activity {
            // Its sessions are locked first, so no sign-up lands while it goes.
            let lock_sql = format!(
                "SELECT id FROM activity_sessions WHERE activity_id = $1 ORDER BY id{lock}"
            );
            let _: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(lock_sql))
                .bind(id).fetch_all(&mut *tx).await?;
            let live: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM activity_registrations r \
                 JOIN activity_sessions s ON s.id = r.session_id \
                 WHERE s.activity_id = $1 AND s.ends_at > $2 AND s.cancelled_at IS NULL \
                 AND r.status IN ('registered', 'waiting')",
            ).bind(id).bind(now).fetch_one(&mut *tx).await?;
            if live > 0 {
                return Ok(Deleted::SignedUp);
            }
        }
        if kind == ContentKind::Source {
            let cited: i64 = sqlx::query_scalar(super::sources::CITING).bind(id).fetch_one(&mut *tx).await?;
            if cited > 0 {
                return Ok(Deleted::Cited);
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM revisions WHERE item_kind = $1 AND item_id = $2")
            .bind(item_kind.code()).bind(id).execute(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry {
            at: now, actor: Some(user), action: &format!("{}.delete", item_kind.code()),
            object: format!("{}:{id}", item_kind.code()), detail: before.fields.to_stored(),
        })?;
        let (touch, owner) = touch(before.district_id, before.workshop.as_ref().map(|w| w.0));
        sqlx::query(touch).bind(now).bind(owner).execute(&mut *tx).await?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Deleted::Deleted)
    })
}
