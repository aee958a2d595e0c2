//! `/workshops`: the listing with filters, a workshop's page, villagers'
//! sign-ups, and the open data (CSV and JSON).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::params::{self, Id, Slug};
use super::view::{Choice, FigureCard, OpeningView, Pager, SourceView, WorkshopCard};
use super::{AppError, Ctx, csv, render_with_status, see_other, throttle};
use crate::db;
use crate::db::workshops::SignupOutcome;
use crate::domain::format::{group_number, today};
use crate::domain::workshop::{Category, Listing, ListingParams, SignupInput, Sort};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

fn listing_of(req: &HttpRequest) -> Listing {
    params::query::<ListingParams>(req.query_string()).parse()
}

#[derive(Template)]
#[template(path = "workshops/index.html")]
struct IndexPage {
    ctx: Ctx,
    listing: Listing,
    cards: Vec<WorkshopCard>,
    pager: Pager,
    districts: Vec<Choice>,
    towns: Vec<Choice>,
    categories: Vec<Choice>,
    sorts: Vec<(String, &'static str, bool)>,
    /// County-reported totals beside what the portal lists.
    reported: Vec<FigureCard>,
    portal_count: i64,
    portal_employed: String,
}

pub async fn index(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let listing = listing_of(&req);
    let page = db::workshops::list(&state.db, &listing, today()).await?;
    let choices = state
        .cache
        .memo(&state.db, "workshops.filter_choices", || db::workshops::filter_choices(&state.db))
        .await?;
    let (district_rows, town_rows) = (&choices.0, &choices.1);
    let cards = page.rows.iter().map(|w| WorkshopCard::new(&ctx, w)).collect();
    let href = |n: i64, sort: Sort| {
        let q = listing.query(n, sort);
        if q.is_empty() { "/workshops".to_owned() } else { format!("/workshops?{q}") }
    };
    let pager = Pager::new(&page, |n| href(n, listing.sort));
    let districts = district_rows
        .iter()
        .map(|(slug, zh, en)| {
            let label = Text::pick(ctx.lang, zh, en.as_deref());
            Choice::named(slug, label, listing.district.as_deref() == Some(slug))
        })
        .collect();
    let towns = town_rows
        .iter()
        .map(|(zh, en)| {
            let label = Text::pick(ctx.lang, zh, en.as_deref());
            Choice::named(zh, label, listing.town.as_deref() == Some(zh))
        })
        .collect();
    let categories = Category::ALL
        .iter()
        .map(|c| Choice::catalogue(c.code(), ctx.t(c.label_key()), listing.category == Some(*c)))
        .collect();
    let sorts =
        Sort::ALL.iter().map(|s| (href(1, *s), ctx.t(s.label_key()), *s == listing.sort)).collect();
    let reported = reported_totals(&ctx, &state).await?;
    let (portal_count, portal_employed, more) = *state
        .cache
        .memo(&state.db, "workshops.portal_totals", || {
            db::workshops::portal_totals(&state.db, None)
        })
        .await?;
    let view = IndexPage {
        pager,
        cards,
        districts,
        towns,
        categories,
        sorts,
        reported,
        portal_count,
        portal_employed: format!(
            "{}{}",
            group_number(portal_employed as f64),
            if more { "+" } else { "" }
        ),
        listing,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

/// The county's own totals, as figures of the district that reports them
/// (those whose code names the workshop programme).
async fn reported_totals(ctx: &Ctx, state: &AppState) -> Result<Vec<FigureCard>, AppError> {
    let page = state
        .cache
        .memo(&state.db, "workshops.reporting_district", || {
            db::districts::district_page(&state.db, "tonglu", today(), false)
        })
        .await?;
    let Some(page) = page.as_ref() else {
        return Ok(Vec::new());
    };
    Ok(page
        .figures
        .iter()
        .filter(|f| {
            ["workshops", "employed", "low_income_employed", "income_increase", "enterprises"]
                .contains(&f.code.as_str())
        })
        .map(|f| FigureCard::new(ctx, f))
        .collect())
}

// ---------------------------------------------------------------- one workshop

#[derive(Template)]
#[template(path = "workshops/show.html")]
struct ShowPage {
    ctx: Ctx,
    w: WorkshopCard,
    model: Option<Text>,
    partners: Option<Text>,
    contact: Option<String>,
    figures: Vec<FigureCard>,
    sources: Vec<SourceView>,
    photos: Vec<super::view::PhotoShown>,
    openings: Vec<OpeningView>,
    /// The sign-up form that came back with errors: which opening, as typed.
    failed: Option<(i64, SignupInput, FormErrors, Option<String>)>,
    phone_days: u32,
    /// A staff preview: where its banner leads back to.
    preview: Option<String>,
    /// "Last updated", as a date in the reader's language.
    updated: String,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "askama passes template arguments by reference"
)]
impl ShowPage {
    fn input_for(&self, opening: &i64) -> SignupInput {
        match &self.failed {
            Some((id, input, _, _)) if id == opening => input.clone(),
            _ => SignupInput::default(),
        }
    }
    fn errors_for(&self, opening: &i64) -> FormErrors {
        match &self.failed {
            Some((id, _, errors, _)) if id == opening => errors.clone(),
            _ => FormErrors::new(),
        }
    }
    fn notice_for(&self, opening: &i64) -> Option<String> {
        match &self.failed {
            Some((id, _, _, notice)) if id == opening => notice.clone(),
            _ => None,
        }
    }
}

async fn show_page(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    failed: Option<(i64, SignupInput, FormErrors, Option<String>)>,
) -> Result<HttpResponse, AppError> {
    workshop_view(ctx, state, slug, failed, None).await
}

/// `/staff/workshops/{slug}/preview`: the page as the public will see it
/// once published (never cached).
pub async fn preview(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let back = format!("/staff/workshops/{slug}");
    Ok(super::no_store(workshop_view(ctx, &state, &slug, None, Some(back)).await?))
}

async fn workshop_view(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    failed: Option<(i64, SignupInput, FormErrors, Option<String>)>,
    preview: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = db::workshops::page(&state.db, slug, today(), preview.is_some())
        .await?
        .ok_or(AppError::NotFound)?;
    let w = &page.workshop;
    // A draft is no public page yet.
    if !(w.published && w.district_published) && preview.is_none() {
        return Err(AppError::NotFound);
    }
    let mut figures: Vec<FigureCard> =
        page.figures.iter().map(|f| FigureCard::new(&ctx, f)).collect();
    FigureCard::add_history(&ctx, &mut figures, &page.figures, &page.values, &page.corrections);
    let sources = FigureCard::number_sources(&ctx, &mut figures, &page.sources);
    let opt = |zh: &Option<String>, en: &Option<String>| {
        zh.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|zh| Text::pick(ctx.lang, zh, en.as_deref()))
    };
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = ShowPage {
        w: WorkshopCard::new(&ctx, w),
        model: opt(&w.model_zh, &w.model_en),
        partners: opt(&w.partners_zh, &w.partners_en),
        contact: w.contact.clone(),
        figures,
        sources,
        photos: super::view::PhotoShown::all(&ctx, &page.photos),
        openings: page.openings.iter().map(|o| OpeningView::new(&ctx, o)).collect(),
        failed,
        phone_days: state.settings.signup_phone_days,
        preview,
        updated: crate::domain::format::date(ctx.lang, w.updated_at),
        ctx,
    };
    render_with_status(&view, status)
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, &state, &slug, None).await
}

#[tracing::instrument(name = "web::workshops::sign_up", skip_all, fields(opening_id = opening_id))]
pub async fn sign_up(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    Slug(slug): Slug,
    Id(opening_id): Id,
    form: web::Form<SignupInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let now = Utc::now();
    let failed = |input, errors, notice| Some((opening_id, input, errors, notice));
    let signup = match input.parse() {
        Ok(s) => s,
        Err(errors) => return show_page(ctx, &state, &slug, failed(input, errors, None)).await,
    };
    // Every well-formed sign-up counts against its phone's limit and its
    // address's (generous: villagers share a village's Wi-Fi), each in the
    // same statement that checks it; the refusal says which.
    let secret = state.secret.expose();
    let ip = throttle::client_key(&req, &state.settings);
    let limits = [
        (
            throttle::Counter::new(secret, "signup-phone", signup.phone.as_str(), now, 3600),
            state.settings.signups_per_phone_per_hour,
            "form.signup.throttled_phone",
        ),
        (
            throttle::Counter::new(secret, "signup-ip", &ip, now, 3600),
            state.settings.signups_per_hour,
            "form.signup.throttled_address",
        ),
    ];
    for (counter, max, key) in &limits {
        if !counter.admit(&state.db, *max).await? {
            let notice = ctx.tf(key, &[("time", &counter.until_label())]);
            let failed = failed(input, FormErrors::new(), Some(notice));
            return show_page(ctx, &state, &slug, failed).await;
        }
    }
    let notice_key =
        match db::workshops::sign_up(&state.db, &slug, opening_id, &signup, now, today()).await? {
            // A phone already signed up for this opening gets the same
            // answer as a new sign-up (and no second row): the page says
            // nothing about who else signed up.
            SignupOutcome::Done(_) | SignupOutcome::AlreadySignedUp => {
                return Ok(see_other(&format!(
                    "/workshops/{slug}/openings/{opening_id}/signed-up"
                )));
            }
            SignupOutcome::NotFound => return Err(AppError::NotFound),
            SignupOutcome::Closed => "form.signup.closed",
            SignupOutcome::Full => "form.signup.full",
        };
    let notice = ctx.t(notice_key).to_owned();
    show_page(ctx, &state, &slug, Some((opening_id, input, FormErrors::new(), Some(notice)))).await
}

#[derive(Template)]
#[template(path = "workshops/signed_up.html")]
struct SignedUpPage {
    ctx: Ctx,
    slug: String,
    name: Text,
    task: Text,
    phone_days: u32,
}

pub async fn signed_up(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
    Id(opening_id): Id,
) -> Result<HttpResponse, AppError> {
    let page =
        db::workshops::page(&state.db, &slug, today(), false).await?.ok_or(AppError::NotFound)?;
    let o = page.openings.iter().find(|o| o.id == opening_id).ok_or(AppError::NotFound)?;
    let view = SignedUpPage {
        name: Text::pick(ctx.lang, &page.workshop.name_zh, page.workshop.name_en.as_deref()),
        task: Text::pick(ctx.lang, &o.task_zh, o.task_en.as_deref()),
        phone_days: state.settings.signup_phone_days,
        slug,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

// ---------------------------------------------------------------- open data

/// Every matching workshop for the open data (no personal data: the
/// contact field of a workshop is an office, never a villager).
async fn all_matching(
    state: &AppState,
    listing: &Listing,
) -> Result<Vec<db::workshops::WorkshopRow>, AppError> {
    let mut rows = Vec::new();
    let mut l = listing.clone();
    l.page = 1;
    loop {
        let page = db::workshops::list(&state.db, &l, today()).await?;
        rows.extend(page.rows);
        // Bounded by the listing itself: at most MAX_PAGES pages.
        if !page.more {
            return Ok(rows);
        }
        l.page += 1;
    }
}

pub async fn api(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let listing = listing_of(&req);
    let page = db::workshops::list(&state.db, &listing, today()).await?;
    let base = &state.settings.base_url;
    let items: Vec<serde_json::Value> = page
        .rows
        .iter()
        .map(|w| {
            serde_json::json!({
                "slug": w.slug,
                "url": format!("{base}/workshops/{}", w.slug),
                "name_zh": w.name_zh,
                "name_en": w.name_en,
                "district": w.district_slug,
                "town_zh": w.town_zh,
                "villages_zh": w.villages_zh,
                "category": w.category,
                "founded": w.founded_year.map(|y| match w.founded_month {
                    Some(m) => format!("{y}-{m:02}"),
                    None => y.to_string(),
                }),
                "employed": w.employed,
                "employed_qualifier": w.employed.map(|_| if w.employed_more_than { "more_than" } else { "exact" }),
                "income_per_person_year": w.income_per_person_year,
                "income_computed_as": w.income_formula,
                "hiring": w.open_openings > 0,
            })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .json(serde_json::json!({
            // Nothing counts the matches: the total is known on the last
            // page only (null before it, and on a page past the end).
            "total": page.total(),
            "page": page.page,
            "next": page.more.then(|| format!("{base}/api/v1/workshops?{}", listing.query(page.page + 1, listing.sort))),
            "ignored": listing.ignored,
            "workshops": items,
        })))
}

pub async fn csv_export(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let listing = listing_of(&req);
    let rows = all_matching(&state, &listing).await?;
    let body = csv::document(
        &[
            "slug",
            "name_zh",
            "name_en",
            "district",
            "town",
            "villages",
            "category",
            "founded",
            "employed",
            "employed_qualifier",
            "income_per_person_year",
            "income_computed_as",
            "hiring",
        ],
        &rows
            .iter()
            .map(|w| {
                vec![
                    w.slug.clone(),
                    w.name_zh.clone(),
                    w.name_en.clone().unwrap_or_default(),
                    w.district_slug.clone(),
                    w.town_zh.clone(),
                    w.villages_zh.clone(),
                    w.category.clone(),
                    w.founded_year
                        .map(|y| format!("{y}-{:02}", w.founded_month.unwrap_or(1)))
                        .unwrap_or_default(),
                    w.employed.map(|n| n.to_string()).unwrap_or_default(),
                    w.employed
                        .map(|_| if w.employed_more_than { "more_than" } else { "exact" })
                        .unwrap_or_default()
                        .to_owned(),
                    w.income_per_person_year.map(|n| n.to_string()).unwrap_or_default(),
                    w.income_formula.clone().unwrap_or_default(),
                    (w.open_openings > 0).to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"workshops.csv\""))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .body(body))
}
