//! What waits for a member of staff, counted within what their roles
//! cover: wishes to review, wishes flagged for follow-up ("did not
//! arrive"), new sign-ups, and items that lack their English text.

use sqlx::FromRow;

use super::{Arg, Db, DbResult, bind_args, on_db};
use crate::domain::{Grants, Role};

/// The SQL terms that keep rows within `grants`: a site admin sees all;
/// others their districts, and their stations or workshops by id or slug.
/// Each value is pushed onto `args` and named by its place there (`$n`).
fn scope(
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
    let (sql, args) = wishes("w.needs_attention = TRUE");
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
}

impl EnglishKind {
    pub const ALL: [EnglishKind; 3] =
        [EnglishKind::District, EnglishKind::Place, EnglishKind::Workshop];

    /// `head` (the columns) over the items of this kind within `grants`
    /// that lack an English name or summary, then `tail`.
    fn query(self, grants: &Grants, head: &str, tail: &str) -> (String, Vec<Arg>) {
        let mut args = Vec::new();
        let (table, s) = match self {
            EnglishKind::District => ("districts t", scope(grants, "t.id", None, None, &mut args)),
            // A place's English name and summary are its district's to
            // write, not its keepers'.
            EnglishKind::Place => {
                ("places t", scope(grants, "t.district_id", None, None, &mut args))
            }
            EnglishKind::Workshop => {
                ("workshops t", scope(grants, "t.district_id", None, Some("t.slug"), &mut args))
            }
        };
        let missing =
            "(t.name_en IS NULL OR t.name_en = '' OR t.summary_en IS NULL OR t.summary_en = '')";
        (format!("{head} FROM {table} WHERE {missing} AND {s}{tail}"), args)
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
    let key = match kind {
        EnglishKind::Place => "CAST(t.id AS TEXT)",
        _ => "t.slug",
    };
    let head = format!(
        "SELECT {key} AS key, t.name_zh, (t.name_en IS NULL OR t.name_en = '') AS lacks_name"
    );
    let (sql, args) = kind.query(grants, &head, &format!(" ORDER BY t.id LIMIT {ENGLISH_SHOWN}"));
    let rows = on_db!(db, p => {
        let q = sqlx::query_as::<_, Untranslated>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &args).fetch_all(p).await?
    });
    let (sql, args) = kind.query(grants, "SELECT COUNT(*)", "");
    Ok((rows, count(db, sql, args).await?))
}
