//! Activities as pages show them: a card in a listing, an activity's
//! sessions, and when each is, in Beijing time, the way each language
//! writes it.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};

use crate::db::activities::{ActivityRow, ListedRow, SessionRow};
use crate::domain::activity::{Audience, Kind, SignupRule};
use crate::domain::format::beijing;
use crate::domain::{Lang, Text};
use crate::web::Ctx;

/// A session's day and hours: "12月8日 周二 9:00–10:30", "Tue 8 Dec,
/// 9:00–10:30"; the year when it is not this year; "全天 / all day" for a
/// session that runs from midnight to midnight.
pub fn when_label(
    ctx: &Ctx,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let (s, e) = (start.with_timezone(&beijing()), end.with_timezone(&beijing()));
    let this_year = s.year() == now.with_timezone(&beijing()).year();
    let all_day = s.time() == NaiveTime::MIN && e - s == Duration::days(1);
    let weekday = ctx.t(&format!("activity.weekday.{}", s.weekday().num_days_from_monday()));
    let day = match (ctx.lang, this_year) {
        (Lang::Zh, true) => s.format("%-m月%-d日").to_string(),
        (Lang::Zh, false) => s.format("%Y年%-m月%-d日").to_string(),
        (Lang::En, true) => s.format("%-d %b").to_string(),
        (Lang::En, false) => s.format("%-d %b %Y").to_string(),
    };
    let hours = if all_day {
        ctx.t("activity.all_day").to_owned()
    } else {
        format!("{}–{}", s.format("%-H:%M"), e.format("%-H:%M"))
    };
    match ctx.lang {
        Lang::Zh => format!("{day} {weekday} {hours}"),
        Lang::En => format!("{weekday} {day}, {hours}"),
    }
}

fn pick(ctx: &Ctx, zh: &str, en: Option<&str>) -> Text {
    Text::pick(ctx.lang, zh, en)
}

fn kind_label(ctx: &Ctx, code: &str) -> &'static str {
    Kind::parse(code).map_or("", |k| ctx.t(k.label_key()))
}

fn audience_label(ctx: &Ctx, code: &str) -> &'static str {
    Audience::parse(code).map_or("", |a| ctx.t(a.label_key()))
}

/// An activity in a listing.
pub struct ActivityCard {
    pub href: String,
    pub title: Text,
    pub kind: &'static str,
    pub audience: &'static str,
    /// Its next session in the listing's dates, and how many more.
    pub when: String,
    pub more: i64,
    pub place: Text,
    pub cost: Option<Text>,
    /// "报名" / "不用报名，直接来".
    pub signup: &'static str,
}

impl ActivityCard {
    pub fn new(ctx: &Ctx, a: &ListedRow, now: DateTime<Utc>) -> ActivityCard {
        let place = match &a.place_name_zh {
            Some(zh) => pick(ctx, zh, a.place_name_en.as_deref()),
            None => pick(ctx, a.address_zh.as_deref().unwrap_or(""), a.address_en.as_deref()),
        };
        ActivityCard {
            href: format!("/activities/{}", a.id),
            title: pick(ctx, &a.title_zh, a.title_en.as_deref()),
            kind: kind_label(ctx, &a.kind),
            audience: audience_label(ctx, &a.audience),
            when: when_label(ctx, a.next_at, a.next_ends_at, now),
            more: a.sessions - 1,
            place,
            cost: a.cost_zh.as_deref().map(|zh| pick(ctx, zh, a.cost_en.as_deref())),
            signup: ctx.t(match SignupRule::parse(&a.signup) {
                Some(SignupRule::None) | None => "activity.just_come",
                Some(_) => "activity.signup_needed",
            }),
        }
    }
}

/// One session on an activity's page.
pub struct SessionView {
    pub id: i64,
    pub when: String,
    pub past: bool,
    pub cancelled: Option<Text>,
    /// Places and places left, for a session with sign-up.
    pub places: Option<(i64, i64)>,
    pub waiting: i64,
    /// Came (checked in at the door), for a past session.
    pub attended: i64,
    /// Open for sign-up now: ahead, not cancelled, with sign-up.
    pub open: bool,
    pub label: String,
}

impl SessionView {
    pub fn new(ctx: &Ctx, s: &SessionRow, rule: SignupRule, now: DateTime<Utc>) -> SessionView {
        let past = s.starts_at <= now;
        let cancelled = s.cancelled_at.map(|_| {
            pick(ctx, s.cancel_note_zh.as_deref().unwrap_or(""), s.cancel_note_en.as_deref())
        });
        let places = s.places.zip(s.places_left);
        let when = when_label(ctx, s.starts_at, s.ends_at, now);
        // While anyone waits, a new sign-up waits too: the form says so.
        let label = match places {
            Some((_, left)) if (left == 0 || s.waiting > 0) && rule == SignupRule::Waitlist => {
                ctx.tf("activity.session_waitlist", &[("when", &when)])
            }
            Some((_, 0)) => ctx.tf("activity.session_full", &[("when", &when)]),
            Some((_, left)) => {
                ctx.tf("activity.session_left", &[("when", &when), ("n", &left.to_string())])
            }
            None => when.clone(),
        };
        SessionView {
            id: s.id,
            when,
            past,
            open: !past
                && cancelled.is_none()
                && rule != SignupRule::None
                && (rule == SignupRule::Waitlist || places.is_some_and(|(_, left)| left > 0)),
            cancelled,
            places,
            waiting: s.waiting,
            attended: s.attended,
            label,
        }
    }
}

/// Where an activity is: its place (with its page and map links) or its
/// address.
pub struct Whereabouts {
    pub name: Text,
    pub address: Option<Text>,
    pub place_href: Option<String>,
    pub maps: Option<(String, String)>,
}

impl Whereabouts {
    pub fn new(ctx: &Ctx, a: &ActivityRow) -> Whereabouts {
        match (&a.place_id, &a.place_name_zh) {
            (Some(id), Some(zh)) => {
                let name = pick(ctx, zh, a.place_name_en.as_deref());
                let address = a
                    .place_address_zh
                    .as_deref()
                    .map(|zh| pick(ctx, zh, a.place_address_en.as_deref()));
                let maps = a.latitude.zip(a.longitude).map(|(lat, lon)| {
                    super::districts::map_links(
                        zh,
                        a.place_address_zh.as_deref().unwrap_or(""),
                        lat,
                        lon,
                    )
                });
                Whereabouts { name, address, place_href: Some(format!("/places/{id}")), maps }
            }
            _ => Whereabouts {
                name: pick(ctx, a.address_zh.as_deref().unwrap_or(""), a.address_en.as_deref()),
                address: None,
                place_href: None,
                maps: None,
            },
        }
    }
}

/// An activity's kind and audience, as its page names them.
pub fn kind_and_audience(ctx: &Ctx, a: &ActivityRow) -> (&'static str, &'static str) {
    (kind_label(ctx, &a.kind), audience_label(ctx, &a.audience))
}
