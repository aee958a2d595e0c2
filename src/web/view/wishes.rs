//! Wish views: a wish as the public sees it (phones masked) or as its
//! station's staff see it, a wish's timeline, the station choices of the
//! posting form, and the poster's QR code.

use chrono::Utc;

use crate::db::wishes::{EventRow, WishRow};
use crate::domain::Text;
use crate::domain::format::{age, moment};
use crate::domain::wish::{ActorKind, Delivery, Occupation, WishStatus, mask_phones};
use crate::web::{AppError, Ctx};

/// A wish as the public sees it: never a phone number.
pub struct WishView {
    pub id: i64,
    pub what: Text,
    pub why: Text,
    pub display_name: Text,
    pub occupation: &'static str,
    pub station_id: i64,
    pub station: Text,
    pub status: WishStatus,
    pub status_label: &'static str,
    pub age: String,
    pub claimer: Option<Text>,
    pub fulfil_note: Option<Text>,
    pub thanks: Option<Text>,
    /// How the gift reaches the worker, as agreed when claiming (for the
    /// worker, the claimer and staff only: it says when she will be where).
    pub delivery: Option<Text>,
    /// Where a gift left at the station is: "waiting there", "picked up".
    pub at_station: Option<&'static str>,
}

impl WishView {
    /// How many warm stories (thanked wishes) a home or district page shows.
    pub const STORIES: i64 = 6;

    /// The wish as anyone may see it: every text a worker or volunteer
    /// wrote has its phone numbers masked (`138****5678`).
    pub fn new(ctx: &Ctx, w: &WishRow) -> WishView {
        WishView::shown(ctx, w, mask_phones)
    }

    /// The wish as its station's staff see it: the texts as written.
    pub fn for_staff(ctx: &Ctx, w: &WishRow) -> WishView {
        WishView::shown(ctx, w, str::to_owned)
    }

    fn shown(ctx: &Ctx, w: &WishRow, clean: impl Fn(&str) -> String) -> WishView {
        let occupation = Occupation::parse(&w.occupation).unwrap_or(Occupation::Other);
        let status = w.status();
        let typed = |s: &str| Text::typed(ctx.lang, &clean(s));
        WishView {
            id: w.id,
            what: typed(&w.what),
            why: typed(&w.why),
            display_name: typed(&w.display_name),
            occupation: ctx.t(occupation.label_key()),
            station_id: w.station_id,
            station: Text::pick(ctx.lang, &w.station_name_zh, w.station_name_en.as_deref()),
            status,
            status_label: ctx.t(status.label_key()),
            age: age(ctx.lang, w.opened_at.unwrap_or(w.created_at), Utc::now()),
            claimer: w.claimer_name.as_ref().map(|n| {
                if w.claimer_deleted == Some(true) || n.is_empty() {
                    typed(ctx.t("wish.deleted_volunteer"))
                } else {
                    typed(n)
                }
            }),
            fulfil_note: w.fulfil_note.as_deref().map(typed),
            thanks: w.thanks.as_deref().filter(|_| !w.thanks_hidden).map(typed),
            delivery: w.delivery().map(|d| match &d {
                Delivery::Station => Text::typed(ctx.lang, ctx.t("plan.station")),
                Delivery::Handover { at } => {
                    Text::typed(ctx.lang, &ctx.tf("plan.handover", &[("at", &moment(*at))]))
                }
                Delivery::Other { note } => {
                    let note = clean(note);
                    Text::typed(ctx.lang, &ctx.tf("plan.other", &[("note", &note)]))
                }
            }),
            at_station: match (w.at_station_at, w.picked_up_at) {
                (_, Some(_)) => Some(ctx.t("plan.picked_up")),
                (Some(_), None) => Some(ctx.t("plan.waiting")),
                _ => None,
            },
        }
    }
}

/// One line of a timeline. `note` only where the reader may see it.
pub struct TimelineEntry {
    pub status: &'static str,
    pub actor: &'static str,
    pub at: String,
    pub note: Option<String>,
}

impl TimelineEntry {
    /// The events of a wish; staff see every note, others only the public
    /// ones, with phone numbers masked.
    pub fn list(ctx: &Ctx, events: Vec<EventRow>, staff: bool) -> Vec<TimelineEntry> {
        events
            .into_iter()
            .map(|e| TimelineEntry {
                // What happened: the event's own word where its status does
                // not say it ("确认收到了"), else the status it led to.
                status: match e.kind.as_deref() {
                    Some(kind) => ctx.t(&format!("wish.event.{kind}")),
                    None => {
                        WishStatus::parse(&e.to_status).map(|s| ctx.t(s.label_key())).unwrap_or("")
                    }
                },
                actor: ctx.t(ActorKind::label_key(&e.actor_kind)),
                at: moment(e.at),
                note: (!e.note.is_empty() && (e.public_note || staff))
                    .then(|| if staff { e.note } else { mask_phones(&e.note) }),
            })
            .collect()
    }
}

/// A love station in the posting form's list.
pub struct StationChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// A QR code as one SVG path of dark squares (no inline styles: the CSP).
pub struct Qr {
    pub size: usize,
    pub path: String,
}

impl Qr {
    pub fn new(data: &str) -> Result<Qr, AppError> {
        let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e}")))?;
        let width = code.width();
        let quiet = 4;
        let mut path = String::new();
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == qrcode::Color::Dark {
                path.push_str(&format!("M{} {}h1v1h-1z", i % width + quiet, i / width + quiet));
            }
        }
        Ok(Qr { size: width + 2 * quiet, path })
    }
}
