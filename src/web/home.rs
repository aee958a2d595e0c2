//! `/`: the front door.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{DistrictCard, WishView};
use super::{AppError, Ctx, render};
use crate::db;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    districts: Vec<DistrictCard>,
    stories: Vec<WishView>,
    /// What is on next here, and where the rest are listed.
    next: Vec<super::view::activities::ActivityCard>,
    next_heading: &'static str,
    next_more: String,
}

pub async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db, false).await?;
    let districts = DistrictCard::all(&ctx, &overview, 3);
    let stories = db::wishes::warm_stories(&state.db, None, WishView::STORIES).await?;
    let stories = stories.iter().map(|w| WishView::new(&ctx, w)).collect();
    let week = db::activities::filter(None, None, crate::domain::activity::When::Week);
    let next = super::activities::next_cards(&ctx, &state, &week, 4).await?;
    let next_more = "/activities?when=week".to_owned();
    render(&HomePage {
        ctx,
        districts,
        stories,
        next,
        next_heading: "activities.this_week",
        next_more,
    })
}
