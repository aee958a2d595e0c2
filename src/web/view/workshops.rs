//! Workshop views: a card in a list, an opening on a workshop's page.

use super::pick;
use crate::db::workshops::{OpeningRow, WorkshopRow};
use crate::domain::Text;
use crate::domain::format::{group_number, today};
use crate::web::Ctx;

/// A workshop in a list: the listing, a district page.
#[derive(Debug, Clone)]
pub struct WorkshopCard {
    pub slug: String,
    pub name: Text,
    pub district: Text,
    pub town: Text,
    pub villages: Option<Text>,
    pub category: &'static str,
    pub summary: Text,
    /// "50 people employed", where known.
    pub employed: Option<String>,
    /// "42,000 yuan per person per year", where known.
    pub income: Option<String>,
    pub founded: Option<String>,
    pub hiring: bool,
    pub is_active: bool,
}

impl WorkshopCard {
    pub fn new(ctx: &Ctx, w: &WorkshopRow) -> WorkshopCard {
        use crate::domain::workshop::Category;
        let category = Category::parse(&w.category).unwrap_or(Category::Other);
        WorkshopCard {
            slug: w.slug.clone(),
            name: pick(ctx, &w.name_zh, &w.name_en),
            district: pick(ctx, &w.district_name_zh, &w.district_name_en),
            town: pick(ctx, &w.town_zh, &w.town_en),
            villages: (!w.villages_zh.trim().is_empty())
                .then(|| pick(ctx, &w.villages_zh, &w.villages_en)),
            category: ctx.t(category.label_key()),
            summary: pick(ctx, &w.summary_zh, &w.summary_en),
            employed: w.employed.map(|n| {
                let plus = if w.employed_more_than { "+" } else { "" };
                ctx.tn("workshop.employed_n", &format!("{}{plus}", group_number(n as f64)))
            }),
            // A computed income says so, and how: never shown as reported.
            income: w.income_per_person_year.map(|n| {
                let said = ctx.tn("workshop.income_n", &group_number(n as f64));
                match &w.income_formula {
                    Some(f) => {
                        ctx.tf("workshop.income_computed", &[("income", &said), ("formula", f)])
                    }
                    None => said,
                }
            }),
            founded: match (w.founded_year, w.founded_month) {
                (Some(y), Some(m)) => Some(
                    ctx.tf("workshop.founded_ym", &[("y", &y.to_string()), ("m", &m.to_string())]),
                ),
                (Some(y), None) => Some(ctx.tf("figure.year", &[("year", &y.to_string())])),
                _ => None,
            },
            hiring: w.open_openings > 0,
            is_active: w.is_active,
        }
    }
}

pub struct OpeningView {
    pub id: i64,
    pub task: Text,
    pub pay: Text,
    pub hours: Text,
    pub places: i64,
    pub places_left: i64,
    pub closes_on: Option<String>,
    pub accepting: bool,
    pub full: bool,
}

impl OpeningView {
    pub fn new(ctx: &Ctx, o: &OpeningRow) -> OpeningView {
        OpeningView {
            id: o.id,
            task: Text::pick(ctx.lang, &o.task_zh, o.task_en.as_deref()),
            pay: Text::pick(ctx.lang, &o.pay_zh, o.pay_en.as_deref()),
            hours: Text::pick(ctx.lang, &o.hours_zh, o.hours_en.as_deref()),
            places: o.places,
            places_left: o.places_left,
            closes_on: o.closes_on.map(|d| d.format("%Y-%m-%d").to_string()),
            accepting: o.accepting(today()),
            full: o.is_open && o.places_left == 0,
        }
    }
}
