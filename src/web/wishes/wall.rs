//! `/wishes`: the wall of open wishes, with filters and pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db;
use crate::domain::Text;
use crate::domain::wish::{Occupation, WallParams};
use crate::web::params;
use crate::web::view::{Choice, Pager, WishView};
use crate::web::{AppError, AppState, Ctx, render_with_status};

#[derive(Template)]
#[template(path = "wishes/index.html")]
struct WallPage {
    ctx: Ctx,
    wishes: Vec<WishView>,
    pager: Pager,
    districts: Vec<Choice>,
    stations: Vec<Choice>,
    occupations: Vec<Choice>,
    ignored: Vec<&'static str>,
    filtered: bool,
}

/// The most stations the wall's filter lists (beyond, only the chosen one).
const STATION_CHOICES: usize = 60;

pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let overview = state
        .cache
        .memo(&state.db, "districts.overview", || db::districts::overview(&state.db, false))
        .await?;
    let stations = state
        .cache
        .memo(&state.db, "stations.all", || db::places::public_stations(&state.db))
        .await?;
    let params: WallParams = params::query(req.query_string());
    let slugs: Vec<&str> = overview.districts.iter().map(|d| d.slug.as_str()).collect();
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let wall = params.parse(&slugs, &ids);
    let page = db::wishes::wall(&state.db, &wall).await?;
    let district_id = |slug: &str| overview.districts.iter().find(|d| d.slug == slug).map(|d| d.id);
    let chosen_district = wall.district.as_deref().and_then(district_id);
    let view = WallPage {
        wishes: page.rows.iter().map(|w| WishView::new(&ctx, w)).collect(),
        pager: Pager::new(&page, |n| wall.href(n)),
        districts: overview
            .districts
            .iter()
            .map(|d| {
                let name = Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref());
                Choice::named(&d.slug, name, wall.district.as_deref() == Some(&d.slug))
            })
            .collect(),
        // A list of hundreds of stations is no use on a phone: past
        // STATION_CHOICES readers reach a station's wishes from its page.
        stations: stations
            .iter()
            .filter(|s| {
                if stations.len() > STATION_CHOICES {
                    return wall.station == Some(s.id);
                }
                chosen_district.is_none_or(|d| d == s.district_id)
            })
            .map(|s| {
                let name = Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref());
                Choice::named(s.id.to_string(), name, wall.station == Some(s.id))
            })
            .collect(),
        occupations: Occupation::ALL
            .iter()
            .map(|o| Choice::catalogue(o.code(), ctx.t(o.label_key()), wall.occupation == Some(*o)))
            .collect(),
        filtered: wall.filtered(),
        ignored: wall.ignored,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}
