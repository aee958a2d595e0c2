//! `/districts` and `/districts/{slug}`.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{
    Chart, DistrictCard, FigureCard, NoticeView, Pager, PhotoShown, PlaceGroup, PlaceView,
    ProgrammeView, SourceView, StoryView, WishView, WorkshopCard,
};
use super::{AppError, Ctx, render};
use crate::db;
use crate::domain::Text;
use crate::domain::format::today;
use crate::domain::place::PlaceKind;
use crate::domain::workshop::Listing;
use crate::web::AppState;
use crate::web::params::{self, Kind, Slug};

#[derive(Template)]
#[template(path = "districts/index.html")]
struct IndexPage {
    ctx: Ctx,
    districts: Vec<DistrictCard>,
}

pub async fn index(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let overview = db::districts::overview(&state.db, false).await?;
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
    sources: Vec<SourceView>,
    photos: Vec<PhotoShown>,
    charts: Vec<Chart>,
    programmes: Vec<ProgrammeView>,
    place_groups: Vec<PlaceGroup>,
    stories: Vec<StoryView>,
    workshops: Vec<WorkshopCard>,
    warm: Vec<WishView>,
    notices: Vec<NoticeView>,
    /// "Last updated": the latest change to the district's content.
    updated: String,
    /// A staff preview: drafts shown among the published, marked.
    preview: bool,
    /// What is on next here, and where the rest are listed.
    next: Vec<super::view::activities::ActivityCard>,
    next_heading: &'static str,
    next_more: String,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    render(&district_view(ctx, &state, &slug, false).await?)
}

/// `/staff/districts/{slug}/preview`: the district page as it will be
/// once its drafts are published, for its admins (never cached).
pub async fn preview(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let page = district_view(ctx, &state, &slug, true).await?;
    Ok(super::no_store(super::render_with_status(&page, actix_web::http::StatusCode::OK)?))
}

async fn district_view(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    drafts: bool,
) -> Result<ShowPage, AppError> {
    let page = db::districts::district_page(&state.db, slug, today(), drafts)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut figures: Vec<FigureCard> =
        page.figures.iter().map(|f| FigureCard::new(&ctx, f)).collect();
    FigureCard::add_history(&ctx, &mut figures, &page.figures, &page.values, &page.corrections);
    let sources = FigureCard::number_sources(&ctx, &mut figures, &page.sources);
    let charts = Chart::from_figures(&ctx, &page.figures);
    let programmes = page.programmes.iter().map(|p| ProgrammeView::new(&ctx, p)).collect();
    let shown = usize::try_from(db::districts::PLACES_SHOWN).unwrap_or(12);
    let place_groups = PlaceGroup::group(&ctx, &page.places, &page.district.slug, shown);
    let stories = page
        .stories
        .iter()
        .map(|s| {
            let mut view = StoryView::new(&ctx, s);
            let mine: Vec<_> = page
                .story_photos
                .iter()
                .filter(|(id, _)| *id == s.id)
                .map(|(_, p)| p.clone())
                .collect();
            view.photos = PhotoShown::all(&ctx, &mine);
            view
        })
        .collect();
    let photos = PhotoShown::all(&ctx, &page.photos);
    let district = DistrictCard::new(&ctx, &page.district, Vec::new());
    let slug = &page.district.slug;
    let listing = Listing { district: Some(slug.clone()), page: 1, ..Listing::default() };
    // A district page shows the first page and links to the listing: no count.
    let workshops = db::workshops::first_page(&state.db, &listing, today()).await?;
    let workshops = workshops.iter().map(|w| WorkshopCard::new(&ctx, w)).collect();
    let warm = db::wishes::warm_stories(&state.db, Some(slug), WishView::STORIES).await?;
    let warm = warm.iter().map(|w| WishView::new(&ctx, w)).collect();
    let here = db::activities::filter(Some(slug), None, crate::domain::activity::When::Upcoming);
    let next = super::activities::next_cards(&ctx, state, &here, 3).await?;
    Ok(ShowPage {
        next,
        next_heading: "activities.next_heading",
        next_more: format!("/activities?district={slug}"),
        notices: NoticeView::all(&ctx, &page.notices),
        updated: crate::domain::format::date(ctx.lang, page.updated_at),
        preview: drafts,
        ctx,
        district,
        figures,
        sources,
        photos,
        charts,
        programmes,
        place_groups,
        stories,
        workshops,
        warm,
    })
}

#[derive(Template)]
#[template(path = "districts/places.html")]
struct PlacesPage {
    ctx: Ctx,
    slug: String,
    district: Text,
    heading: &'static str,
    places: Vec<PlaceView>,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
struct PageParam {
    page: Option<String>,
}

/// `/districts/{slug}/places/{kind}`: every place of a kind in a district,
/// a page at a time (the district page shows the first few).
pub async fn places(
    ctx: Ctx,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    Slug(slug): Slug,
    Kind(kind): Kind,
) -> Result<HttpResponse, AppError> {
    let kind = PlaceKind::parse(&kind).ok_or(AppError::NotFound)?;
    let district = db::districts::by_slug(&state.db, &slug)
        .await?
        .filter(|d| d.published)
        .ok_or(AppError::NotFound)?;
    let page = params::query::<PageParam>(req.query_string())
        .page
        .and_then(|p| crate::domain::page_number(&p))
        .unwrap_or(1);
    let rows = db::districts::places_of_kind(&state.db, district.id, kind, page).await?;
    let base = format!("/districts/{slug}/places/{}", kind.code());
    let pager =
        Pager::new(&rows, |n| if n > 1 { format!("{base}?page={n}") } else { base.clone() });
    render(&PlacesPage {
        district: Text::pick(ctx.lang, &district.name_zh, district.name_en.as_deref()),
        heading: ctx.t(kind.group_key()),
        places: rows.rows.iter().map(|p| PlaceView::new(&ctx, p)).collect(),
        pager,
        slug,
        ctx,
    })
}
