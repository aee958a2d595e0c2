//! `/`: the front door.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{DistrictCard, FigureCard};
use super::{AppError, Ctx, render};
use crate::db;
use crate::startup::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    districts: Vec<DistrictCard>,
}

pub async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db).await?;
    let districts = overview
        .districts
        .iter()
        .map(|d| {
            let figures = overview
                .headline_figures
                .iter()
                .filter(|f| f.district_id == d.id)
                .take(3)
                .map(|f| FigureCard::new(&ctx, f))
                .collect();
            DistrictCard::new(&ctx, d, figures)
        })
        .collect();
    render(&HomePage { ctx, districts })
}
