//! Micro-wishes: posting, tracking, review, claiming, fulfilment, and the
//! clock (lapsed claims, expiry, phone erasure). Every change of status is
//! a conditional update on the status it starts from, in one transaction
//! with its event, so two people acting at once can never both win.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::events::{EVENT_INSERT, NewEvent, bind_event, insert_event};
use super::{
    Arg, BeginWrite, Db, DbError, DbResult, ListQuery, Paged, bind_args, fetch_page, on_db,
    page_limit,
};
use crate::domain::Grants;
use crate::domain::wish::{
    Actor, ActorKind, Candidate, Change, Current, Delivery, Flags, Limit, NewWish, Outcome,
    PostDecision, Refused, Station, Wall, WishStatus, decide, decide_posts,
};

#[derive(Debug, Clone, FromRow)]
pub struct WishRow {
    pub id: i64,
    pub station_id: i64,
    pub station_code: String,
    pub station_name_zh: String,
    pub station_name_en: Option<String>,
    pub district_id: i64,
    pub district_slug: String,
    pub status: String,
    pub what: String,
    pub why: String,
    pub display_name: String,
    pub occupation: String,
    pub phone: Option<String>,
    pub claimed_by: Option<i64>,
    pub claimer_name: Option<String>,
    pub claimer_deleted: Option<bool>,
    pub reject_reason: Option<String>,
    pub fulfil_note: Option<String>,
    pub arrived: Option<bool>,
    pub thanks: Option<String>,
    pub thanks_hidden: bool,
    pub opened_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub delivery: Option<String>,
    pub delivery_at: Option<DateTime<Utc>>,
    pub delivery_note: Option<String>,
    /// A gift left at the station: taken in by its staff, then picked up.
    pub at_station_at: Option<DateTime<Utc>>,
    pub picked_up_at: Option<DateTime<Utc>>,
}

impl WishRow {
    pub fn status(&self) -> WishStatus {
        WishStatus::parse(&self.status).unwrap_or(WishStatus::Pending)
    }

    /// How the gift reaches the worker, as the volunteer said when claiming.
    pub fn delivery(&self) -> Option<Delivery> {
        Delivery::stored(self.delivery.as_deref(), self.delivery_at, self.delivery_note.as_deref())
    }
}

/// The columns of a [`WishRow`], for [`SELECT`] and [`SELECT_HELD`].
macro_rules! wish_columns {
    () => {
        "w.id, w.station_id, p.code AS station_code, p.name_zh AS station_name_zh, \
         p.name_en AS station_name_en, p.district_id, d.slug AS district_slug, w.status, w.what, w.why, \
         w.display_name, w.occupation, w.phone, w.claimed_by, u.display_name AS claimer_name, \
         (u.deleted_at IS NOT NULL) AS claimer_deleted, w.reject_reason, w.fulfil_note, w.arrived, \
         w.thanks, w.thanks_hidden, w.opened_at, w.created_at, w.updated_at, w.delivery, \
         w.delivery_at, w.delivery_note, w.at_station_at, w.picked_up_at"
    };
}

/// A wish with its station, district and claimer.
macro_rules! wish_from {
    () => {
        " FROM wishes w JOIN places p ON p.id = w.station_id JOIN districts d ON d.id = p.district_id \
         LEFT JOIN users u ON u.id = w.claimed_by"
    };
}

const SELECT: &str = concat!("SELECT ", wish_columns!(), wish_from!());

/// A [`HeldRow`]: the claimer's contact only while the claim is live (or
/// followed up) and their account stands.
const SELECT_HELD: &str = concat!(
    "SELECT ",
    wish_columns!(),
    ", w.claimed_at, \
     CASE WHEN w.status IN ('claimed', 'not_received') AND u.deleted_at IS NULL THEN u.phone END AS claimer_phone, \
     CASE WHEN w.status IN ('claimed', 'not_received') AND u.deleted_at IS NULL THEN u.email END AS claimer_email",
    wish_from!()
);

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub public_note: bool,
    pub kind: Option<String>,
}

/// What posting a wish came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Posted {
    New(i64),
    /// The same phone posted the same wish within a day: that wish, not a second one.
    Duplicate(i64),
    UnknownStation,
    ClosedStation,
    /// One of its limits (address, phone, station) is reached in this window.
    Throttled(Limit),
}

/// A wish to post, with its tracking-code hash and the quotas it counts
/// against.
pub struct Post {
    pub wish: NewWish,
    pub code_hash: String,
    pub quotas: Vec<PostQuota>,
    pub now: DateTime<Utc>,
}

/// One of a post's quotas: a counter's bucket and window, its limit, and
/// which limit it is.
#[derive(Debug, Clone)]
pub struct PostQuota {
    pub bucket: String,
    pub window_start: i64,
    pub limit: i64,
    pub limit_kind: Limit,
}

type Reply = tokio::sync::oneshot::Sender<DbResult<Posted>>;

/// Wish posting with group commit. One task writes: it takes every post
/// waiting in line and stores them in one transaction (a few statements
/// for the whole batch), then answers each poster. A burst of posts costs
/// a handful of transactions instead of one each, which is what SQLite's
/// single writer needs; answers are sent only after the commit.
#[derive(Clone)]
pub struct PostQueue {
    line: tokio::sync::mpsc::Sender<(Post, Reply)>,
}

/// The most posts stored in one transaction.
const BATCH: usize = 128;

impl PostQueue {
    /// Starts the writing task; it ends when the last queue handle is dropped.
    pub fn start(db: Db) -> PostQueue {
        let (line, mut waiting) = tokio::sync::mpsc::channel::<(Post, Reply)>(4096);
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match waiting.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let posts: Vec<&Post> = batch.iter().map(|(p, _)| p).collect();
                match submit_batch(&db, &posts).await {
                    Ok(outcomes) => {
                        for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    Err(DbError::Unavailable(e)) => {
                        tracing::warn!(error = %e, posts = batch.len(), "wish posts not stored: database unavailable");
                        for (_, reply) in batch {
                            let _ =
                                reply.send(Err(DbError::Unavailable(sqlx::Error::PoolTimedOut)));
                        }
                    }
                    // Something in one post: store them one at a time, so
                    // each poster gets their own answer.
                    Err(_) => {
                        for (post, reply) in batch {
                            let answer = submit_batch(&db, &[&post]).await;
                            let _ = reply.send(answer.map(|mut one| one.remove(0)));
                        }
                    }
                }
            }
        });
        PostQueue { line }
    }

    pub async fn post(&self, post: Post) -> DbResult<Posted> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let gone = || DbError::Unavailable(sqlx::Error::PoolClosed);
        self.line.send((post, reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// A quota: the counter's bucket and window.
type Quota = (String, i64);

/// What a batch reads before deciding, and how: the quotas it reserves,
/// the stations it names (by code or id) and the phones it checks for
/// same-day duplicates.
struct BatchReads {
    reserved: HashMap<Quota, i64>,
    stations: Vec<String>,
    ids: Vec<i64>,
    phones: Vec<String>,
    station_sql: String,
    dup_sql: String,
}

impl BatchReads {
    fn of(posts: &[&Post]) -> BatchReads {
        let mut reserved: HashMap<Quota, i64> = HashMap::new();
        for q in posts.iter().flat_map(|p| &p.quotas) {
            *reserved.entry((q.bucket.clone(), q.window_start)).or_insert(0) += 1;
        }
        let mut stations: Vec<String> = posts.iter().map(|p| p.wish.station.clone()).collect();
        stations.sort();
        stations.dedup();
        let ids: Vec<i64> = stations.iter().filter_map(|s| s.parse().ok()).collect();
        let phones: Vec<String> = posts
            .iter()
            .filter_map(|p| p.wish.phone.as_ref().map(|ph| ph.as_str().to_owned()))
            .collect();
        let station_sql = format!(
            "SELECT id, code, is_open, district_id FROM places \
             WHERE kind = 'love_station' AND published = TRUE AND {} \
             AND (code IN ({}){})",
            super::in_public_district("places.district_id"),
            super::placeholders(1, stations.len()),
            if ids.is_empty() {
                String::new()
            } else {
                format!(" OR id IN ({})", super::placeholders(stations.len() + 1, ids.len()))
            },
        );
        let dup_sql = format!(
            "SELECT id, phone, what FROM wishes WHERE created_at > $1 AND phone IN ({}) ORDER BY id",
            super::placeholders(2, phones.len().max(1)),
        );
        BatchReads { reserved, stations, ids, phones, station_sql, dup_sql }
    }
}

/// The decisions of a batch, sorted: answers known now, the posts to
/// store (with their station), the posts that repeat an earlier one of the
/// same batch, and how many of each quota the stored posts use.
#[derive(Default)]
struct Sorted {
    outcomes: Vec<Option<Posted>>,
    accepted: Vec<(usize, i64)>,
    duplicate_of: Vec<(usize, usize)>,
    counted: HashMap<Quota, i64>,
}

impl Sorted {
    fn of(decisions: Vec<PostDecision>, candidates: &[Candidate<Quota>]) -> Sorted {
        let mut out = Sorted::default();
        for (i, decision) in decisions.into_iter().enumerate() {
            out.outcomes.push(match decision {
                PostDecision::Post { station_id } => {
                    out.accepted.push((i, station_id));
                    for (q, _, _) in &candidates[i].quotas {
                        *out.counted.entry(q.clone()).or_insert(0) += 1;
                    }
                    None
                }
                PostDecision::SameAsInBatch(first) => {
                    out.duplicate_of.push((i, first));
                    None
                }
                PostDecision::Duplicate(id) => Some(Posted::Duplicate(id)),
                PostDecision::Throttled(l) => Some(Posted::Throttled(l)),
                PostDecision::UnknownStation => Some(Posted::UnknownStation),
                PostDecision::ClosedStation => Some(Posted::ClosedStation),
            });
        }
        out
    }

    /// Every post's answer, once the stored ones have ids (by code hash).
    fn answers(mut self, posts: &[&Post], new_ids: &HashMap<String, i64>) -> Vec<Posted> {
        let id_of = |i: usize| new_ids.get(&posts[i].code_hash).copied().unwrap_or_default();
        for &(i, _) in &self.accepted {
            self.outcomes[i] = Some(Posted::New(id_of(i)));
        }
        for &(i, first) in &self.duplicate_of {
            self.outcomes[i] = Some(Posted::Duplicate(id_of(first)));
        }
        self.outcomes.into_iter().map(|o| o.unwrap_or(Posted::UnknownStation)).collect()
    }
}

/// Posts in one transaction: for each, the address's quota, a known and
/// open station, no same-day duplicate from the same phone (within the
/// batch too); then the wishes, their first events and the quotas counted.
#[tracing::instrument(name = "db::wishes::submit_batch", skip_all, fields(posts = posts.len()))]
async fn submit_batch(db: &Db, posts: &[&Post]) -> DbResult<Vec<Posted>> {
    let Some(first) = posts.first() else { return Ok(Vec::new()) };
    let since = first.now - chrono::Duration::hours(24);
    let BatchReads { reserved, stations, ids, phones, station_sql, dup_sql } =
        BatchReads::of(posts);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Every post is counted against its address's quota first, in one
        // statement that returns the new total: the counter's row stays
        // locked until this commits, so a batch of another instance waits
        // for it. What is not posted is taken back before the commit.
        // (In one order, so two batches never wait for each other's rows.)
        let mut order: Vec<_> = reserved.iter().collect();
        order.sort();
        let mut used: HashMap<Quota, i64> = HashMap::new();
        for ((bucket, window), n) in order {
            let total: i64 = sqlx::query_scalar(super::throttle::ADD_HITS)
                .bind(bucket).bind(window).bind(n).fetch_one(&mut *tx).await?;
            used.insert((bucket.clone(), *window), total - n);
        }
        let mut q = sqlx::query_as::<_, (i64, String, bool, i64)>(sqlx::AssertSqlSafe(station_sql));
        for s in &stations { q = q.bind(s.clone()); }
        for id in &ids { q = q.bind(*id); }
        let found = q.fetch_all(&mut *tx).await?;
        let mut earlier: HashMap<(String, String), i64> = HashMap::new();
        if !phones.is_empty() {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(dup_sql)).bind(since);
            for ph in &phones { q = q.bind(ph.clone()); }
            for (id, phone, what) in q.fetch_all(&mut *tx).await? {
                earlier.entry((phone, what)).or_insert(id);
            }
        }
        let candidates: Vec<Candidate<Quota>> = posts
            .iter()
            .map(|p| Candidate {
                quotas: p
                    .quotas
                    .iter()
                    .map(|q| ((q.bucket.clone(), q.window_start), q.limit, q.limit_kind))
                    .collect(),
                station: &p.wish.station,
                phone: p.wish.phone.as_ref().map(crate::domain::account::Phone::as_str),
                what: &p.wish.what,
            })
            .collect();
        let district_of: HashMap<i64, i64> = found.iter().map(|s| (s.0, s.3)).collect();
        let stations: Vec<Station> = found
            .into_iter()
            .map(|(id, code, open, _)| Station { id, code, open })
            .collect();
        let sorted = Sorted::of(decide_posts(&candidates, &used, &stations, &earlier), &candidates);
        let accepted = &sorted.accepted;
        let mut new_ids: HashMap<String, i64> = HashMap::new();
        for chunk in accepted.chunks(100) {
            let sql = format!("{} RETURNING id, code_hash", super::insert_sql(WISH_INSERT, 11, chunk.len()));
            let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for &(i, station_id) in chunk {
                let post = posts[i];
                let w = &post.wish;
                q = q.bind(station_id).bind(district_of.get(&station_id).copied()).bind("pending").bind(w.what.clone()).bind(w.why.clone())
                    .bind(w.display_name.as_str().to_owned()).bind(w.occupation.code())
                    .bind(w.phone.as_ref().map(|ph| ph.as_str().to_owned()))
                    .bind(post.code_hash.clone()).bind(post.now).bind(post.now);
            }
            for (id, hash) in q.fetch_all(&mut *tx).await? {
                new_ids.insert(hash, id);
            }
        }
        for chunk in accepted.chunks(100) {
            let sql = super::insert_sql(EVENT_INSERT, 9, chunk.len());
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for &(i, _) in chunk {
                let wish_id = new_ids.get(&posts[i].code_hash).copied().unwrap_or_default();
                q = bind_event!(q, &NewEvent::posted(wish_id, posts[i].now));
            }
            q.execute(&mut *tx).await?;
        }
        for ((bucket, window), n) in &reserved {
            let unused = n - sorted.counted.get(&(bucket.clone(), *window)).copied().unwrap_or(0);
            if unused > 0 {
                sqlx::query(super::throttle::TAKE_BACK_HITS)
                    .bind(bucket).bind(window).bind(unused).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(sorted.answers(posts, &new_ids))
    })
}

/// The columns every new wish is stored with.
const WISH_INSERT: &str = "INSERT INTO wishes (station_id, district_id, status, what, why, \
     display_name, occupation, phone, code_hash, created_at, updated_at)";

/// A wish the station's staff post for a worker who asks them (no phone,
/// no reading): no address limit, open at once (the posting is its
/// review), its first event "posted by the station", audited in the same
/// transaction. `None` when `station_id` is not a published station that
/// takes wishes.
#[tracing::instrument(name = "db::wishes::post_for_worker", skip_all, fields(station = station_id, staff = staff))]
pub async fn post_for_worker(
    db: &Db,
    station_id: i64,
    wish: &NewWish,
    code_hash: &str,
    staff: i64,
    now: DateTime<Utc>,
) -> DbResult<Option<i64>> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let district: Option<i64> = sqlx::query_scalar(
            "SELECT district_id FROM places WHERE id = $1 AND kind = 'love_station' \
             AND published = TRUE AND is_open = TRUE",
        ).bind(station_id).fetch_optional(&mut *tx).await?;
        let Some(district) = district else { return Ok(None) };
        let sql = format!("{} RETURNING id", super::insert_sql(WISH_INSERT, 11, 1));
        let open = WishStatus::Open.code();
        let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(station_id).bind(district).bind(open).bind(&wish.what).bind(&wish.why)
            .bind(wish.display_name.as_str()).bind(wish.occupation.code())
            .bind(wish.phone.as_ref().map(crate::domain::account::Phone::as_str))
            .bind(code_hash).bind(now).bind(now)
            .fetch_one(&mut *tx).await?;
        sqlx::query("UPDATE wishes SET assisted = TRUE, posted_by = $1, opened_at = $2 WHERE id = $3")
            .bind(staff).bind(now).bind(id).execute(&mut *tx).await?;
        insert_event!(&mut *tx, &NewEvent {
            wish_id: id, at: now, actor_kind: ActorKind::Staff.code(), actor_id: Some(staff),
            from: None, to: open, note: "", public_note: false, kind: Some("posted_by_station"),
        })?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(staff), action: "wish.post_for_worker", object: format!("wish:{id}"), detail: String::new() })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(id))
    })
}

#[tracing::instrument(name = "db::wishes::by_id", skip_all, fields(id = id))]
pub async fn by_id(db: &Db, id: i64) -> DbResult<Option<WishRow>> {
    let sql = format!("{SELECT} WHERE w.id = $1");
    Ok(
        on_db!(db, p => sqlx::query_as::<_, WishRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?),
    )
}

#[tracing::instrument(name = "db::wishes::by_code", skip_all)]
pub async fn by_code(db: &Db, code_hash: &str) -> DbResult<Option<WishRow>> {
    let sql = format!("{SELECT} WHERE w.code_hash = $1");
    Ok(
        on_db!(db, p => sqlx::query_as::<_, WishRow>(sqlx::AssertSqlSafe(sql)).bind(code_hash).fetch_optional(p).await?),
    )
}

#[tracing::instrument(name = "db::wishes::events", skip_all, fields(wish_id = wish_id))]
pub async fn events(db: &Db, wish_id: i64) -> DbResult<Vec<EventRow>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT at, actor_kind, actor_id, from_status, to_status, note, public_note, kind \
         FROM wish_events WHERE wish_id = $1 ORDER BY id",
    ).bind(wish_id).fetch_all(p).await?))
}

pub const WALL_PAGE: i64 = 20;

/// Open wishes, newest first (by when they last opened), on the page
/// `f.page` asks for.
#[tracing::instrument(name = "db::wishes::wall", skip_all)]
pub async fn wall(db: &Db, f: &Wall) -> DbResult<Paged<WishRow>> {
    fetch_page(db, &wall_query(f), f.page, WALL_PAGE).await
}

/// The wall's SQL for these filters (also what the plan test explains).
/// It walks `wishes_wall` (or `wishes_station`) in order and stops after
/// a page, however many wishes there are.
pub fn wall_query(f: &Wall) -> ListQuery {
    let mut filter = String::from(" WHERE w.status = 'open'");
    let mut args = Vec::new();
    if let Some(d) = &f.district {
        // A set of stations, checked while the wishes are read in wall
        // order (the unary + keeps SQLite from starting at the stations
        // and sorting all their wishes instead).
        args.push(Arg::Text(d.clone()));
        filter.push_str(&format!(
            " AND +w.station_id IN (SELECT sp.id FROM places sp JOIN districts sd \
             ON sd.id = sp.district_id WHERE sd.slug = ${})",
            args.len()
        ));
    }
    if let Some(o) = f.occupation {
        args.push(Arg::Text(o.code().to_owned()));
        filter.push_str(&format!(" AND w.occupation = ${}", args.len()));
    }
    if let Some(s) = f.station {
        args.push(Arg::Int(s));
        filter.push_str(&format!(" AND w.station_id = ${}", args.len()));
    }
    let rows =
        format!("{SELECT}{filter} ORDER BY w.opened_at DESC, w.id DESC{}", page_limit(WALL_PAGE));
    ListQuery { rows, args }
}

/// What the staff's queue lists, one kind at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Waiting for review, the longest-waiting first.
    Pending,
    /// "It did not arrive", the longest-waiting first.
    FollowUps,
    /// Expired lately (reopen one), the newest first.
    Expired,
}

impl Queue {
    pub const ALL: [Queue; 3] = [Queue::Pending, Queue::FollowUps, Queue::Expired];

    pub fn code(self) -> &'static str {
        match self {
            Queue::Pending => "pending",
            Queue::FollowUps => "follow_ups",
            Queue::Expired => "expired",
        }
    }

    pub fn parse(code: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.code() == code)
    }

    fn terms(self) -> (&'static str, &'static str) {
        match self {
            Queue::Pending => ("w.status = 'pending'", " ORDER BY w.id"),
            Queue::FollowUps => ("w.status = 'not_received'", " ORDER BY w.updated_at, w.id"),
            Queue::Expired => (
                "w.status = 'expired' AND w.closed_at >= $1",
                " ORDER BY w.closed_at DESC, w.id DESC",
            ),
        }
    }
}

/// How many queue rows a page shows.
pub const QUEUE_PAGE: i64 = 20;

/// How long an expired wish stays in the queue for staff to reopen.
pub const EXPIRED_SHOWN_DAYS: i64 = 30;

/// The queue `q` within what `grants` may act on: its SQL (for expired
/// wishes, `$1` the earliest expiry shown), with the rows or their count.
fn queue_sql(grants: &Grants, q: Queue, now: DateTime<Utc>, head: &str, tail: &str) -> ListQuery {
    let mut args = Vec::new();
    if q == Queue::Expired {
        args.push(Arg::At(now - chrono::Duration::days(EXPIRED_SHOWN_DAYS)));
    }
    let scope =
        super::console::scope(grants, "w.district_id", Some("w.station_id"), None, &mut args);
    let (filter, order) = q.terms();
    let order = if tail.is_empty() { "" } else { order };
    ListQuery { rows: format!("{head} WHERE {filter} AND {scope}{order}{tail}"), args }
}

/// One page of the staff's queue: only the wishes the viewer may act on.
#[tracing::instrument(name = "db::wishes::queue", skip_all, fields(queue = q.code(), page = page))]
pub async fn queue(
    db: &Db,
    grants: &Grants,
    q: Queue,
    page: i64,
    now: DateTime<Utc>,
) -> DbResult<Paged<WishRow>> {
    let query = queue_sql(grants, q, now, SELECT, &page_limit(QUEUE_PAGE));
    fetch_page(db, &query, page, QUEUE_PAGE).await
}

/// How many wishes wait in each queue for the viewer, in [`Queue::ALL`]'s order.
#[tracing::instrument(name = "db::wishes::queue_counts", skip_all)]
pub async fn queue_counts(db: &Db, grants: &Grants, now: DateTime<Utc>) -> DbResult<Vec<i64>> {
    let mut out = Vec::new();
    for q in Queue::ALL {
        let query = queue_sql(grants, q, now, "SELECT COUNT(*) FROM wishes w", "");
        out.push(on_db!(db, p => {
            let sql = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(query.rows));
            bind_args!(sql, &query.args).fetch_one(p).await?
        }));
    }
    Ok(out)
}

/// Where a staff list of wishes looks: one station, or a whole district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Station(i64),
    District(i64),
}

impl Scope {
    fn term(self) -> (&'static str, i64) {
        match self {
            Scope::Station(id) => ("w.station_id = $1", id),
            Scope::District(id) => ("w.district_id = $1", id),
        }
    }
}

/// A wish in a staff list: with when it was claimed and how to reach its
/// claimer (only while the claim is live or followed up).
#[derive(Debug, Clone, FromRow)]
pub struct HeldRow {
    #[sqlx(flatten)]
    pub wish: WishRow,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimer_phone: Option<String>,
    pub claimer_email: Option<String>,
}

/// How many rows a staff list shows a page.
pub const HELD_PAGE: i64 = 25;

/// The wishes of `scope` in `status` (all of them for none), in the order
/// staff work through them: the longest-waiting review and follow-up
/// first; claims overdue first (the terms of [`is_overdue`]), then the
/// longest held; the rest newest first.
///
/// [`is_overdue`]: crate::domain::wish::is_overdue
fn held_sql(
    scope: Scope,
    status: Option<WishStatus>,
    now: DateTime<Utc>,
    lapse_days: i64,
    limit: i64,
) -> ListQuery {
    let (term, id) = scope.term();
    let mut args = vec![Arg::Int(id)];
    let mut sql = format!("{SELECT_HELD} WHERE {term}");
    if let Some(s) = status {
        args.push(Arg::Text(s.code().to_owned()));
        sql.push_str(" AND w.status = $2");
    }
    let order = match status {
        Some(WishStatus::Pending) => " ORDER BY w.id".to_owned(),
        Some(WishStatus::NotReceived) => " ORDER BY w.updated_at, w.id".to_owned(),
        Some(WishStatus::Claimed) => {
            let n = args.len();
            args.push(Arg::At(crate::domain::wish::overdue_held_before(now, lapse_days)));
            args.push(Arg::At(now));
            format!(
                " ORDER BY CASE WHEN w.at_station_at IS NULL AND (w.claimed_at < ${} OR w.delivery_at < ${}) \
                 THEN 0 ELSE 1 END, w.claimed_at, w.id",
                n + 1,
                n + 2
            )
        }
        _ => " ORDER BY w.id DESC".to_owned(),
    };
    sql.push_str(&order);
    sql.push_str(&page_limit(limit));
    ListQuery { rows: sql, args }
}

/// One page of a staff list (see [`held_sql`]).
#[tracing::instrument(name = "db::wishes::held", skip_all, fields(page = page))]
pub async fn held(
    db: &Db,
    scope: Scope,
    status: Option<WishStatus>,
    page: i64,
    now: DateTime<Utc>,
    lapse_days: i64,
) -> DbResult<Paged<HeldRow>> {
    let query = held_sql(scope, status, now, lapse_days, HELD_PAGE);
    fetch_page(db, &query, page, HELD_PAGE).await
}

/// Up to `max` rows of a staff list for its export (audited by the
/// caller first), and whether more were left out.
#[tracing::instrument(name = "db::wishes::export_held", skip_all)]
pub async fn export_held(
    db: &Db,
    scope: Scope,
    status: Option<WishStatus>,
    now: DateTime<Utc>,
    lapse_days: i64,
    max: i64,
) -> DbResult<(Vec<HeldRow>, bool)> {
    // `max + 1` rows read: the last says more were left out.
    let query = held_sql(scope, status, now, lapse_days, max);
    let mut rows: Vec<HeldRow> = on_db!(db, p => {
        let q = sqlx::query_as::<_, HeldRow>(sqlx::AssertSqlSafe(query.rows));
        bind_args!(q, &query.args).fetch_all(p).await?
    });
    let cut = rows.len() as i64 > max;
    rows.truncate(usize::try_from(max).unwrap_or(0));
    Ok((rows, cut))
}

/// How many wishes of `scope` are in each status, in [`WishStatus::ALL`]'s order.
#[tracing::instrument(name = "db::wishes::held_counts", skip_all)]
pub async fn held_counts(db: &Db, scope: Scope) -> DbResult<Vec<(WishStatus, i64)>> {
    let (term, id) = scope.term();
    let sql = format!("SELECT w.status, COUNT(*) FROM wishes w WHERE {term} GROUP BY w.status");
    let found: HashMap<String, i64> =
        on_db!(db, p => sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_all(p).await?)
        .into_iter()
        .collect();
    Ok(WishStatus::ALL.iter().map(|s| (*s, found.get(s.code()).copied().unwrap_or(0))).collect())
}

/// A volunteer's claims, current and past.
#[tracing::instrument(name = "db::wishes::claimed_by", skip_all, fields(user_id = user_id))]
pub async fn claimed_by(db: &Db, user_id: i64) -> DbResult<Vec<WishRow>> {
    let sql = format!(
        "{SELECT} WHERE w.id IN (SELECT wish_id FROM wish_events WHERE actor_id = $1 AND to_status = 'claimed') \
         ORDER BY w.updated_at DESC, w.id DESC"
    );
    Ok(
        on_db!(db, p => sqlx::query_as::<_, WishRow>(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(p).await?),
    )
}

/// Fulfilled wishes with a thank-you that staff have not hidden.
#[tracing::instrument(name = "db::wishes::warm_stories", skip_all, fields(limit = limit))]
pub async fn warm_stories(db: &Db, district: Option<&str>, limit: i64) -> DbResult<Vec<WishRow>> {
    let (sql, args) = warm_stories_query(district, limit);
    Ok(on_db!(db, p => {
        let q = sqlx::query_as::<_, WishRow>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &args).fetch_all(p).await?
    }))
}

/// The warm stories' SQL (also what the plan test explains): the terms of
/// the partial indexes `wishes_thanked` and, for a district,
/// `wishes_thanked_district`, walked newest first to `limit` rows.
pub fn warm_stories_query(district: Option<&str>, limit: i64) -> (String, Vec<Arg>) {
    // Only a fulfilled wish carries a thank-you (`confirm` writes one only
    // to a fulfilled wish, and fulfilled is final), so these terms are
    // exactly the thanked indexes' and name no status: given a status term,
    // SQLite without statistics reads every fulfilled wish by status and
    // sorts them, and PostgreSQL's choice turns on its sample (see 0007).
    let mut sql = format!("{SELECT} WHERE w.thanks IS NOT NULL AND w.thanks_hidden = FALSE");
    let mut args = Vec::new();
    if let Some(d) = district {
        args.push(Arg::Text(d.to_owned()));
        sql.push_str(" AND w.district_id = (SELECT sd.id FROM districts sd WHERE sd.slug = $1)");
    }
    sql.push_str(&format!(" ORDER BY w.updated_at DESC, w.id DESC LIMIT {limit}"));
    (sql, args)
}

/// Applies one change to one wish: the status moves only from the status
/// read in this transaction (a conditional update), the claimer's counter
/// moves with it, and the event is written beside it.
#[tracing::instrument(name = "db::wishes::change", skip_all, fields(wish_id = wish_id, actor = %actor.kind.code()))]
pub async fn change(
    db: &Db,
    wish_id: i64,
    change: &Change,
    actor: Actor,
    now: DateTime<Utc>,
) -> DbResult<Result<WishStatus, Refused>> {
    // Every update below moves the wish only from the status *and the
    // claimer* read here: a claim handed to someone else in between is not
    // released, fulfilled or withdrawn as if it were still the first
    // volunteer's (PostgreSQL re-checks the terms on the row it waited for).
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let current: Option<(String, Option<i64>, String, String)> = sqlx::query_as(
            "SELECT status, claimed_by, what, why FROM wishes WHERE id = $1",
        ).bind(wish_id).fetch_optional(&mut *tx).await?;
        let Some((status, claimer, what, why)) = current else { return Ok(Err(Refused::NoSuchWish)) };
        let status = WishStatus::parse(&status).unwrap_or(WishStatus::Pending);
        let current = Current { status, claimer, what, why };
        let plan = match decide(&current, actor, change) {
            Ok(plan) => plan,
            Err(refused) => return Ok(Err(refused)),
        };
        let (from, to) = (plan.from, plan.to);
        let closes = to.is_closed();
        let reopens = to == WishStatus::Open;
        let moved = match change {
            Change::Approve { what, why } => sqlx::query(
                "UPDATE wishes SET status = $1, what = $2, why = $3, opened_at = $4, updated_at = $4 \
                 WHERE id = $5 AND status = $6",
            ).bind(to.code()).bind(what).bind(why).bind(now).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            Change::Claim { delivery, .. } => sqlx::query(
                "UPDATE wishes SET status = $1, claimed_by = $2, claimed_at = $3, updated_at = $3, \
                     delivery = $4, delivery_at = $5, delivery_note = $6 \
                 WHERE id = $7 AND status = $8",
            ).bind(to.code()).bind(actor.id).bind(now).bind(delivery.code()).bind(delivery.at())
             .bind(delivery.note()).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            Change::Reject { reason } => sqlx::query(
                "UPDATE wishes SET status = $1, reject_reason = $2, closed_at = $3, updated_at = $3 \
                 WHERE id = $4 AND status = $5",
            ).bind(to.code()).bind(reason).bind(now).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            Change::Fulfil { note, .. } => sqlx::query(
                "UPDATE wishes SET status = $1, fulfil_note = $2, closed_at = $3, updated_at = $3 \
                 WHERE id = $4 AND status = $5 AND claimed_by IS NOT DISTINCT FROM $6",
            ).bind(to.code()).bind(note).bind(now).bind(wish_id).bind(from.code()).bind(claimer)
             .execute(&mut *tx).await?.rows_affected(),
            // Sent again by its worker: waiting for review, the erasure
            // clock stopped.
            Change::Resubmit { what, why } => sqlx::query(
                "UPDATE wishes SET status = $1, what = $2, why = $3, closed_at = NULL, updated_at = $4 \
                 WHERE id = $5 AND status = $6",
            ).bind(to.code()).bind(what).bind(why).bind(now).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            // Handed to another volunteer: theirs from now, with no plan yet;
            // only from the claimer read above (a release in between wins).
            Change::HandOver { to: new, .. } => sqlx::query(
                "UPDATE wishes SET claimed_by = $1, claimed_at = $2, updated_at = $2, \
                     delivery = NULL, delivery_at = NULL, delivery_note = NULL \
                 WHERE id = $3 AND status = $4 AND claimed_by = $5",
            ).bind(*new).bind(now).bind(wish_id).bind(from.code()).bind(claimer)
             .execute(&mut *tx).await?.rows_affected(),
            // "It did not arrive": the erasure clock stops while staff follow up.
            Change::NotArrived => sqlx::query(
                "UPDATE wishes SET status = $1, arrived = FALSE, closed_at = NULL, updated_at = $2 \
                 WHERE id = $3 AND status = $4",
            ).bind(to.code()).bind(now).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            // The end of a follow-up: arrived after all, closed, back on the
            // wall (no claimer, opened now, the old fulfilment forgotten) or
            // with the same volunteer again (claimed now).
            Change::Resolve { outcome, .. } => sqlx::query(
                "UPDATE wishes SET status = $1, \
                     arrived = CASE WHEN $2 THEN TRUE WHEN $3 OR $4 THEN NULL ELSE arrived END, \
                     claimed_by = CASE WHEN $3 THEN NULL ELSE claimed_by END, \
                     delivery = CASE WHEN $3 THEN NULL ELSE delivery END, \
                     delivery_at = CASE WHEN $3 THEN NULL ELSE delivery_at END, \
                     delivery_note = CASE WHEN $3 THEN NULL ELSE delivery_note END, \
                     claimed_at = CASE WHEN $4 THEN $5 WHEN $3 THEN NULL ELSE claimed_at END, \
                     opened_at = CASE WHEN $3 THEN $5 ELSE opened_at END, \
                     fulfil_note = CASE WHEN $3 OR $4 THEN NULL ELSE fulfil_note END, \
                     closed_at = CASE WHEN $6 THEN $5 ELSE NULL END, \
                     updated_at = $5 \
                 WHERE id = $7 AND status = $8",
            ).bind(to.code()).bind(*outcome == Outcome::Arrived).bind(*outcome == Outcome::BackToWall)
             .bind(*outcome == Outcome::TryAgain).bind(now).bind(closes).bind(wish_id).bind(from.code())
             .execute(&mut *tx).await?.rows_affected(),
            _ => sqlx::query(
                "UPDATE wishes SET status = $1, \
                     claimed_by = CASE WHEN $2 THEN NULL ELSE claimed_by END, \
                     delivery = CASE WHEN $2 THEN NULL ELSE delivery END, \
                     delivery_at = CASE WHEN $2 THEN NULL ELSE delivery_at END, \
                     delivery_note = CASE WHEN $2 THEN NULL ELSE delivery_note END, \
                     opened_at = CASE WHEN $2 THEN $3 ELSE opened_at END, \
                     closed_at = CASE WHEN $4 THEN $3 WHEN $2 THEN NULL ELSE closed_at END, \
                     updated_at = $3 \
                 WHERE id = $5 AND status = $6 AND claimed_by IS NOT DISTINCT FROM $7",
            ).bind(to.code()).bind(reopens).bind(now).bind(closes).bind(wish_id).bind(from.code())
             .bind(claimer)
             .execute(&mut *tx).await?.rows_affected(),
        };
        if moved != 1 {
            return Ok(Err(Refused::NotFrom(from)));
        }
        // The claimer's count of unfulfilled claims moves with the wish.
        if let Change::Claim { limit, .. } = change {
            let counted = sqlx::query(
                "UPDATE users SET open_claims = open_claims + 1 WHERE id = $1 AND open_claims < $2",
            ).bind(actor.id).bind(*limit).execute(&mut *tx).await?.rows_affected();
            if counted != 1 {
                tx.rollback().await?;
                return Ok(Err(Refused::ClaimLimit));
            }
        } else if from == WishStatus::Claimed && let Some(claimer) = claimer {
            sqlx::query("UPDATE users SET open_claims = open_claims - 1 WHERE id = $1 AND open_claims > 0")
                .bind(claimer).execute(&mut *tx).await?;
        } else if to == WishStatus::Claimed && let Some(claimer) = claimer {
            // Staff give the wish back to its volunteer: theirs again,
            // whatever their limit (staff decided it).
            sqlx::query("UPDATE users SET open_claims = open_claims + 1 WHERE id = $1")
                .bind(claimer).execute(&mut *tx).await?;
        }
        // Staff decided a hand-over: theirs whatever their limit.
        if let Change::HandOver { to: new, .. } = change {
            sqlx::query("UPDATE users SET open_claims = open_claims + 1 WHERE id = $1")
                .bind(*new).execute(&mut *tx).await?;
        }
        insert_event!(&mut *tx, &NewEvent {
            wish_id, at: now, actor_kind: actor.kind.code(), actor_id: actor.id,
            from: Some(from.code()), to: to.code(), note: &plan.note, public_note: plan.public_note,
            kind: change.event_kind(),
        })?;
        // What staff do is audited in the same transaction as the change.
        if actor.kind == ActorKind::Staff {
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: actor.id, action: &format!("wish.{}", change.mv().code()), object: format!("wish:{wish_id}"), detail: String::new() })?;
        }
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Ok(to))
    })
}

/// A step of a gift left at the station: its staff took it in, then the
/// worker picked it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftStep {
    AtStation,
    PickedUp,
}

impl GiftStep {
    pub fn code(self) -> &'static str {
        match self {
            GiftStep::AtStation => "at_station",
            GiftStep::PickedUp => "picked_up",
        }
    }
}

/// Records a gift's step at the station (the wish's status does not move:
/// the volunteer says it is done, the worker that it arrived), with its
/// timeline line and audit row. False when the step does not apply: not a
/// gift left at the station, already recorded, or not yet taken in.
#[tracing::instrument(name = "db::wishes::gift_step", skip_all, fields(wish_id = wish_id, staff = staff))]
pub async fn gift_step(
    db: &Db,
    wish_id: i64,
    step: GiftStep,
    staff: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = match step {
        GiftStep::AtStation => {
            "UPDATE wishes SET at_station_at = $1, updated_at = $1 WHERE id = $2 \
             AND delivery = 'station' AND at_station_at IS NULL \
             AND status IN ('claimed', 'fulfilled', 'not_received') RETURNING status"
        }
        GiftStep::PickedUp => {
            "UPDATE wishes SET picked_up_at = $1, updated_at = $1 WHERE id = $2 \
             AND at_station_at IS NOT NULL AND picked_up_at IS NULL RETURNING status"
        }
    };
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let status: Option<String> = sqlx::query_scalar(sql).bind(now).bind(wish_id).fetch_optional(&mut *tx).await?;
        let Some(status) = status else { return Ok(false) };
        insert_event!(&mut *tx, &NewEvent {
            wish_id, at: now, actor_kind: ActorKind::Staff.code(), actor_id: Some(staff),
            from: Some(&status), to: &status, note: "", public_note: false, kind: Some(step.code()),
        })?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(staff), action: &format!("wish.{}", step.code()), object: format!("wish:{wish_id}"), detail: String::new() })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Gifts waiting at a station for their workers, the longest-waiting
/// first: (wish id, what, taken in at).
#[tracing::instrument(name = "db::wishes::waiting_at_station", skip_all, fields(station = station_id))]
pub async fn waiting_at_station(
    db: &Db,
    station_id: i64,
) -> DbResult<Vec<(i64, String, DateTime<Utc>)>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, String, DateTime<Utc>)>(
        "SELECT id, what, at_station_at FROM wishes WHERE station_id = $1 \
         AND at_station_at IS NOT NULL AND picked_up_at IS NULL ORDER BY at_station_at, id LIMIT 100",
    ).bind(station_id).fetch_all(p).await?))
}

/// The worker's word after fulfilment that it arrived, with an optional
/// thank-you ("it did not" is a change of status: [`Change::NotArrived`]).
#[tracing::instrument(name = "db::wishes::confirm", skip_all, fields(wish_id = wish_id))]
pub async fn confirm(
    db: &Db,
    wish_id: i64,
    thanks: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE wishes SET arrived = TRUE, thanks = $1, updated_at = $2 \
             WHERE id = $3 AND status = 'fulfilled' AND arrived IS NOT TRUE",
        ).bind(thanks).bind(now).bind(wish_id)
         .execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            let fulfilled = WishStatus::Fulfilled.code();
            insert_event!(&mut *tx, &NewEvent {
                wish_id, at: now, actor_kind: ActorKind::Worker.code(), actor_id: None,
                from: Some(fulfilled), to: fulfilled, note: "", public_note: false,
                kind: Some("confirmed"),
            })?;
            sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

/// The claimer's contact, for the station's staff following a wish up:
/// their phone and e-mail (none when the account is gone).
#[tracing::instrument(name = "db::wishes::claimer_contact", skip_all, fields(wish_id = wish_id))]
pub async fn claimer_contact(
    db: &Db,
    wish_id: i64,
) -> DbResult<Option<(Option<String>, Option<String>)>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT u.phone, u.email FROM wishes w JOIN users u ON u.id = w.claimed_by \
         WHERE w.id = $1 AND u.deleted_at IS NULL",
    ).bind(wish_id).fetch_optional(p).await?))
}

/// Staff: a new tracking code for a worker who lost theirs (the old one stops working).
#[tracing::instrument(name = "db::wishes::new_code", skip_all, fields(wish_id = wish_id, staff = staff))]
pub async fn new_code(
    db: &Db,
    wish_id: i64,
    code_hash: &str,
    staff: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM wishes WHERE id = $1")
            .bind(wish_id).fetch_optional(&mut *tx).await?;
        let Some(status) = status else { return Ok(false) };
        sqlx::query("UPDATE wishes SET code_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(code_hash).bind(now).bind(wish_id).execute(&mut *tx).await?;
        insert_event!(&mut *tx, &NewEvent {
            wish_id, at: now, actor_kind: ActorKind::Staff.code(), actor_id: Some(staff),
            from: Some(&status), to: &status, note: "", public_note: false, kind: Some("new_code"),
        })?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(staff), action: "wish.new_code", object: format!("wish:{wish_id}"), detail: String::new() })?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Staff: hide a thank-you from the warm stories, or show it again.
#[tracing::instrument(name = "db::wishes::set_flags", skip_all, fields(wish_id = wish_id, staff = staff))]
pub async fn set_flags(
    db: &Db,
    wish_id: i64,
    flags: Flags,
    staff: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE wishes SET thanks_hidden = COALESCE($1, thanks_hidden), updated_at = $2 \
             WHERE id = $3",
        ).bind(flags.hide_thanks).bind(now).bind(wish_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            let detail = format!("hide_thanks={:?}", flags.hide_thanks);
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(staff), action: "wish.flags", object: format!("wish:{wish_id}"), detail })?;
        }
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(n == 1)
    })
}

/// District of a wish's station, for access checks.
#[tracing::instrument(name = "db::wishes::station_of", skip_all, fields(wish_id = wish_id))]
pub async fn station_of(db: &Db, wish_id: i64) -> DbResult<Option<(i64, i64)>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT p.id, p.district_id FROM wishes w JOIN places p ON p.id = w.station_id WHERE w.id = $1",
    ).bind(wish_id).fetch_optional(p).await?))
}

/// What the clock did in one run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chores {
    pub lapsed: u64,
    pub expired: u64,
    pub phones_erased: u64,
}

/// Claims older than `claim_days` go back to open; wishes open longer than
/// `expiry_days` expire; phones of wishes closed more than `phone_days`
/// ago are erased. Each wish moves through [`change`], so running this on
/// several instances at once moves each wish once.
#[tracing::instrument(name = "db::wishes::run_clock", skip_all)]
pub async fn run_clock(
    db: &Db,
    now: DateTime<Utc>,
    claim_days: i64,
    expiry_days: i64,
    phone_days: i64,
) -> DbResult<Chores> {
    let mut chores = Chores::default();
    let lapse_before = now - chrono::Duration::days(claim_days);
    let expire_before = now - chrono::Duration::days(expiry_days);
    let (lapsing, expiring): (Vec<i64>, Vec<i64>) = on_db!(db, p => {
        let l = sqlx::query_scalar("SELECT id FROM wishes WHERE status = 'claimed' AND claimed_at < $1")
            .bind(lapse_before).fetch_all(p).await?;
        let e = sqlx::query_scalar("SELECT id FROM wishes WHERE status = 'open' AND opened_at < $1")
            .bind(expire_before).fetch_all(p).await?;
        (l, e)
    });
    for id in lapsing {
        if change(db, id, &Change::Lapse, Actor::SYSTEM, now).await?.is_ok() {
            chores.lapsed += 1;
        }
    }
    for id in expiring {
        if change(db, id, &Change::Expire, Actor::SYSTEM, now).await?.is_ok() {
            chores.expired += 1;
        }
    }
    let erase_before = now - chrono::Duration::days(phone_days);
    chores.phones_erased = on_db!(db, p => sqlx::query(
        "UPDATE wishes SET phone = NULL WHERE phone IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $1",
    ).bind(erase_before).execute(p).await?.rows_affected());
    Ok(chores)
}

/// Every love station's id and stable code.
#[tracing::instrument(name = "db::wishes::station_codes", skip_all)]
pub async fn station_codes(db: &Db) -> DbResult<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT id, code FROM places WHERE kind = 'love_station' AND published = TRUE \
         AND {} ORDER BY id",
        super::in_public_district("places.district_id")
    );
    Ok(
        on_db!(db, p => sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?),
    )
}
