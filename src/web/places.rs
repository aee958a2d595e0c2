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
    /// A staff preview: where its banner leads back to.
    preview: Option<String>,
    /// What is on next here, and where the rest are listed.
    next: Vec<super::view::activities::ActivityCard>,
    next_heading: &'static str,
    next_more: String,
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
    let next = next_here(&ctx, &state, id).await?;
    render(&place_view(ctx, &page, None, next))
}

/// What is on next at a place, for its page.
pub async fn next_here(
    ctx: &Ctx,
    state: &AppState,
    id: i64,
) -> Result<Vec<super::view::activities::ActivityCard>, AppError> {
    let here = db::activities::filter(None, Some(id), crate::domain::activity::When::Upcoming);
    super::activities::next_cards(ctx, state, &here, 3).await
}

fn place_view(
    ctx: Ctx,
    page: &db::districts::PlacePage,
    preview: Option<String>,
    next: Vec<super::view::activities::ActivityCard>,
) -> ShowPage {
    let mut place = PlaceView::new(&ctx, &page.place);
    place.photos = super::view::PhotoShown::all(&ctx, &page.photos);
    let district = DistrictCard::new(&ctx, &page.district, Vec::new());
    let stories = page.stories.iter().map(|s| StoryView::new(&ctx, s)).collect();
    let notices = NoticeView::all(&ctx, &page.notices);
    let next_more = format!("/activities?place={}", page.place.id);
    ShowPage {
        ctx,
        place,
        district,
        stories,
        notices,
        preview,
        next,
        next_heading: "activities.next_heading",
        next_more,
    }
}

/// `/staff/places/{id}/preview`: a place's page (a station's, with its
/// wishes) as the public will see it once published (never cached).
pub async fn preview(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = db::districts::place_page(&state.db, id, crate::domain::format::today())
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/staff/places/{id}/edit");
    if page.place.kind == "love_station" {
        return Ok(super::no_store(
            super::wishes::stations::station_view(ctx, &state, &page, Some(back)).await?,
        ));
    }
    let next = next_here(&ctx, &state, id).await?;
    let view = place_view(ctx, &page, Some(back), next);
    Ok(super::no_store(super::render_with_status(&view, actix_web::http::StatusCode::OK)?))
}
