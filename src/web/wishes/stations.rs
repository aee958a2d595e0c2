//! A love station's page (its open wishes and stories) and its printable
//! poster with the QR code that opens the posting form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db;
use crate::domain::Text;
use crate::domain::wish::Wall;
use crate::web::params::Id;
use crate::web::view::{NoticeView, PlaceView, Qr, StoryView, WishView};
use crate::web::{AppError, AppState, Ctx, render_with_status};

#[derive(Template)]
#[template(path = "stations/show.html")]
struct StationPage {
    ctx: Ctx,
    place: PlaceView,
    code: String,
    district_slug: String,
    district: Text,
    wishes: Vec<WishView>,
    /// The wall filtered to this station, when it holds more than a page.
    more_wishes: Option<String>,
    stories: Vec<StoryView>,
    notices: Vec<NoticeView>,
    /// A staff preview: where its banner leads back to.
    preview: Option<String>,
    /// What is on next here, and where the rest are listed.
    next: Vec<crate::web::view::activities::ActivityCard>,
    next_heading: &'static str,
    next_more: String,
}

async fn station_page(state: &AppState, id: i64) -> Result<db::districts::PlacePage, AppError> {
    let page = db::districts::place_page(&state.db, id, crate::domain::format::today())
        .await?
        .ok_or(AppError::NotFound)?;
    // Not a station, or a draft one: no public page.
    if page.place.kind != "love_station" || !page.place.published || !page.district.published {
        return Err(AppError::NotFound);
    }
    Ok(page)
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = station_page(&state, id).await?;
    station_view(ctx, &state, &page, None).await
}

/// A station's page from its loaded row; with `preview`, a staff preview.
pub async fn station_view(
    ctx: Ctx,
    state: &AppState,
    page: &db::districts::PlacePage,
    preview: Option<String>,
) -> Result<HttpResponse, AppError> {
    // The first page of the wall for this station; the rest are a link away.
    let station = Wall { station: Some(page.place.id), ..Wall::default() };
    let wishes = db::wishes::wall(&state.db, &station).await?;
    let next = crate::web::places::next_here(&ctx, state, page.place.id).await?;
    let view = StationPage {
        next,
        next_heading: "activities.next_heading",
        next_more: format!("/activities?place={}", page.place.id),
        place: {
            let mut place = PlaceView::new(&ctx, &page.place);
            place.photos = crate::web::view::PhotoShown::all(&ctx, &page.photos);
            place
        },
        code: page.place.code.clone(),
        district_slug: page.district.slug.clone(),
        district: Text::pick(ctx.lang, &page.district.name_zh, page.district.name_en.as_deref()),
        wishes: wishes.rows.iter().map(|w| WishView::new(&ctx, w)).collect(),
        more_wishes: wishes.more.then(|| station.href(1)),
        stories: page.stories.iter().map(|s| StoryView::new(&ctx, s)).collect(),
        notices: NoticeView::all(&ctx, &page.notices),
        preview,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "stations/poster.html")]
struct PosterPage {
    ctx: Ctx,
    name: Text,
    address: Text,
    link: String,
    qr: Qr,
}

pub async fn poster(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = station_page(&state, id).await?;
    // The stable code, not the id: a printed poster outlives a re-seed.
    let link = format!("{}/wishes/new?station={}", state.settings.base_url, page.place.code);
    let view = PosterPage {
        name: Text::pick(ctx.lang, &page.place.name_zh, page.place.name_en.as_deref()),
        address: Text::pick(ctx.lang, &page.place.address_zh, page.place.address_en.as_deref()),
        qr: Qr::new(&link)?,
        link,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}
