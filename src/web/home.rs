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
}

pub async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db, false).await?;
    let districts = DistrictCard::all(&ctx, &overview, 3);
    let stories = db::wishes::warm_stories(&state.db, None, WishView::STORIES).await?;
    let stories = stories.iter().map(|w| WishView::new(&ctx, w)).collect();
    render(&HomePage { ctx, districts, stories })
}
