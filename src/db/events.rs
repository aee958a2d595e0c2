//! The history of a wish: the one way an event row is written. Every
//! change writes its event inside its own transaction with
//! [`insert_event!`]; batches bind many with [`bind_event!`] after
//! [`EVENT_INSERT`] (see [`super::insert_sql`]).

use chrono::{DateTime, Utc};

/// The head of an insert into `wish_events`; its nine columns are bound
/// by [`bind_event!`] in this order.
macro_rules! event_insert {
    () => {
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, \
         note, public_note, kind)"
    };
}

pub(crate) const EVENT_INSERT: &str = event_insert!();

/// One insert of one event.
pub(crate) const EVENT_ONE: &str =
    concat!(event_insert!(), " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");

/// One step in a wish's history, as stored.
#[derive(Debug, Clone)]
pub(crate) struct NewEvent<'a> {
    pub wish_id: i64,
    pub at: DateTime<Utc>,
    /// `worker`, `volunteer`, `staff` or `system` (see `ActorKind`).
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub note: &'a str,
    /// Whether the note may be shown to the public (a fulfil note).
    pub public_note: bool,
    /// What happened, where the status it leads to does not say it
    /// (`confirmed`, `not_arrived`, `new_code`, `resolve_…`): the
    /// timeline reads it from the catalogue as `wish.event.<kind>`.
    pub kind: Option<&'a str>,
}

impl NewEvent<'_> {
    /// A worker's post: the first event of every wish.
    pub fn posted(wish_id: i64, at: DateTime<Utc>) -> NewEvent<'static> {
        NewEvent {
            wish_id,
            at,
            actor_kind: "worker",
            actor_id: None,
            from: None,
            to: "pending",
            note: "",
            public_note: false,
            kind: None,
        }
    }
}

/// Binds an event's nine values to a query, in [`EVENT_INSERT`]'s order.
macro_rules! bind_event {
    ($q:expr, $e:expr) => {{
        let e: &$crate::db::events::NewEvent<'_> = $e;
        $q.bind(e.wish_id)
            .bind(e.at)
            .bind(e.actor_kind)
            .bind(e.actor_id)
            .bind(e.from)
            .bind(e.to)
            .bind(e.note)
            .bind(e.public_note)
            .bind(e.kind)
    }};
}
pub(crate) use bind_event;

/// Writes one event in the transaction `$tx` (a `&mut` connection).
macro_rules! insert_event {
    ($tx:expr, $e:expr) => {
        $crate::db::events::bind_event!(sqlx::query($crate::db::events::EVENT_ONE), $e)
            .execute($tx)
            .await
            .map(drop)
    };
}
pub(crate) use insert_event;
