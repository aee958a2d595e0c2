//! A district's towns and streets (乡镇/街道) in the territory tree: its
//! admins list them and add one; workshops then choose from them. Each is
//! then edited (renamed, with history) as district content.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::Slug;
use super::{AppError, Ctx, render_with_status, see_other};
use crate::db;
use crate::db::territories::{AddError, Town};
use crate::domain::revision::Fields;
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// The kinds of node a district holds.
const KINDS: [&str; 2] = ["town", "street"];

#[derive(Template)]
#[template(path = "staff/towns.html")]
struct TownsPage {
    ctx: Ctx,
    slug: String,
    district: Text,
    /// Each town's name, kind and edit page.
    towns: Vec<(Text, &'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    form: Fields,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
}

async fn page(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    form: Fields,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let district = db::districts::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
    let towns = db::territories::towns_of(&state.db, district.id)
        .await?
        .iter()
        .map(|t: &Town| {
            (
                Text::pick(ctx.lang, &t.name_zh, t.name_en.as_deref()),
                ctx.t(&format!("territory.kind.{}", t.kind)),
                format!("/staff/content/territory/{}", t.id),
            )
        })
        .collect();
    let summary = super::staff_content::summary(&ctx, &errors, |name| {
        Some(ctx.t(&format!("territory.f.{name}")).to_owned())
    });
    let status = crate::web::respond::form_status(&errors);
    let view = TownsPage {
        slug: district.slug.clone(),
        district: Text::pick(ctx.lang, &district.name_zh, district.name_en.as_deref()),
        towns,
        kinds: KINDS.iter().map(|k| (*k, ctx.t(&format!("territory.kind.{k}")))).collect(),
        form,
        errors,
        summary,
        ctx,
    };
    Ok(super::no_store(render_with_status(&view, status)?))
}

/// `/staff/districts/{slug}/towns`.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let mut form = Fields::new();
    form.set("kind", "town");
    page(ctx, &state, &slug, form, FormErrors::new()).await
}

#[tracing::instrument(name = "web::staff_territories::add", skip_all, fields(user = me.id))]
pub async fn add(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let district = db::districts::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let input = Fields::from_pairs(&form.into_inner(), &["kind", "name_zh", "name_en"], &[]);
    let mut errors = FormErrors::new();
    let (kind, name_zh, name_en) =
        (input.get("kind").trim(), input.get("name_zh").trim(), input.get("name_en").trim());
    errors.refuse_control(&[("name_zh", name_zh), ("name_en", name_en)]);
    if !KINDS.contains(&kind) {
        errors.add("kind", "form.content.choose");
    }
    let length = name_zh.chars().count();
    if errors.get("name_zh").is_none() && !(2..=20).contains(&length) {
        errors.add("name_zh", "form.territory.name");
    }
    if name_en.chars().count() > 60 {
        errors.add("name_en", "form.text.too_long");
    }
    if !errors.is_empty() {
        return page(ctx, &state, &slug, input, errors).await;
    }
    let name_en = (!name_en.is_empty()).then_some(name_en);
    match db::territories::add_town(
        &state.db,
        district.id,
        kind,
        name_zh,
        name_en,
        me.id,
        Utc::now(),
    )
    .await
    {
        Ok(_) => {}
        Err(AddError::Taken) => {
            errors.add("name_zh", "form.territory.taken");
            return page(ctx, &state, &slug, input, errors).await;
        }
        Err(AddError::NoDistrict) => return Err(AppError::NotFound),
        Err(AddError::Db(e)) => return Err(e.into()),
    }
    set_flash(&session, "flash.town_added");
    Ok(see_other(&format!("/staff/districts/{slug}/towns")))
}
