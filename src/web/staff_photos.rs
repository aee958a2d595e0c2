//! A place's photos for its staff: upload one (JPEG, PNG or WebP up to
//! 10 MB, with what it shows in words), see them, remove one after the
//! confirmation step; and the public address of each width, cached for a
//! year (a photo never changes: a new one has a new address).

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text as FormText;
use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::{CurrentUser, Viewer};
use super::confirm::{self, Ask, Confirmed};
use super::ctx::set_flash;
use super::params::{Id, Photo, Size};
use super::{AppError, Ctx, no_store, render_with_status, see_other};
use crate::db;
use crate::db::photos::{Added, PhotoRow};
use crate::domain::photo::{self, PhotoText, Refused};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// What the upload form sends (multipart): the file and its words.
#[derive(MultipartForm)]
pub struct Upload {
    photo: Option<FileBytes>,
    alt_zh: Option<FormText<String>>,
    alt_en: Option<FormText<String>>,
}

/// Photos are decoded one at a time in each instance.
fn turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| tokio::sync::Semaphore::new(1))
}

/// A photo on its place's staff page.
struct PhotoView {
    id: i64,
    alt: Text,
    width: i32,
    height: i32,
}

#[derive(Template)]
#[template(path = "staff/photos.html")]
struct PhotosPage {
    ctx: Ctx,
    id: i64,
    name: Text,
    photos: Vec<PhotoView>,
    full: bool,
    typed: PhotoText,
    errors: FormErrors,
}

async fn page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    typed: PhotoText,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let place = db::places::for_edit(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let rows = db::photos::of_place(&state.db, id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = PhotosPage {
        name: Text::pick(ctx.lang, &place.name_zh, place.name_en.as_deref()),
        full: rows.len() as i64 >= db::photos::PER_PLACE,
        photos: rows
            .iter()
            .map(|p| PhotoView {
                id: p.id,
                alt: Text::pick(ctx.lang, &p.alt_zh, p.alt_en.as_deref()),
                width: p.small_width,
                height: p.small_height,
            })
            .collect(),
        id,
        typed,
        errors,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

/// `/staff/places/{id}/photos`
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    page(ctx, &state, id, PhotoText::default(), FormErrors::default()).await
}

/// POST `/staff/places/{id}/photos`: checked, re-encoded off the request's
/// thread, stored; any refusal comes back at its field with the words kept
/// (a browser cannot keep the chosen file: the message says to choose it
/// again).
#[tracing::instrument(name = "web::staff_photos::upload", skip_all, fields(place_id = id, user = me.id))]
pub async fn upload(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: MultipartForm<Upload>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let typed = PhotoText {
        alt_zh: form.alt_zh.map(FormText::into_inner).unwrap_or_default(),
        alt_en: form.alt_en.map(FormText::into_inner).unwrap_or_default(),
    };
    let bytes = form.photo.map(|f| f.data).unwrap_or_default();
    let mut errors = FormErrors::default();
    let alt = match typed.check() {
        Ok(alt) => Some(alt),
        Err(e) => {
            errors = e;
            None
        }
    };
    let processed = if bytes.is_empty() {
        Err(Refused::Missing)
    } else {
        // One picture at a time: decoding takes a core and up to ~200 MB.
        let _turn = turns().acquire().await.map_err(|e| AppError::Internal(e.into()))?;
        // A decoder that panics on a crafted file refuses it like any other.
        tokio::task::spawn_blocking(move || photo::process(&bytes))
            .await
            .unwrap_or(Err(Refused::NotAnImage))
    };
    let processed = match processed {
        Ok(p) => Some(p),
        Err(refused) => {
            errors.add("photo", refused.key());
            None
        }
    };
    let (Some(processed), Some((alt_zh, alt_en))) = (processed, alt) else {
        return page(ctx, &state, id, typed, errors).await;
    };
    match db::photos::add(
        &state.db,
        id,
        &processed,
        (&alt_zh, alt_en.as_deref()),
        me.id,
        Utc::now(),
    )
    .await?
    {
        Added::New(_) => {
            set_flash(&session, "flash.photo_added");
            // The form's own fragment would carry over: back to the top,
            // where the flash and the new photo are.
            Ok(see_other(&format!("/staff/places/{id}/photos#main")))
        }
        Added::Full => {
            errors.add("photo", "form.photo.full");
            page(ctx, &state, id, typed, errors).await
        }
    }
}

/// POST `/staff/places/{id}/photos/{photo}/delete`, after the one
/// confirmation step.
pub async fn remove(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    Photo(photo): Photo,
    form: web::Form<Confirmed>,
) -> Result<HttpResponse, AppError> {
    let photo: i64 = photo.parse().map_err(|_| AppError::NotFound)?;
    let rows: Vec<PhotoRow> = db::photos::of_place(&state.db, id).await?;
    let shown = rows.iter().find(|p| p.id == photo).ok_or(AppError::NotFound)?;
    if !form.yes() {
        let alt = Text::pick(ctx.lang, &shown.alt_zh, shown.alt_en.as_deref()).text;
        return confirm::ask(
            ctx.clone(),
            Ask {
                question: ctx.tf("confirm.photo.question", &[("alt", &alt)]),
                explanation: ctx.t("confirm.photo.text"),
                action: format!("/staff/places/{id}/photos/{photo}/delete"),
                button: ctx.t("photo.remove"),
                cancel: format!("/staff/places/{id}/photos"),
                keep: Vec::new(),
            },
        );
    }
    if db::photos::remove(&state.db, id, photo, me.id, Utc::now()).await? {
        set_flash(&session, "flash.photo_removed");
    }
    Ok(see_other(&format!("/staff/places/{id}/photos")))
}

/// `/photos/{id}/{size}`: one width (`small`, `large`) as JPEG, for a
/// year: its address never shows other bytes.
pub async fn serve(
    state: web::Data<AppState>,
    viewer: Viewer,
    Id(id): Id,
    Size(size): Size,
) -> Result<HttpResponse, AppError> {
    let large = match size.as_str() {
        "large" => true,
        "small" => false,
        _ => return Err(AppError::NotFound),
    };
    let (jpeg, place, district, public) =
        db::photos::jpeg(&state.db, id, large).await?.ok_or(AppError::NotFound)?;
    // A draft place's photos are for its staff, and never stored.
    let cache = if public {
        "public, max-age=31536000, immutable"
    } else if viewer.0.is_some_and(|me| me.grants.keeps_station(place, district)) {
        "private, no-store"
    } else {
        return Err(AppError::NotFound);
    };
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, format!("\"photo-{id}-{size}\"")))
        // Already compressed: not gzipped again.
        .insert_header(header::ContentEncoding::Identity)
        .body(jpeg))
}
