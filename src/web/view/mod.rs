//! View models: database rows turned into what a template shows, in the
//! reader's language. Templates only lay these out; these only shape
//! (no database calls), so any handler may use any of them.
//!
//! - [`text`]: how a [`Text`] is written as HTML (the `lang` mark)
//! - [`activities`]: activity cards, sessions and when they are
//! - [`districts`]: districts, places, figures and charts, stories
//! - [`workshops`]: workshop cards and openings
//! - [`edit`]: fields, revisions and conflicts on the editing pages
//! - [`pager`]: a listing's count and links between its pages
//! - [`wishes`]: a wish as the public or its staff see it, timelines,
//!   station choices, the poster's QR code

pub mod activities;
pub mod districts;
pub mod edit;
pub mod pager;
pub mod text;
pub mod wishes;
pub mod workshops;

pub use districts::{
    Chart, DistrictCard, FigureCard, NoticeView, PhotoShown, PlaceGroup, PlaceView, ProgrammeView,
    SourceView, StoryView,
};
pub use pager::Pager;
pub use wishes::{Qr, StationChoice, TimelineEntry, WishView};
pub use workshops::{OpeningView, WorkshopCard};

use super::Ctx;
use crate::domain::Text;

fn pick(ctx: &Ctx, zh: &str, en: &Option<String>) -> Text {
    Text::pick(ctx.lang, zh, en.as_deref())
}

fn pick_opt(ctx: &Ctx, zh: &Option<String>, en: &Option<String>) -> Option<Text> {
    zh.as_deref().filter(|s| !s.trim().is_empty()).map(|zh| Text::pick(ctx.lang, zh, en.as_deref()))
}

/// One option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// `Some("zh-CN")` when an English page shows a Chinese label.
    pub lang: Option<&'static str>,
}

impl Choice {
    /// An option labelled with curated text (a place's name).
    pub fn named(value: impl Into<String>, label: Text, selected: bool) -> Choice {
        Choice {
            value: value.into(),
            lang: label.fallback.then_some("zh-CN"),
            label: label.text,
            selected,
        }
    }

    /// An option labelled from the catalogue, always in the reader's language.
    pub fn catalogue(value: &str, label: &str, selected: bool) -> Choice {
        Choice { value: value.to_owned(), label: label.to_owned(), selected, lang: None }
    }
}
