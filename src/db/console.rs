//! What waits for a member of staff, counted within what their roles
//! cover: wishes to review, wishes flagged for follow-up ("did not
//! arrive"), new sign-ups, and items that lack their English text.

use sqlx::FromRow;

use super::{Arg, Db, DbResult, bind_args, on_db};
use crate::domain::{Grants, Role};

/// The SQL terms that keep rows within `grants`: a site admin sees all;
/// others their districts, and their stations or workshops by id or slug.
/// Each value is pushed onto `args` and named by its place there (`$n`).
pub(crate) fn scope(
    grants: &Grants,
    district: &str,
    place: Option<&str>,
    workshop: Option<&str>,
    args: &mut Vec<Arg>,
) -> String {
    if grants.is_site_admin() {
        return "TRUE".to_owned();
    }
    let mut terms = Vec::new();
    for role in &grants.0 {
        match (role, place, workshop) {
            (Role::DistrictAdmin { district_id }, _, _) => {
                args.push(Arg::Int(*district_id));
                terms.push(format!("{district} = ${}", args.len()));
            }
            (Role::StationKeeper { place_id }, Some(col), _) => {
                args.push(Arg::Int(*place_id));
                terms.push(format!("{col} = ${}", args.len()));
            }
            (Role::WorkshopKeeper { workshop: slug }, _, Some(col)) => {
                args.push(Arg::Text(slug.clone()));
                terms.push(format!("{col} = ${}", args.len()));
            }
            _ => {}
        }
    }
    if terms.is_empty() { "FALSE".to_owned() } else { format!("({})", terms.join(" OR ")) }
}

async fn count(db: &Db, sql: String, args: Vec<Arg>) -> DbResult<i64> {
    Ok(on_db!(db, p => {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &args).fetch_one(p).await?
    }))
}

/// The counts on `/staff`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    pub reviews: i64,
    pub follow_ups: i64,
    pub signups: i64,
    pub needs_english: i64,
}

#[tracing::instrument(name = "db::console::waiting", skip_all)]
pub async fn waiting(db: &Db, grants: &Grants) -> DbResult<Waiting> {
    let wishes = |status_term: &str| {
        let mut args = Vec::new();
        let s = scope(grants, "w.district_id", Some("w.station_id"), None, &mut args);
        (format!("SELECT COUNT(*) FROM wishes w WHERE {status_term} AND {s}"), args)
    };
    let (sql, args) = wishes("w.status = 'pending'");
    let reviews = count(db, sql, args).await?;
    let (sql, args) = wishes("w.status = 'not_received'");
    let follow_ups = count(db, sql, args).await?;
    let mut args = Vec::new();
    let s = scope(grants, "k.district_id", None, Some("k.slug"), &mut args);
    let signups = count(
        db,
        format!(
            "SELECT COUNT(*) FROM signups s JOIN openings o ON o.id = s.opening_id \
             JOIN workshops k ON k.id = o.workshop_id WHERE s.status = 'new' AND {s}"
        ),
        args,
    )
    .await?;
    let mut needs_english = 0;
    for kind in EnglishKind::ALL {
        let (sql, args) = kind.query(grants, "SELECT COUNT(*)", "");
        needs_english += count(db, sql, args).await?;
    }
    Ok(Waiting { reviews, follow_ups, signups, needs_english })
}

/// Kinds of item that may lack English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnglishKind {
    District,
    Place,
    Workshop,
    Figure,
    Programme,
    Story,
    Source,
    Territory,
}

/// Where a kind keeps its texts: table, the Chinese name, the English
/// name and (when it has one) the English text, the key of an item, and
/// the columns that place it within someone's roles.
struct EnglishSpec {
    table: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    text_en: Option<&'static str>,
    key: &'static str,
    district: &'static str,
    workshop: Option<&'static str>,
}

impl EnglishKind {
    pub const ALL: [EnglishKind; 8] = [
        EnglishKind::District,
        EnglishKind::Place,
        EnglishKind::Workshop,
        EnglishKind::Figure,
        EnglishKind::Programme,
        EnglishKind::Story,
        EnglishKind::Source,
        EnglishKind::Territory,
    ];

    fn spec(self) -> EnglishSpec {
        let spec = |table, name_zh, name_en, text_en, key, district| EnglishSpec {
            table,
            name_zh,
            name_en,
            text_en,
            key,
            district,
            workshop: None,
        };
        let id = "CAST(t.id AS TEXT)";
        match self {
            EnglishKind::District => {
                spec("districts t", "t.name_zh", "t.name_en", Some("t.summary_en"), id, "t.id")
            }
            // A place's English name and summary are its district's to
            // write, not its keepers'.
            EnglishKind::Place => spec(
                "places t",
                "t.name_zh",
                "t.name_en",
                Some("t.summary_en"),
                id,
                "t.district_id",
            ),
            EnglishKind::Workshop => EnglishSpec {
                workshop: Some("t.slug"),
                ..spec(
                    "workshops t",
                    "t.name_zh",
                    "t.name_en",
                    Some("t.summary_en"),
                    "t.slug",
                    "t.district_id",
                )
            },
            // A workshop's figure is its keepers' to write as well.
            EnglishKind::Figure => EnglishSpec {
                workshop: Some("(SELECT w.slug FROM workshops w WHERE w.id = t.workshop_id)"),
                ..spec("figures t", "t.label_zh", "t.label_en", None, id, "t.district_id")
            },
            EnglishKind::Programme => spec(
                "programmes t",
                "t.name_zh",
                "t.name_en",
                Some("t.summary_en"),
                id,
                "t.district_id",
            ),
            EnglishKind::Story => spec(
                "stories t",
                "t.title_zh",
                "t.title_en",
                Some("t.body_en"),
                id,
                "t.district_id",
            ),
            // A source's title: its citation on English pages.
            EnglishKind::Source => {
                spec("sources t", "t.title_zh", "t.title_en", None, id, "t.district_id")
            }
            // A town or street, in the district whose node is its parent.
            EnglishKind::Territory => spec(
                "territories t JOIN districts od ON od.territory_id = t.parent_id \
                 AND t.kind IN ('town', 'street')",
                "t.name_zh",
                "t.name_en",
                None,
                id,
                "od.id",
            ),
        }
    }

    /// `head` (the columns) over the items of this kind within `grants`
    /// that lack an English name or text, then `tail`.
    fn query(self, grants: &Grants, head: &str, tail: &str) -> (String, Vec<Arg>) {
        let spec = self.spec();
        let mut args = Vec::new();
        let s = scope(grants, spec.district, None, spec.workshop, &mut args);
        let blank = |col: &str| format!("{col} IS NULL OR {col} = ''");
        let missing = match spec.text_en {
            Some(text) => format!("({} OR {})", blank(spec.name_en), blank(text)),
            None => format!("({})", blank(spec.name_en)),
        };
        let head = head
            .replace("{key}", spec.key)
            .replace("{name_zh}", spec.name_zh)
            .replace("{lacks_name}", &blank(spec.name_en));
        (format!("{head} FROM {} WHERE {missing} AND {s}{tail}", spec.table), args)
    }
}

/// One item that lacks English: its id (a place) or slug, and Chinese name.
#[derive(Debug, Clone, FromRow)]
pub struct Untranslated {
    pub key: String,
    pub name_zh: String,
    pub lacks_name: bool,
}

/// How many of each kind the "needs English" list shows.
pub const ENGLISH_SHOWN: i64 = 100;

/// The items of one kind that lack English, within `grants`, in order.
#[tracing::instrument(name = "db::console::needs_english", skip_all)]
pub async fn needs_english(
    db: &Db,
    grants: &Grants,
    kind: EnglishKind,
) -> DbResult<(Vec<Untranslated>, i64)> {
    let head = "SELECT {key} AS key, {name_zh} AS name_zh, ({lacks_name}) AS lacks_name";
    let (sql, args) = kind.query(grants, head, &format!(" ORDER BY t.id LIMIT {ENGLISH_SHOWN}"));
    let rows = on_db!(db, p => {
        let q = sqlx::query_as::<_, Untranslated>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &args).fetch_all(p).await?
    });
    let (sql, args) = kind.query(grants, "SELECT COUNT(*)", "");
    Ok((rows, count(db, sql, args).await?))
}
