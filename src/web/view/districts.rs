//! District, place and figure views: cards, the SVG chart geometry,
//! programmes, place groups and stories.

use chrono::{Datelike, NaiveDate, NaiveTime, Utc};

use super::{pick, pick_opt};
use crate::db::districts::{DistrictRow, FigureRow, NoticeRow, PlaceRow, ProgrammeRow, StoryRow};
use crate::db::sources::{CorrectionRow, SourceRow, ValueRow};
use crate::domain::format::{self, beijing, group_number, large_amount};
use crate::domain::hours::{Hours, Local, OpenState, Week, exceptions_from_stored, show_spans};
use crate::domain::{Amenity, Lang, PlaceKind, Text};
use crate::web::Ctx;
use crate::web::ctx::encode;

#[derive(Debug, Clone)]
pub struct DistrictCard {
    pub slug: String,
    pub name: Text,
    pub kind: &'static str,
    pub summary: Text,
    pub figures: Vec<FigureCard>,
}

impl DistrictCard {
    /// Every district of the overview, each with up to `figures` of its
    /// headline figures.
    pub fn all(
        ctx: &Ctx,
        overview: &crate::db::districts::Overview,
        figures: usize,
    ) -> Vec<DistrictCard> {
        overview
            .districts
            .iter()
            .map(|d| {
                let cards = overview
                    .headline_figures
                    .iter()
                    .filter(|f| f.district_id == d.id)
                    .take(figures)
                    .map(|f| FigureCard::new(ctx, f))
                    .collect();
                DistrictCard::new(ctx, d, cards)
            })
            .collect()
    }

    pub fn new(ctx: &Ctx, d: &DistrictRow, figures: Vec<FigureCard>) -> DistrictCard {
        DistrictCard {
            slug: d.slug.clone(),
            name: pick(ctx, &d.name_zh, &d.name_en),
            kind: ctx.t(match d.kind.as_str() {
                "county" => "district.kind.county",
                "city" => "district.kind.city",
                _ => "district.kind.district",
            }),
            summary: pick(ctx, &d.summary_zh, &d.summary_en),
            figures,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FigureCard {
    pub label: Text,
    /// The number as a reader sees it, e.g. `5,651` or `15,000+`; a large
    /// sum of money the reader's way (`1.4亿元`, `140 million`).
    pub value: String,
    /// The number as stored, for machines (`<data value>`).
    pub exact: String,
    /// The unit after the number; none when the number carries it
    /// (Chinese sums such as `520万元+`).
    pub unit: Option<Text>,
    /// A shortened sum in full, for screen readers (`140,000,000元`).
    pub spoken: Option<String>,
    /// What a Chinese unit is, for English readers (mu, person-times).
    pub unit_note: Option<&'static str>,
    /// "2023" or an as-of note such as "at the time of the report".
    pub when: Option<Text>,
    /// The register entry its latest value cites.
    pub source_id: i64,
    /// The number of the source in the page's list of sources, once numbered.
    pub source_no: Option<usize>,
    /// "Computed by this portal as 3500×12, not a reported figure".
    pub computed: Option<String>,
    /// Its values over the years, when there are two or more.
    pub trend: Option<Trend>,
    /// The corrections made to its values, for the public to read.
    pub corrections: Vec<String>,
    /// "About" before the number (约 / about), for a rounded figure.
    pub about: bool,
    /// Not yet published: only a preview shows it, marked.
    pub draft: bool,
}

impl FigureCard {
    /// Numbers the distinct sources of `cards` in order of first use and
    /// returns them as the page lists them: each card then cites its
    /// source by number, a link to its entry, instead of repeating a long
    /// citation on every card.
    pub fn number_sources(
        ctx: &Ctx,
        cards: &mut [FigureCard],
        register: &[SourceRow],
    ) -> Vec<SourceView> {
        let mut sources: Vec<SourceView> = Vec::new();
        for card in cards.iter_mut() {
            let no = match sources.iter().position(|s| s.id == card.source_id) {
                Some(i) => i + 1,
                None => {
                    let Some(row) = register.iter().find(|r| r.id == card.source_id) else {
                        continue;
                    };
                    sources.push(SourceView::new(ctx, row, sources.len() + 1));
                    sources.len()
                }
            };
            card.source_no = Some(no);
        }
        sources
    }

    /// Adds each card's values over the years and their corrections.
    pub fn add_history(
        ctx: &Ctx,
        cards: &mut [FigureCard],
        figures: &[FigureRow],
        values: &[ValueRow],
        corrections: &[CorrectionRow],
    ) {
        for (card, f) in cards.iter_mut().zip(figures) {
            let mine: Vec<&ValueRow> = values.iter().filter(|v| v.figure_id == f.id).collect();
            card.trend = Trend::new(ctx, f, &mine);
            card.corrections = corrections
                .iter()
                .filter(|c| c.figure_id == f.id)
                .map(|c| correction_text(ctx, c))
                .collect();
        }
    }

    pub fn new(ctx: &Ctx, f: &FigureRow) -> FigureCard {
        let plus = if f.qualifier == "more_than" { "+" } else { "" };
        let unit = pick(ctx, &f.unit_zh, &f.unit_en);
        let full = group_number(f.value);
        // Sums of money (units in 元) read by 万 and 亿, or by million.
        let short = f.unit_zh.starts_with('元').then(|| large_amount(ctx.lang, f.value)).flatten();
        let (value, unit, spoken) = match short {
            Some(short) if ctx.lang == Lang::Zh => {
                // 元 joins the number (520万元+); the rest of a compound
                // unit (元/年（村集体）) follows as the unit.
                let rest = f.unit_zh.trim_start_matches('元').trim();
                let unit = (!rest.is_empty()).then(|| Text::pick(Lang::Zh, rest, None));
                (format!("{short}元{plus}"), unit, Some(format!("{full}元{plus}{rest}")))
            }
            Some(short) => {
                let spoken = format!("{full}{plus} {}", unit.plain());
                (format!("{short}{plus}"), Some(unit), Some(spoken))
            }
            None => (format!("{full}{plus}"), Some(unit), None),
        };
        let when = match (f.year, pick_opt(ctx, &f.as_of_zh, &f.as_of_en)) {
            (None, None) => None,
            _ => Some(value_when(ctx, f.year, &f.as_of_zh, &f.as_of_en)),
        };
        FigureCard {
            label: pick(ctx, &f.label_zh, &f.label_en),
            value,
            exact: format::plain_number(f.value),
            unit,
            spoken,
            unit_note: unit_note(ctx, &f.unit_zh),
            when,
            source_id: f.source_id,
            source_no: None,
            computed: f
                .computed_as
                .as_ref()
                .map(|formula| ctx.tf("figure.computed", &[("formula", formula)])),
            trend: None,
            corrections: Vec::new(),
            about: f.qualifier == "about",
            draft: !f.published,
        }
    }
}

/// A value as a reader sees it beside its qualifier: `5,651`, `120+`.
pub fn value_reading(value: f64, qualifier: &str) -> String {
    let plus = if qualifier == "more_than" { "+" } else { "" };
    format!("{}{plus}", group_number(value))
}

/// A correction as the public reads it: when, what the value was, why.
pub fn correction_text(ctx: &Ctx, c: &CorrectionRow) -> String {
    let when = value_when(ctx, c.was_year, &c.was_as_of_zh, &c.was_as_of_en).text;
    ctx.tf(
        "figure.corrected",
        &[
            ("date", &format::date(ctx.lang, c.created_at)),
            ("when", &when),
            ("was", &value_reading(c.was, &c.was_qualifier)),
            ("note", pick(ctx, &c.note_zh, &c.note_en).plain()),
        ],
    )
}

/// What a value is for: "2023年", or an as-of note ("报道时").
pub fn value_when(
    ctx: &Ctx,
    year: Option<i32>,
    as_of_zh: &Option<String>,
    as_of_en: &Option<String>,
) -> Text {
    match (year, pick_opt(ctx, as_of_zh, as_of_en)) {
        (Some(year), _) => {
            Text { text: ctx.tf("figure.year", &[("year", &year.to_string())]), fallback: false }
        }
        (None, Some(as_of)) => as_of,
        (None, None) => Text { text: String::new(), fallback: false },
    }
}

/// An entry of the page's list of sources: what a card's "来源 1" links to.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub id: i64,
    pub no: usize,
    pub title: Text,
    pub authors: Option<Text>,
    pub publisher: Text,
    /// "2024年1月5日" / "5 January 2024"; none when not recorded.
    pub date: Option<String>,
    pub page: Option<String>,
    pub url: Option<String>,
    pub note: Option<Text>,
}

impl SourceView {
    pub fn new(ctx: &Ctx, s: &SourceRow, no: usize) -> SourceView {
        SourceView {
            id: s.id,
            no,
            title: pick(ctx, &s.title_zh, &s.title_en),
            authors: pick_opt(ctx, &s.authors_zh, &s.authors_en),
            publisher: pick(ctx, &s.publisher_zh, &s.publisher_en),
            date: s.published_on.map(|d| format::day(ctx.lang, d)),
            page: s.page.clone(),
            url: s.url.clone(),
            note: pick_opt(ctx, &s.note_zh, &s.note_en),
        }
    }
}

/// A figure's values over the years as a small line drawn on the server,
/// with the same values in words beside it.
#[derive(Debug, Clone)]
pub struct Trend {
    /// The polyline's points in the drawing's units.
    pub points: String,
    /// The last point, marked.
    pub last: (u32, u32),
    /// "2022年 100 → 2023年 116".
    pub words: String,
}

const TREND_WIDTH: f64 = 96.0;
const TREND_HEIGHT: f64 = 28.0;
const TREND_PAD: f64 = 3.0;

impl Trend {
    fn new(ctx: &Ctx, f: &FigureRow, values: &[&ValueRow]) -> Option<Trend> {
        if values.len() < 2 {
            return None;
        }
        let max = values.iter().map(|v| v.value).fold(0.0, f64::max);
        let min = values.iter().map(|v| v.value).fold(f64::INFINITY, f64::min);
        let span = if max > min { max - min } else { 1.0 };
        let step = (TREND_WIDTH - 2.0 * TREND_PAD) / (values.len() - 1) as f64;
        let at: Vec<(u32, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = TREND_PAD + step * i as f64;
                let level = if max > min { (v.value - min) / span } else { 0.5 };
                let y = TREND_HEIGHT - TREND_PAD - level * (TREND_HEIGHT - 2.0 * TREND_PAD);
                (x.round() as u32, y.round() as u32)
            })
            .collect();
        let unit = pick(ctx, &f.unit_zh, &f.unit_en);
        let words = values
            .iter()
            .map(|v| {
                let when = value_when(ctx, v.year, &v.as_of_zh, &v.as_of_en);
                format!("{} {}", when.text, value_reading(v.value, &v.qualifier))
            })
            .collect::<Vec<_>>()
            .join(" → ");
        Some(Trend {
            points: at.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" "),
            last: *at.last()?,
            words: format!("{words} {}", unit.plain()),
        })
    }
}

/// English readers meet Chinese units: mu (亩) and person-times (人次)
/// are explained beside the number. Chinese readers know them.
fn unit_note(ctx: &Ctx, unit_zh: &str) -> Option<&'static str> {
    if ctx.lang != Lang::En {
        return None;
    }
    if unit_zh.contains('亩') {
        Some(ctx.t("figure.unit_note.mu"))
    } else if unit_zh.contains("人次") {
        Some(ctx.t("figure.unit_note.person_times"))
    } else {
        None
    }
}

impl FigureCard {
    /// The number with its unit, as one reading (a chart's bar values).
    pub fn reading(&self) -> String {
        match &self.unit {
            Some(u) => format!("{} {}", self.value, u.plain()),
            None => self.value.clone(),
        }
    }
}

/// A horizontal bar chart of figures that share a unit, laid out here and
/// drawn as SVG by the template (presentation attributes only: the CSP
/// forbids inline styles).
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// Every bar's label and value in words, for screen readers.
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone)]
pub struct Bar {
    /// Label lines and the baseline y of each.
    pub lines: Vec<(u32, String)>,
    /// `Some("zh-CN")` when an English page shows a Chinese label.
    pub lang: Option<&'static str>,
    pub bar_y: u32,
    pub bar_width: u32,
    pub value: String,
    pub value_x: u32,
    pub value_y: u32,
}

/// The chart's width in its own units: the SVG fills the column, so in
/// larger text a narrower chart draws the same 15-unit labels about half
/// as large again.
const CHART_WIDTH: u32 = 340;
const CHART_WIDTH_LARGE: u32 = 240;
/// Room left beside the longest bar for its value.
const VALUE_ROOM: f64 = 110.0;
const LINE: u32 = 20;
const BAR_HEIGHT: u32 = 24;
const ROW_GAP: u32 = 16;

/// Estimated width in px at 15px: CJK characters are square, others about half.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 15.0 } else { 8.0 }).sum()
}

/// Breaks a label into lines of at most `max` px: between words for
/// Latin text, between any two characters for CJK.
pub fn wrap_label(label: &str, max: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    // Tokens: a run of non-space Latin characters, or a single CJK character.
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in label.chars() {
        if c == ' ' {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(" ".into());
        } else if (c as u32) >= 0x2E80 {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    for token in tokens {
        if text_width(&current) + text_width(&token) > max && !current.trim().is_empty() {
            lines.push(current.trim_end().to_owned());
            current = String::new();
        }
        if current.is_empty() && token == " " {
            continue;
        }
        current.push_str(&token);
    }
    if !current.trim().is_empty() {
        lines.push(current.trim_end().to_owned());
    }
    lines
}

impl Chart {
    /// One chart per chart group with at least two figures, in the order
    /// the groups first appear.
    pub fn from_figures(ctx: &Ctx, figures: &[FigureRow]) -> Vec<Chart> {
        let mut groups: Vec<&str> = Vec::new();
        for f in figures {
            if let Some(g) = f.chart_group.as_deref()
                && !groups.contains(&g)
            {
                groups.push(g);
            }
        }
        groups
            .into_iter()
            .filter_map(|g| {
                let members: Vec<&FigureRow> =
                    figures.iter().filter(|f| f.chart_group.as_deref() == Some(g)).collect();
                (members.len() >= 2).then(|| Chart::build(ctx, g, &members))
            })
            .collect()
    }

    fn build(ctx: &Ctx, group: &str, members: &[&FigureRow]) -> Chart {
        let max = members.iter().map(|f| f.value).fold(0.0_f64, f64::max).max(1.0);
        let width = if ctx.large { CHART_WIDTH_LARGE } else { CHART_WIDTH };
        let bar_max = f64::from(width) - VALUE_ROOM;
        // Figures grouped by their Chinese measure word (个) may count
        // different things in English (unions, places): the title names
        // a unit only when every bar has the same one.
        let units: Vec<Text> = members.iter().map(|f| pick(ctx, &f.unit_zh, &f.unit_en)).collect();
        let title = if units.iter().all(|u| *u == units[0]) {
            ctx.tf("district.chart_title", &[("unit", units[0].plain())])
        } else {
            ctx.t("district.chart_title_mixed").to_owned()
        };
        let mut y = 0;
        let mut bars = Vec::new();
        let mut desc = Vec::new();
        for f in members {
            let label = pick(ctx, &f.label_zh, &f.label_en);
            let value = FigureCard::new(ctx, f).reading();
            desc.push(format!("{}: {}", label.plain(), value));
            let mut lines = Vec::new();
            for line in wrap_label(label.plain(), f64::from(width - 8)) {
                y += LINE;
                lines.push((y, line));
            }
            let bar_y = y + 6;
            let bar_width = ((f.value / max) * bar_max).round().max(2.0) as u32;
            bars.push(Bar {
                lines,
                lang: label.fallback.then_some(Lang::Zh.tag()),
                bar_y,
                bar_width,
                value_x: bar_width + 8,
                value_y: bar_y + BAR_HEIGHT - 7,
                value,
            });
            y = bar_y + BAR_HEIGHT + ROW_GAP;
        }
        Chart {
            id: format!("chart-{group}"),
            title,
            desc: desc.join("; "),
            width,
            height: y.saturating_sub(ROW_GAP) + 4,
            bars,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProgrammeView {
    pub code: String,
    pub name: Text,
    pub summary: Text,
    pub draft: bool,
}

impl ProgrammeView {
    pub fn new(ctx: &Ctx, p: &ProgrammeRow) -> ProgrammeView {
        ProgrammeView {
            code: p.code.clone(),
            name: pick(ctx, &p.name_zh, &p.name_en),
            summary: pick(ctx, &p.summary_zh, &p.summary_en),
            draft: !p.published,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlaceView {
    pub id: i64,
    /// Its photos, on its own page (none in lists).
    pub photos: Vec<PhotoShown>,
    pub kind: PlaceKind,
    pub kind_label: &'static str,
    pub name: Text,
    pub summary: Text,
    pub address: Text,
    /// Free words about the hours ("节假日照常").
    pub hours_note: Option<Text>,
    /// Open or closed now, in words, with its class (`open`, `closed`);
    /// `None` when no hours are published (neither is said).
    pub status: Option<(&'static str, String)>,
    /// The reason of a closure, when closed until a day.
    pub closure_reason: Option<Text>,
    /// The week, Monday first: day, hours (`None`: closed), today.
    pub week: Vec<(&'static str, Option<String>, bool)>,
    /// Coming exceptions: dates, hours (`None`: closed), note.
    pub exceptions: Vec<(String, Option<String>, Option<Text>)>,
    pub amenities: Vec<&'static str>,
    pub amenities_note: Option<Text>,
    pub accessibility: Option<Text>,
    pub contact: Option<String>,
    /// The contact's digits, for a `tel:` link.
    pub tel: String,
    pub coordinates: Option<String>,
    /// 高德地图 and 百度地图 links for the coordinates as entered.
    pub maps: Option<(String, String)>,
    /// The place is in service (a station takes wishes).
    pub is_open: bool,
    /// "Last updated", as a date in the reader's language.
    pub updated: String,
}

/// A photo as a page shows it: its widths' sizes and what it shows.
#[derive(Debug, Clone)]
pub struct PhotoShown {
    pub id: i64,
    pub alt: Text,
    pub width: i32,
    pub height: i32,
    pub large_width: i32,
}

impl PhotoShown {
    pub fn all(ctx: &Ctx, rows: &[crate::db::photos::PhotoRow]) -> Vec<PhotoShown> {
        rows.iter()
            .map(|p| PhotoShown {
                id: p.id,
                alt: Text::pick(ctx.lang, &p.alt_zh, p.alt_en.as_deref()),
                width: p.small_width,
                height: p.small_height,
                large_width: p.large_width,
            })
            .collect()
    }
}

/// The clock and the hours of a place as words: "开放中 · 18:00 关门".
fn open_status(ctx: &Ctx, state: &OpenState, today: NaiveDate) -> Option<(&'static str, String)> {
    let time = |t: NaiveTime| t.format("%H:%M").to_string();
    Some(match state {
        OpenState::Unknown => return None,
        OpenState::OutOfService => ("closed", ctx.t("place.closed").to_owned()),
        OpenState::ClosedUntil(d) if *d == today => {
            ("closed", ctx.t("place.closed_today").to_owned())
        }
        OpenState::ClosedUntil(d) => {
            ("closed", ctx.tf("place.closed_until", &[("date", &day_label(ctx.lang, *d, today))]))
        }
        OpenState::Open { until: None } => ("open", ctx.t("place.open_all_day").to_owned()),
        OpenState::Open { until: Some(t) } => {
            ("open", ctx.tf("place.open_until", &[("time", &time(*t))]))
        }
        OpenState::Closed { next: None } => ("closed", ctx.t("place.closed_now").to_owned()),
        OpenState::Closed { next: Some(at) } => {
            let date = at.date_naive();
            let day = match (date - today).num_days() {
                0 => ctx.t("place.day_today").to_owned(),
                1 => ctx.t("place.day_tomorrow").to_owned(),
                _ => ctx.t(weekday_key(date)).to_owned(),
            };
            ("closed", ctx.tf("place.opens_at", &[("day", &day), ("time", &time(at.time()))]))
        }
    })
}

fn weekday_key(date: NaiveDate) -> &'static str {
    WEEKDAY_KEYS[date.weekday().num_days_from_monday() as usize]
}

const WEEKDAY_KEYS: [&str; 7] = [
    "weekday.mon",
    "weekday.tue",
    "weekday.wed",
    "weekday.thu",
    "weekday.fri",
    "weekday.sat",
    "weekday.sun",
];

/// A day as each language writes it (`12月5日`, `5 Dec`), with its year
/// when that is not this year's (`2027年2月10日`).
pub fn day_label(lang: Lang, d: NaiveDate, today: NaiveDate) -> String {
    let this_year = d.year() == today.year();
    let format = match (lang, this_year) {
        (Lang::Zh, true) => "%-m月%-d日",
        (Lang::Zh, false) => "%Y年%-m月%-d日",
        (Lang::En, true) => "%-d %b",
        (Lang::En, false) => "%-d %b %Y",
    };
    d.format(format).to_string()
}

/// Map links for coordinates as entered (GCJ-02, as both apps show them).
pub(crate) fn map_links(name: &str, address: &str, lat: f64, lon: f64) -> (String, String) {
    let (name, address) = (encode(name), encode(address));
    (
        format!(
            "https://uri.amap.com/marker?position={lon},{lat}&name={name}&src=linli&coordinate=gaode&callnative=1"
        ),
        format!(
            "https://api.map.baidu.com/marker?location={lat},{lon}&title={name}&content={address}&output=html&coord_type=gcj02&src=linli"
        ),
    )
}

impl PlaceView {
    pub fn new(ctx: &Ctx, p: &PlaceRow) -> PlaceView {
        let now = Utc::now().with_timezone(&beijing());
        PlaceView::at(ctx, p, now)
    }

    /// The place as read at `now` (Beijing time).
    pub fn at(ctx: &Ctx, p: &PlaceRow, now: Local) -> PlaceView {
        let kind = PlaceKind::parse(&p.kind).unwrap_or(PlaceKind::Other);
        let today = now.date_naive();
        let hours = Hours {
            week: p.week_hours.as_deref().and_then(Week::from_stored),
            exceptions: exceptions_from_stored(&p.hours_exceptions),
            closed_until: p.closed_until,
        };
        let state = hours.state_at(p.is_open, now);
        let all_day = ctx.t("place.all_day");
        let week = match &hours.week {
            Some(w) => {
                w.0.iter()
                    .enumerate()
                    .map(|(i, spans)| {
                        (
                            ctx.t(WEEKDAY_KEYS[i]),
                            show_spans(spans, all_day),
                            i == today.weekday().num_days_from_monday() as usize,
                        )
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let exceptions = hours
            .coming_exceptions(today)
            .into_iter()
            .take(4)
            .map(|e| {
                let dates = if e.from == e.to {
                    day_label(ctx.lang, e.from, today)
                } else {
                    format!(
                        "{}–{}",
                        day_label(ctx.lang, e.from, today),
                        day_label(ctx.lang, e.to, today)
                    )
                };
                let en = Some(e.note_en.clone()).filter(|s| !s.is_empty());
                let note = pick_opt(ctx, &Some(e.note_zh.clone()), &en);
                (dates, show_spans(&e.spans(), all_day), note)
            })
            .collect();
        let closure_reason = match state {
            OpenState::ClosedUntil(_) => pick_opt(ctx, &p.closed_reason_zh, &p.closed_reason_en),
            _ => None,
        };
        PlaceView {
            id: p.id,
            kind,
            kind_label: ctx.t(kind.label_key()),
            name: pick(ctx, &p.name_zh, &p.name_en),
            summary: pick(ctx, &p.summary_zh, &p.summary_en),
            address: pick(ctx, &p.address_zh, &p.address_en),
            hours_note: pick_opt(ctx, &p.hours_zh, &p.hours_en),
            status: open_status(ctx, &state, today),
            closure_reason,
            week,
            exceptions,
            amenities: Amenity::parse_list(&p.amenities)
                .into_iter()
                .map(|a| ctx.t(&a.label_key()))
                .collect(),
            amenities_note: pick_opt(ctx, &p.amenities_note_zh, &None),
            accessibility: pick_opt(ctx, &p.accessibility_zh, &p.accessibility_en),
            contact: p.contact.clone().filter(|c| !c.trim().is_empty()),
            tel: p.contact.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect(),
            coordinates: match (p.latitude, p.longitude) {
                (Some(lat), Some(lon)) => Some(format!("{lat:.5}, {lon:.5}")),
                _ => None,
            },
            maps: match (p.latitude, p.longitude) {
                (Some(lat), Some(lon)) => Some(map_links(&p.name_zh, &p.address_zh, lat, lon)),
                _ => None,
            },
            is_open: p.is_open,
            updated: format::date(ctx.lang, p.updated_at),
            photos: Vec::new(),
        }
    }
}

/// Places of one kind, under their heading.
#[derive(Debug, Clone)]
pub struct PlaceGroup {
    /// The kind's code, for the group's anchor (`#places-love_station`).
    pub code: &'static str,
    pub heading: &'static str,
    pub places: Vec<PlaceView>,
    /// All places of the kind, when the district has more than are shown.
    pub more: Option<String>,
}

impl PlaceGroup {
    /// Groups in the fixed kind order, each of at most `shown` places (one
    /// more in `places` means a link to all of them); kinds with no place
    /// are left out.
    pub fn group(ctx: &Ctx, places: &[PlaceRow], district: &str, shown: usize) -> Vec<PlaceGroup> {
        let views: Vec<PlaceView> = places.iter().map(|p| PlaceView::new(ctx, p)).collect();
        PlaceKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let mut places: Vec<PlaceView> =
                    views.iter().filter(|v| v.kind == kind).cloned().collect();
                let more = (places.len() > shown)
                    .then(|| format!("/districts/{district}/places/{}", kind.code()));
                places.truncate(shown);
                (!places.is_empty()).then(|| PlaceGroup {
                    code: kind.code(),
                    heading: ctx.t(kind.group_key()),
                    places,
                    more,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct StoryView {
    pub id: i64,
    pub title: Text,
    pub body: Text,
    pub place_id: Option<i64>,
    /// When it happened, as the reader's language writes a day.
    pub date: Option<String>,
    pub draft: bool,
    /// Its photos, on the district page.
    pub photos: Vec<PhotoShown>,
}

impl StoryView {
    pub fn new(ctx: &Ctx, s: &StoryRow) -> StoryView {
        StoryView {
            id: s.id,
            photos: Vec::new(),
            title: pick(ctx, &s.title_zh, &s.title_en),
            body: pick(ctx, &s.body_zh, &s.body_en),
            place_id: s.place_id,
            date: s.story_date.map(|d| day_label(ctx.lang, d, format::today())),
            draft: !s.published,
        }
    }
}

/// A notice as a page shows it: its text and its last day.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub text: Text,
    /// "到 12月5日" / "until 5 Dec"; none when it ends today.
    pub until: Option<String>,
    pub draft: bool,
}

impl NoticeView {
    pub fn new(ctx: &Ctx, n: &NoticeRow) -> NoticeView {
        let today = format::today();
        NoticeView {
            text: pick(ctx, &n.text_zh, &n.text_en),
            until: (n.ends_on > today).then(|| {
                ctx.tf("notice.until", &[("day", &day_label(ctx.lang, n.ends_on, today))])
            }),
            draft: !n.published,
        }
    }

    pub fn all(ctx: &Ctx, rows: &[NoticeRow]) -> Vec<NoticeView> {
        rows.iter().map(|n| NoticeView::new(ctx, n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_wrap_within_the_width() {
        let lines =
            wrap_label("Applications to overseas-talent programmes at city level or above", 200.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l) <= 200.0, "{l}");
        }
        assert_eq!(
            lines.join(" "),
            "Applications to overseas-talent programmes at city level or above"
        );
        let zh = wrap_label("申报市级以上海外引才计划同比增长", 100.0);
        assert_eq!(zh.concat(), "申报市级以上海外引才计划同比增长");
        assert!(zh.iter().all(|l| text_width(l) <= 100.0));
    }
}
