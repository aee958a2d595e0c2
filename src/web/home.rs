//! `/`: the front door.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::DistrictCard;
use super::{AppError, Ctx, render};
use crate::db;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    districts: Vec<DistrictCard>,
    stories: Vec<super::wishes::WishView>,
}

pub async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db).await?;
    let districts = DistrictCard::all(&ctx, &overview, 3);
    let stories = super::wishes::stories(&ctx, &state, None).await?;
    render(&HomePage { ctx, districts, stories })
}
