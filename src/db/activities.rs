//! Activities and their sessions as pages read them, and sign-ups: places
//! taken with a conditional update, the waiting list moved up in order in
//! the same transaction as a cancellation (see [`crate::domain::activity`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::{
    Arg, BeginWrite, Db, DbResult, ListQuery, Paged, fetch_page, in_public_district, on_db,
    page_limit,
};
use crate::domain::activity::{
    Listing, NewRegistration, Schedule, ScheduleInput, SignupRule, When,
};
use crate::domain::revision::Fields;

/// An activity as its page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub code: String,
    pub district_id: i64,
    pub district_slug: String,
    pub district_name_zh: String,
    pub district_name_en: Option<String>,
    pub place_id: Option<i64>,
    pub place_name_zh: Option<String>,
    pub place_name_en: Option<String>,
    pub place_address_zh: Option<String>,
    pub place_address_en: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub kind: String,
    pub audience: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: Option<String>,
    pub address_en: Option<String>,
    pub organiser_zh: String,
    pub organiser_en: Option<String>,
    pub cost_zh: Option<String>,
    pub cost_en: Option<String>,
    pub bring_zh: Option<String>,
    pub bring_en: Option<String>,
    pub outcome_zh: Option<String>,
    pub outcome_en: Option<String>,
    pub signup: String,
    pub places: Option<i64>,
    pub party_max: i64,
    pub phone_required: bool,
    pub first_day: NaiveDate,
    pub weekdays: String,
    pub every_weeks: i64,
    pub until_day: Option<NaiveDate>,
    pub start_time: String,
    pub end_time: String,
    pub except_days: String,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
}

impl ActivityRow {
    pub fn signup_rule(&self) -> SignupRule {
        SignupRule::parse(&self.signup).unwrap_or(SignupRule::None)
    }

    /// Its schedule as stored (stored only once checked, so it reads back).
    pub fn schedule(&self) -> Option<Schedule> {
        let input = ScheduleInput {
            first_day: self.first_day.to_string(),
            weekdays: self.weekdays.clone(),
            every_weeks: self.every_weeks.to_string(),
            until: self.until_day.map(|d| d.to_string()).unwrap_or_default(),
            start: self.start_time.clone(),
            end: self.end_time.clone(),
            except: self.except_days.clone(),
        };
        Schedule::parse(&input, NaiveDate::MIN).ok()
    }
}

const ACTIVITY_COLUMNS: &str = "a.id, a.code, a.district_id, d.slug AS district_slug, \
     d.name_zh AS district_name_zh, d.name_en AS district_name_en, a.place_id, \
     p.name_zh AS place_name_zh, p.name_en AS place_name_en, p.address_zh AS place_address_zh, \
     p.address_en AS place_address_en, p.latitude, p.longitude, a.kind, a.audience, a.title_zh, \
     a.title_en, a.summary_zh, a.summary_en, a.address_zh, a.address_en, a.organiser_zh, \
     a.organiser_en, a.cost_zh, a.cost_en, a.bring_zh, a.bring_en, a.outcome_zh, a.outcome_en, \
     a.signup, CAST(a.places AS BIGINT) AS places, CAST(a.party_max AS BIGINT) AS party_max, \
     a.phone_required, a.first_day, a.weekdays, CAST(a.every_weeks AS BIGINT) AS every_weeks, \
     a.until_day, a.start_time, a.end_time, a.except_days, a.published, a.updated_at";

const ACTIVITY_FROM: &str = " FROM activities a JOIN districts d ON d.id = a.district_id \
     LEFT JOIN places p ON p.id = a.place_id";

/// A session with its counts: people registered (or come), people waiting.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub activity_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub places: Option<i64>,
    pub places_left: Option<i64>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_note_zh: Option<String>,
    pub cancel_note_en: Option<String>,
    /// People signed up and not cancelled (those who came included).
    pub registered: i64,
    pub waiting: i64,
    /// People checked in at the door.
    pub attended: i64,
}

const SESSION_COLUMNS: &str = "s.id, s.activity_id, s.starts_at, s.ends_at, \
     CAST(s.places AS BIGINT) AS places, CAST(s.places_left AS BIGINT) AS places_left, \
     s.cancelled_at, s.cancel_note_zh, s.cancel_note_en, \
     CAST(COALESCE((SELECT SUM(r.people) FROM activity_registrations r WHERE r.session_id = s.id \
         AND r.status IN ('registered', 'attended')), 0) AS BIGINT) AS registered, \
     CAST((SELECT COUNT(*) FROM activity_registrations r WHERE r.session_id = s.id \
         AND r.status = 'waiting') AS BIGINT) AS waiting, \
     CAST(COALESCE((SELECT SUM(r.people) FROM activity_registrations r WHERE r.session_id = s.id \
         AND r.status = 'attended'), 0) AS BIGINT) AS attended";

pub struct ActivityPage {
    pub activity: ActivityRow,
    /// Every session, in order.
    pub sessions: Vec<SessionRow>,
}

/// An activity and its sessions; `drafts`: a draft too (for its staff).
#[tracing::instrument(name = "db::activities::page", skip_all, fields(id = id))]
pub async fn page(db: &Db, id: i64, drafts: bool) -> DbResult<Option<ActivityPage>> {
    let only = if drafts {
        String::new()
    } else {
        format!(" AND a.published = TRUE AND {}", in_public_district("a.district_id"))
    };
    let sql = format!("SELECT {ACTIVITY_COLUMNS}{ACTIVITY_FROM} WHERE a.id = $1{only}");
    let sessions_sql = format!(
        "SELECT {SESSION_COLUMNS} FROM activity_sessions s WHERE s.activity_id = $1 \
         ORDER BY s.starts_at, s.id"
    );
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let Some(activity) = sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(&mut *conn).await?
        else {
            return Ok(None);
        };
        let sessions = sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sessions_sql))
            .bind(id).fetch_all(&mut *conn).await?;
        Ok(Some(ActivityPage { activity, sessions }))
    })
}

/// An activity in a listing, with its next session in the listing's dates.
#[derive(Debug, Clone, FromRow)]
pub struct ListedRow {
    pub id: i64,
    pub kind: String,
    pub audience: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub district_slug: String,
    pub district_name_zh: String,
    pub district_name_en: Option<String>,
    pub place_id: Option<i64>,
    pub place_name_zh: Option<String>,
    pub place_name_en: Option<String>,
    pub address_zh: Option<String>,
    pub address_en: Option<String>,
    pub cost_zh: Option<String>,
    pub cost_en: Option<String>,
    pub signup: String,
    pub next_at: DateTime<Utc>,
    pub next_ends_at: DateTime<Utc>,
    /// Sessions in the listing's dates.
    pub sessions: i64,
}

pub const PAGE_SIZE: i64 = 20;

/// The listing's query: activities with a session (not cancelled) in the
/// dates, soonest first, then by id.
fn list_query(l: &Listing, now: DateTime<Utc>, size: i64) -> ListQuery {
    let (from, to) = l.when.bounds(now);
    let mut args = vec![Arg::At(from)];
    let mut filter = String::from(
        "s.ends_at > $1 AND s.cancelled_at IS NULL AND a.published = TRUE AND d.published = TRUE",
    );
    let mut add = |cond: &str, arg: Arg, args: &mut Vec<Arg>| {
        args.push(arg);
        filter.push_str(&format!(" AND {cond} ${}", args.len()));
    };
    if let Some(to) = to {
        add("s.starts_at <", Arg::At(to), &mut args);
    }
    if let Some(district) = &l.district {
        add("d.slug =", Arg::Text(district.clone()), &mut args);
    }
    if let Some(place) = l.place {
        add("a.place_id =", Arg::Int(place), &mut args);
    }
    if let Some(kind) = l.kind {
        add("a.kind =", Arg::Text(kind.code().to_owned()), &mut args);
    }
    if let Some(audience) = l.audience {
        add("a.audience =", Arg::Text(audience.code().to_owned()), &mut args);
    }
    let rows = format!(
        "SELECT a.id, a.kind, a.audience, a.title_zh, a.title_en, d.slug AS district_slug, \
                d.name_zh AS district_name_zh, d.name_en AS district_name_en, a.place_id, \
                p.name_zh AS place_name_zh, p.name_en AS place_name_en, a.address_zh, a.address_en, \
                a.cost_zh, a.cost_en, a.signup, MIN(s.starts_at) AS next_at, \
                MIN(s.ends_at) AS next_ends_at, CAST(COUNT(*) AS BIGINT) AS sessions \
         FROM activity_sessions s JOIN activities a ON a.id = s.activity_id \
         JOIN districts d ON d.id = a.district_id LEFT JOIN places p ON p.id = a.place_id \
         WHERE {filter} GROUP BY a.id, d.id, p.id ORDER BY next_at, a.id{}",
        page_limit(size)
    );
    ListQuery { rows, args }
}

/// A page of the listing.
#[tracing::instrument(name = "db::activities::listing", skip_all)]
pub async fn listing(db: &Db, l: &Listing, now: DateTime<Utc>) -> DbResult<Paged<ListedRow>> {
    fetch_page(db, &list_query(l, now, PAGE_SIZE), l.page, PAGE_SIZE).await
}

/// The next few activities of a place, a district or everywhere (for their
/// pages and the home page's "this week").
#[tracing::instrument(name = "db::activities::next", skip_all)]
pub async fn next(db: &Db, l: &Listing, now: DateTime<Utc>, n: i64) -> DbResult<Vec<ListedRow>> {
    Ok(fetch_page(db, &list_query(l, now, n), 1, n).await?.rows)
}

/// Shorthand for [`next`]'s filters.
pub fn filter(district: Option<&str>, place: Option<i64>, when: When) -> Listing {
    Listing {
        district: district.map(str::to_owned),
        place,
        kind: None,
        audience: None,
        when,
        page: 1,
        ignored: Vec::new(),
    }
}

/// How a sign-up went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUp {
    /// Places taken; the registration's id.
    Registered(i64),
    /// On the waiting list, at this position.
    Waiting(i64, i64),
    /// No places left and no waiting list.
    Full,
    /// Over, cancelled, no sign-up, or not found.
    Closed,
    /// This phone already holds a sign-up for this session.
    Duplicate,
}

/// Signs up for a session. On PostgreSQL the session's row is locked
/// first, so sign-ups and cancellations of one session follow one another
/// (a sign-up never joins the waiting list while a cancellation frees a
/// place); on SQLite every write transaction does. Places are taken with a
/// conditional update all the same. Nobody jumps the waiting list: while
/// someone waits, a new sign-up waits too.
#[tracing::instrument(name = "db::activities::sign_up", skip_all, fields(session = session))]
pub async fn sign_up(
    db: &Db,
    session: i64,
    r: &NewRegistration,
    code_hash: &str,
    user: Option<i64>,
    now: DateTime<Utc>,
) -> DbResult<SignUp> {
    let lock = db.row_lock(" FOR UPDATE OF s");
    let sql = format!(
        "SELECT a.signup, CAST(s.places_left AS BIGINT), s.starts_at, s.cancelled_at \
         FROM activity_sessions s JOIN activities a ON a.id = s.activity_id \
         WHERE s.id = $1 AND a.published = TRUE AND {}{lock}",
        in_public_district("a.district_id")
    );
    let phone = r.phone.as_ref().map(|p| p.as_str().to_owned());
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        type Found = (String, Option<i64>, DateTime<Utc>, Option<DateTime<Utc>>);
        let found: Option<Found> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(session).fetch_optional(&mut *tx).await?;
        let Some((rule, left, starts_at, cancelled)) = found else { return Ok(SignUp::Closed) };
        let rule = SignupRule::parse(&rule).unwrap_or(SignupRule::None);
        if rule == SignupRule::None || cancelled.is_some() || starts_at <= now {
            return Ok(SignUp::Closed);
        }
        // After the lock, in a statement of its own (so it sees what the
        // sign-up before this one wrote): who waits, and whether this phone
        // holds a sign-up already.
        // The activity as it stands now, too: a save may have changed its
        // rule or taken it down while this waited for the lock.
        let (waiting, held, rule_now, published): (i64, i64, String, bool) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM activity_registrations WHERE session_id = $1 \
                         AND status = 'waiting'), \
                    (SELECT COUNT(*) FROM activity_registrations WHERE session_id = $1 \
                         AND phone = $2 AND status IN ('registered', 'waiting', 'attended')), \
                    a.signup, a.published \
             FROM activities a WHERE a.id = (SELECT activity_id FROM activity_sessions WHERE id = $1)",
        )
        .bind(session).bind(&phone).fetch_one(&mut *tx).await?;
        let rule = SignupRule::parse(&rule_now).unwrap_or(SignupRule::None);
        if rule == SignupRule::None || !published {
            return Ok(SignUp::Closed);
        }
        if held > 0 {
            return Ok(SignUp::Duplicate);
        }
        // Nobody jumps a waiting list (one left from an earlier rule does
        // not hold places back).
        let taken = (waiting == 0 || rule != SignupRule::Waitlist)
            && left.is_some_and(|l| l >= r.people)
            && sqlx::query(
                "UPDATE activity_sessions SET places_left = places_left - $2 \
                 WHERE id = $1 AND places_left >= $2",
            )
            .bind(session).bind(r.people).execute(&mut *tx).await?.rows_affected() == 1;
        let status = match (taken, rule) {
            (true, _) => "registered",
            (false, SignupRule::Waitlist) => "waiting",
            (false, _) => return Ok(SignUp::Full),
        };
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO activity_registrations (session_id, code_hash, name, phone, people, status, \
                 user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(session).bind(code_hash).bind(&r.name).bind(&phone).bind(r.people).bind(status)
        .bind(user).bind(now)
        .fetch_one(&mut *tx).await;
        let id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(SignUp::Duplicate);
            }
            Err(e) => return Err(e.into()),
        };
        // No cached page shows places (the activity pages are not cached),
        // so a sign-up leaves the page caches as they are.
        tx.commit().await?;
        Ok(if taken { SignUp::Registered(id) } else { SignUp::Waiting(id, waiting + 1) })
    })
}

/// A registration as its code page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct RegistrationRow {
    pub id: i64,
    pub session_id: i64,
    pub activity_id: i64,
    pub name: String,
    pub people: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub attended_at: Option<DateTime<Utc>>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub session_cancelled_at: Option<DateTime<Utc>>,
    pub cancel_note_zh: Option<String>,
    pub cancel_note_en: Option<String>,
    /// On the waiting list: its place in it (1: next to move up).
    pub position: Option<i64>,
}

/// A registration by the keyed hash of its code.
#[tracing::instrument(name = "db::activities::registration", skip_all)]
pub async fn registration(db: &Db, code_hash: &str) -> DbResult<Option<RegistrationRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, RegistrationRow>(
        "SELECT r.id, r.session_id, s.activity_id, r.name, CAST(r.people AS BIGINT) AS people, \
                r.status, r.created_at, r.promoted_at, r.cancelled_at, r.attended_at, s.starts_at, \
                s.ends_at, s.cancelled_at AS session_cancelled_at, s.cancel_note_zh, s.cancel_note_en, \
                CASE WHEN r.status = 'waiting' THEN (SELECT COUNT(*) FROM activity_registrations w \
                     WHERE w.session_id = r.session_id AND w.status = 'waiting' AND w.id <= r.id) END \
                    AS position \
         FROM activity_registrations r JOIN activity_sessions s ON s.id = r.session_id \
         WHERE r.code_hash = $1",
    ).bind(code_hash).fetch_optional(p).await?))
}

/// Moves a session's waiting list up through `$tx`, in order, while the
/// first one's party fits (nobody behind them jumps ahead); evaluates to
/// how many moved up. The session's row is locked by the caller.
macro_rules! move_up {
    ($tx:ident, $session:expr, $now:expr) => {{
        let (session, now): (i64, DateTime<Utc>) = ($session, $now);
        let mut promoted: i64 = 0;
        loop {
            let first: Option<(i64, i64)> = sqlx::query_as(
                "SELECT id, CAST(people AS BIGINT) FROM activity_registrations \
                 WHERE session_id = $1 AND status = 'waiting' ORDER BY id LIMIT 1",
            )
            .bind(session).fetch_optional(&mut *$tx).await?;
            let Some((next, party)) = first else { break };
            let moved = sqlx::query(
                "UPDATE activity_sessions SET places_left = places_left - $2 \
                 WHERE id = $1 AND places_left >= $2",
            )
            .bind(session).bind(party).execute(&mut *$tx).await?.rows_affected();
            if moved != 1 {
                break;
            }
            sqlx::query(
                "UPDATE activity_registrations SET status = 'registered', promoted_at = $2 WHERE id = $1",
            )
            .bind(next).bind(now).execute(&mut *$tx).await?;
            promoted += 1;
        }
        promoted
    }};
}
pub(crate) use move_up;

/// An activity's schedule and places as its checked form holds them
/// (none when the schedule does not read: the form checked it, so only a
/// stored row broken by hand, whose sessions are then left alone).
pub(crate) fn planned(
    fields: &Fields,
) -> Option<(Vec<crate::domain::activity::Span>, Option<i64>)> {
    let input = ScheduleInput::of_fields(fields);
    let spans = Schedule::parse(&input, NaiveDate::MIN).ok()?.sessions();
    let places = match fields.get("signup") {
        "none" => None,
        _ => fields.get("places").parse().ok(),
    };
    Some((spans, places))
}

/// The Beijing day a session is on.
pub(crate) fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&crate::domain::format::beijing()).date_naive()
}

/// Writes an activity's sessions from its saved form (`$fields`) through
/// `$tx`, in the transaction that saves it. A session that has begun stays
/// as it was held. Of those ahead, each day of the schedule keeps one: the
/// one at the schedule's start, else one not called off, else the first;
/// it keeps its sign-ups, at the schedule's hours and with its places set
/// anew (the waiting list moves up into places added; with no sign-up any
/// more, everyone waiting may come), and is on again if only a schedule
/// change had called it off. Any other session ahead goes when nobody ever
/// signed up for it, else it is called off with a note its registrants
/// read. A day with no session yet gets one. `$lock` is the sessions'
/// row lock ([`Db::row_lock`]).
macro_rules! write_sessions {
    ($tx:ident, $activity:expr, $fields:expr, $now:expr, $lock:expr) => {{
        use $crate::db::activities::day_of;
        let (activity, now): (i64, DateTime<Utc>) = ($activity, $now);
        if let Some((spans, places)) = $crate::db::activities::planned($fields) {
            let lock_sql = format!(
                "SELECT id FROM activity_sessions WHERE activity_id = $1 ORDER BY id{}",
                $lock
            );
            let _: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(lock_sql))
                .bind(activity).fetch_all(&mut *$tx).await?;
            type Held = (i64, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>, i64, i64);
            let held: Vec<Held> = sqlx::query_as(
                "SELECT s.id, s.starts_at, s.cancelled_at, s.cancel_note_zh, \
                     CAST((SELECT COUNT(*) FROM activity_registrations r WHERE r.session_id = s.id) \
                         AS BIGINT), \
                     CAST(COALESCE((SELECT SUM(r.people) FROM activity_registrations r \
                         WHERE r.session_id = s.id AND r.status IN ('registered', 'attended')), 0) \
                         AS BIGINT) \
                 FROM activity_sessions s WHERE s.activity_id = $1 ORDER BY s.starts_at, s.id",
            )
            .bind(activity).fetch_all(&mut *$tx).await?;
            let (note_zh, note_en) = $crate::domain::activity::SCHEDULE_CHANGED;
            let begun = |h: &Held| h.1 <= now;
            // The session each day of the schedule keeps, if it has one ahead.
            let kept: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = spans
                .iter()
                .filter_map(|(start, end)| {
                    let day = day_of(*start);
                    let ahead: Vec<&Held> =
                        held.iter().filter(|h| day_of(h.1) == day && !begun(h)).collect();
                    // A day begun, or whose new hours are already past, is left
                    // as it is.
                    if *start <= now || held.iter().any(|h| day_of(h.1) == day && begun(h)) {
                        return None;
                    }
                    ahead
                        .iter()
                        .find(|h| h.1 == *start)
                        .or_else(|| ahead.iter().find(|h| h.2.is_none()))
                        .or_else(|| ahead.first())
                        .map(|h| (h.0, *start, *end))
                })
                .collect();
            for h in &held {
                let (id, _, cancelled, note, ever, taken) = h;
                let today_past = spans.iter().any(|(s, _)| day_of(*s) == day_of(h.1) && *s <= now);
                if begun(h) || today_past {
                    continue;
                }
                match kept.iter().find(|k| k.0 == *id) {
                    Some((_, start, end)) => {
                        let left = places.map(|p: i64| (p - taken).max(0));
                        // Called off only because a schedule left its day out: on again.
                        let back = cancelled.is_some() && note.as_deref() == Some(note_zh);
                        sqlx::query(
                            "UPDATE activity_sessions SET starts_at = $2, ends_at = $3, places = $4, \
                                 places_left = $5, \
                                 cancelled_at = CASE WHEN $6 THEN NULL ELSE cancelled_at END, \
                                 cancel_note_zh = CASE WHEN $6 THEN NULL ELSE cancel_note_zh END, \
                                 cancel_note_en = CASE WHEN $6 THEN NULL ELSE cancel_note_en END \
                             WHERE id = $1",
                        )
                        .bind(id).bind(start).bind(end).bind(places).bind(left).bind(back)
                        .execute(&mut *$tx).await?;
                        if cancelled.is_some() && !back {
                            // Called off by its staff: its sign-ups stay as they are.
                        } else if places.is_none() {
                            sqlx::query(
                                "UPDATE activity_registrations SET status = 'registered', \
                                     promoted_at = $2 WHERE session_id = $1 AND status = 'waiting'",
                            )
                            .bind(id).bind(now).execute(&mut *$tx).await?;
                        } else {
                            let _ = $crate::db::activities::move_up!($tx, *id, now);
                        }
                    }
                    None if *ever == 0 => {
                        sqlx::query("DELETE FROM activity_sessions WHERE id = $1")
                            .bind(id).execute(&mut *$tx).await?;
                    }
                    None if cancelled.is_none() => {
                        sqlx::query(
                            "UPDATE activity_sessions SET cancelled_at = $2, cancel_note_zh = $3, \
                                 cancel_note_en = $4 WHERE id = $1",
                        )
                        .bind(id).bind(now).bind(note_zh).bind(note_en).execute(&mut *$tx).await?;
                    }
                    None => {}
                }
            }
            // Days already past are added only to a new activity (one
            // recorded after it was held), never to one that has sessions.
            for (start, end) in &spans {
                if held.iter().any(|h| day_of(h.1) == day_of(*start))
                    || (*start <= now && !held.is_empty())
                {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO activity_sessions (activity_id, starts_at, ends_at, places, places_left) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(activity).bind(start).bind(end).bind(places).execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use write_sessions;

/// How a cancellation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// Cancelled; this many people on the waiting list moved up.
    Done(i64),
    /// Already cancelled, checked in meanwhile, or the session has begun
    /// or is called off: nothing changed.
    Unchanged,
    Missing,
}

/// Cancels a registration: its places go back and the waiting list moves
/// up in order (the first waiting moves up when their party fits, and
/// nobody behind them jumps ahead), all in one transaction, the session's
/// row locked first on PostgreSQL.
#[tracing::instrument(name = "db::activities::cancel", skip_all)]
pub async fn cancel(db: &Db, code_hash: &str, now: DateTime<Utc>) -> DbResult<Cancelled> {
    let lock = db.row_lock(" FOR UPDATE");
    let session_sql = format!(
        "SELECT s.id, s.starts_at, s.cancelled_at FROM activity_sessions s WHERE s.id = \
             (SELECT r.session_id FROM activity_registrations r WHERE r.code_hash = $1){lock}"
    );
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        type Found = (i64, DateTime<Utc>, Option<DateTime<Utc>>);
        let session: Option<Found> = sqlx::query_as(sqlx::AssertSqlSafe(session_sql))
            .bind(code_hash).fetch_optional(&mut *tx).await?;
        let Some((session, starts_at, called_off)) = session else { return Ok(Cancelled::Missing) };
        // A session begun or called off moves nobody up.
        if starts_at <= now || called_off.is_some() {
            return Ok(Cancelled::Unchanged);
        }
        let mine: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, status, CAST(people AS BIGINT) FROM activity_registrations WHERE code_hash = $1",
        )
        .bind(code_hash).fetch_optional(&mut *tx).await?;
        let Some((id, status, people)) = mine else { return Ok(Cancelled::Missing) };
        if !matches!(status.as_str(), "registered" | "waiting") {
            return Ok(Cancelled::Unchanged);
        }
        // As it was read: a check-in at the door in between is not undone.
        let changed = sqlx::query(
            "UPDATE activity_registrations SET status = 'cancelled', cancelled_at = $2 \
             WHERE id = $1 AND status = $3",
        )
        .bind(id).bind(now).bind(&status).execute(&mut *tx).await?.rows_affected();
        if changed != 1 {
            return Ok(Cancelled::Unchanged);
        }
        if status == "registered" {
            sqlx::query("UPDATE activity_sessions SET places_left = places_left + $2 WHERE id = $1")
                .bind(session).bind(people).execute(&mut *tx).await?;
        }
        let promoted = move_up!(tx, session, now);
        tx.commit().await?;
        Ok(Cancelled::Done(promoted))
    })
}

/// The activities' chores as of `now`: sign-up phones erased once their
/// session ended `phone_days` ago, and the page caches dropped when a
/// session began or ended since the last run (every five minutes; the
/// window overlaps a little so none is missed) and just after Beijing
/// midnight, so no page goes on showing a session that is over or a
/// "this week" that has moved on. Returns the phones erased.
#[tracing::instrument(name = "db::activities::clock", skip_all)]
pub async fn clock(db: &Db, now: DateTime<Utc>, phone_days: i64) -> DbResult<u64> {
    let erase_before = now - chrono::Duration::days(phone_days);
    let since = now - chrono::Duration::seconds(330);
    on_db!(db, p => {
        let erased = sqlx::query(
            "UPDATE activity_registrations SET phone = NULL WHERE phone IS NOT NULL \
             AND session_id IN (SELECT id FROM activity_sessions WHERE ends_at < $1)",
        )
        .bind(erase_before).execute(p).await?.rows_affected();
        // Beijing midnight moves "today" and "this week" of the cached pages.
        let midnight = now.with_timezone(&crate::domain::format::beijing()).time()
            < chrono::NaiveTime::from_hms_opt(0, 5, 30).unwrap_or_default();
        sqlx::query(
            "UPDATE content_version SET version = version + 1 WHERE id = 1 AND ($3 OR EXISTS ( \
                 SELECT 1 FROM activity_sessions WHERE (starts_at > $1 AND starts_at <= $2) \
                     OR (ends_at > $1 AND ends_at <= $2)))",
        )
        .bind(since).bind(now).bind(midnight).execute(p).await?;
        Ok(erased)
    })
}

/// The activities a calendar holds: published, with a session ending
/// after `since`, of a district or at a place if asked; each with the
/// starts of its cancelled sessions. At most [`CALENDAR_MAX`].
#[tracing::instrument(name = "db::activities::calendar", skip_all)]
pub async fn calendar(
    db: &Db,
    district: Option<&str>,
    place: Option<i64>,
    activity: Option<i64>,
    since: DateTime<Utc>,
) -> DbResult<Vec<(ActivityRow, Vec<DateTime<Utc>>)>> {
    let mut args = vec![Arg::At(since)];
    let mut filter = format!(
        "a.published = TRUE AND {} AND EXISTS (SELECT 1 FROM activity_sessions s \
         WHERE s.activity_id = a.id AND s.ends_at > $1)",
        in_public_district("a.district_id")
    );
    if let Some(d) = district {
        args.push(Arg::Text(d.to_owned()));
        filter.push_str(&format!(" AND d.slug = ${}", args.len()));
    }
    if let Some(p) = place {
        args.push(Arg::Int(p));
        filter.push_str(&format!(" AND a.place_id = ${}", args.len()));
    }
    if let Some(a) = activity {
        args.push(Arg::Int(a));
        filter.push_str(&format!(" AND a.id = ${}", args.len()));
    }
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS}{ACTIVITY_FROM} WHERE {filter} \
         ORDER BY (SELECT MIN(s.starts_at) FROM activity_sessions s \
                   WHERE s.activity_id = a.id AND s.ends_at > $1), a.id LIMIT {CALENDAR_MAX}"
    );
    on_db!(db, p => {
        let mut conn = p.acquire().await?;
        let q = sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql));
        let rows = super::bind_args!(q, &args).fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let cancelled: Vec<DateTime<Utc>> = sqlx::query_scalar(
                "SELECT starts_at FROM activity_sessions WHERE activity_id = $1 \
                 AND cancelled_at IS NOT NULL ORDER BY starts_at",
            )
            .bind(row.id).fetch_all(&mut *conn).await?;
            out.push((row, cancelled));
        }
        Ok(out)
    })
}

/// The most activities one calendar file holds (the soonest are kept).
pub const CALENDAR_MAX: i64 = 500;

/// A sign-up as its activity's staff see it.
#[derive(Debug, Clone, FromRow)]
pub struct StaffRegistration {
    pub id: i64,
    pub session_id: i64,
    pub starts_at: DateTime<Utc>,
    pub name: String,
    pub phone: Option<String>,
    pub people: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub attended_at: Option<DateTime<Utc>>,
}

const STAFF_REGISTRATION: &str = "SELECT r.id, r.session_id, s.starts_at, r.name, r.phone, \
     CAST(r.people AS BIGINT) AS people, r.status, r.created_at, r.promoted_at, r.cancelled_at, \
     r.attended_at FROM activity_registrations r JOIN activity_sessions s ON s.id = r.session_id";

/// The sign-ups of one session of activity `activity`: who comes (and
/// came), then who waits in order, then who cancelled.
#[tracing::instrument(name = "db::activities::session_registrations", skip_all, fields(session = session))]
pub async fn session_registrations(
    db: &Db,
    activity: i64,
    session: i64,
) -> DbResult<Vec<StaffRegistration>> {
    let sql = format!(
        "{STAFF_REGISTRATION} WHERE r.session_id = $1 AND s.activity_id = $2 \
         ORDER BY CASE r.status WHEN 'waiting' THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END, r.id"
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, StaffRegistration>(sqlx::AssertSqlSafe(sql))
        .bind(session).bind(activity).fetch_all(p).await?))
}

/// Every sign-up of an activity, session by session, for its staff's
/// download (at most [`super::audit::EXPORT_MAX`]); the download is
/// audited first, as `activity.export`.
#[tracing::instrument(name = "db::activities::export", skip_all, fields(activity = activity))]
pub async fn export(
    db: &Db,
    activity: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> DbResult<Vec<StaffRegistration>> {
    let object = format!("activity:{activity}");
    super::audit::audit(db, Some(actor), "activity.export", &object, "", now).await?;
    let sql = format!(
        "{STAFF_REGISTRATION} WHERE s.activity_id = $1 ORDER BY s.starts_at, r.id LIMIT {}",
        super::audit::EXPORT_MAX
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, StaffRegistration>(sqlx::AssertSqlSafe(sql))
        .bind(activity).fetch_all(p).await?))
}

/// Whom a check-in names: a sign-up ticked on the list, or a code typed
/// or scanned at the door (by its keyed hash).
pub enum Whom<'a> {
    Ticked(i64),
    Code(&'a str),
}

/// How a check-in (or taking one back) went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// Checked in (or taken back): who, for which session.
    Done { name: String, people: i64, session: i64 },
    /// Checked in already, at that moment.
    Already { name: String, at: DateTime<Utc>, session: i64 },
    /// Not a place at this session: waiting, or cancelled.
    NotRegistered { name: String, status: String, session: i64 },
    /// The session is called off.
    CalledOff { session: i64 },
    /// The session's day has not come.
    TooEarly { session: i64 },
    /// A code shown on another day than its session's (checked in only
    /// by ticking its list).
    OtherDay { name: String, session: i64 },
    /// No sign-up of this activity by that code or id.
    Missing,
}

/// Checks someone in at the door of a session of activity `activity`
/// (from its day on, Beijing time), or takes a check-in made by mistake
/// back (`undo`).
#[tracing::instrument(name = "db::activities::check_in", skip_all, fields(activity = activity))]
pub async fn check_in(
    db: &Db,
    activity: i64,
    whom: Whom<'_>,
    undo: bool,
    now: DateTime<Utc>,
) -> DbResult<CheckIn> {
    let (by, arg) = match &whom {
        Whom::Ticked(id) => ("r.id = $1", Arg::Int(*id)),
        Whom::Code(hash) => ("r.code_hash = $1", Arg::Text((*hash).to_owned())),
    };
    let by_code = matches!(whom, Whom::Code(_));
    // The sign-up's row is locked, so a cancellation cannot slip in
    // between reading it and checking it in.
    let lock = db.row_lock(" FOR UPDATE OF r");
    let sql = format!(
        "SELECT r.id, r.name, CAST(r.people AS BIGINT), r.status, r.attended_at, s.id, s.starts_at, \
                s.cancelled_at \
         FROM activity_registrations r JOIN activity_sessions s ON s.id = r.session_id \
         WHERE {by} AND s.activity_id = $2{lock}"
    );
    type Found = (
        i64,
        String,
        i64,
        String,
        Option<DateTime<Utc>>,
        i64,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let q = sqlx::query_as::<_, Found>(sqlx::AssertSqlSafe(sql));
        let found = super::bind_args!(q, &[arg, Arg::Int(activity)]).fetch_optional(&mut *tx).await?;
        let Some((id, name, people, status, attended_at, session, starts_at, called_off)) = found else {
            return Ok(CheckIn::Missing);
        };
        let (today, day) = (crate::domain::format::today_at(now), day_of(starts_at));
        let (from, to, at) = if undo {
            ("attended", "registered", None)
        } else {
            ("registered", "attended", Some(now))
        };
        if called_off.is_some() {
            return Ok(CheckIn::CalledOff { session });
        }
        if !undo && day > today {
            return Ok(CheckIn::TooEarly { session });
        }
        if !undo && by_code && day < today && status == "registered" {
            return Ok(CheckIn::OtherDay { name, session });
        }
        if !undo && status == "attended" {
            return Ok(CheckIn::Already { name, at: attended_at.unwrap_or(now), session });
        }
        if status != from {
            return Ok(CheckIn::NotRegistered { name, status, session });
        }
        let changed = sqlx::query(
            "UPDATE activity_registrations SET status = $2, attended_at = $3 WHERE id = $1 AND status = $4",
        )
        .bind(id).bind(to).bind(at).bind(from).execute(&mut *tx).await?.rows_affected();
        if changed != 1 {
            return Ok(CheckIn::NotRegistered { name, status, session });
        }
        // The activity's page counts who came.
        tx.commit().await?;
        Ok(CheckIn::Done { name, people, session })
    })
}

/// Calls off a session ahead, with a message every registrant's code page
/// shows; audited with the change. False when it had begun or was called
/// off already.
#[tracing::instrument(name = "db::activities::call_off", skip_all, fields(session = session))]
pub async fn call_off(
    db: &Db,
    activity: i64,
    session: i64,
    note: (&str, Option<&str>),
    actor: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE activity_sessions SET cancelled_at = $3, cancel_note_zh = $4, cancel_note_en = $5 \
             WHERE id = $1 AND activity_id = $2 AND cancelled_at IS NULL AND starts_at > $3",
        )
        .bind(session).bind(activity).bind(now).bind(note.0).bind(note.1)
        .execute(&mut *tx).await?.rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        super::audit::write_audit!(&mut *tx, &super::audit::Entry {
            at: now, actor: Some(actor), action: "activity.session_cancel",
            object: format!("activity:{activity}"), detail: format!("session:{session}"),
        })?;
        // The listing and the calendars leave it out.
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}
