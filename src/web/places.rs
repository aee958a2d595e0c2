//! `/places/{id}`: one service place.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::params::Id;
use super::view::{DistrictCard, NoticeView, PlaceView, StoryView};
use super::{AppError, Ctx, render};
use crate::db;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "places/show.html")]
struct ShowPage {
    ctx: Ctx,
    place: PlaceView,
    district: DistrictCard,
    stories: Vec<StoryView>,
    notices: Vec<NoticeView>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = db::districts::place_page(&state.db, id, crate::domain::format::today())
        .await?
        .ok_or(AppError::NotFound)?;
    // A draft is no public page yet.
    if !page.place.published || !page.district.published {
        return Err(AppError::NotFound);
    }
    // A love station has its own page, with its wishes.
    if page.place.kind == "love_station" {
        return Ok(super::see_other(&format!("/stations/{id}")));
    }
    let place = PlaceView::new(&ctx, &page.place);
    let district = DistrictCard::new(&ctx, &page.district, Vec::new());
    let stories = page.stories.iter().map(|s| StoryView::new(&ctx, s)).collect();
    let notices = NoticeView::all(&ctx, &page.notices);
    render(&ShowPage { ctx, place, district, stories, notices })
}
