//! `/districts` and `/districts/{slug}`.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{Chart, DistrictCard, FigureCard, PlaceGroup, ProgrammeView, StoryView};
use super::{AppError, Ctx, render};
use crate::db;
use crate::domain::Text;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "districts/index.html")]
struct IndexPage {
    ctx: Ctx,
    districts: Vec<DistrictCard>,
}

pub async fn index(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db).await?;
    // The list shows names and summaries; figures are on each district page.
    let districts = DistrictCard::all(&ctx, &overview, 0);
    render(&IndexPage { ctx, districts })
}

#[derive(Template)]
#[template(path = "districts/show.html")]
struct ShowPage {
    ctx: Ctx,
    district: DistrictCard,
    figures: Vec<FigureCard>,
    sources: Vec<Text>,
    charts: Vec<Chart>,
    programmes: Vec<ProgrammeView>,
    place_groups: Vec<PlaceGroup>,
    stories: Vec<StoryView>,
    workshops: Vec<super::view::WorkshopCard>,
    warm: Vec<super::wishes::WishView>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = db::districts::district_page(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let mut figures: Vec<FigureCard> =
        page.figures.iter().map(|f| FigureCard::new(&ctx, f)).collect();
    let sources = FigureCard::number_sources(&mut figures);
    let charts = Chart::from_figures(&ctx, &page.figures);
    let programmes = page.programmes.iter().map(|p| ProgrammeView::new(&ctx, p)).collect();
    let place_groups = PlaceGroup::group(&ctx, &page.places);
    let stories = page.stories.iter().map(|s| StoryView::new(&ctx, s)).collect();
    let district = DistrictCard::new(&ctx, &page.district, Vec::new());
    let workshops = super::workshops::for_district(&ctx, &state, &page.district.slug).await?;
    let warm = super::wishes::stories(&ctx, &state, Some(&page.district.slug)).await?;
    render(&ShowPage {
        ctx,
        district,
        figures,
        sources,
        charts,
        programmes,
        place_groups,
        stories,
        workshops,
        warm,
    })
}
