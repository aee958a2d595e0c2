//! Photos for the staff of what they show — a place, a workshop, a
//! district, a story: upload one (JPEG, PNG or WebP up to 10 MB, with what
//! it shows in words), see them, remove one after the confirmation step;
//! and the public address of each width, cached for a year (a photo never
//! changes: a new one has a new address). One page and one upload serve
//! every owner; each route only says whose photos they are.

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
use super::params::{Id, Photo, Size, Slug};
use super::{AppError, Ctx, no_store, render_with_status, see_other};
use crate::db;
use crate::db::photos::{Added, Owner, PhotoRow};
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

/// Whose photos a page keeps: the owner, its name, its staff page and
/// the photos page's own address.
pub struct Album {
    owner: Owner,
    name: Text,
    back: String,
    base: String,
}

impl Album {
    async fn place(ctx: &Ctx, state: &AppState, id: i64) -> Result<Album, AppError> {
        let place = db::places::for_edit(&state.db, id).await?.ok_or(AppError::NotFound)?;
        Ok(Album {
            owner: Owner::Place(id),
            name: Text::pick(ctx.lang, &place.name_zh, place.name_en.as_deref()),
            back: format!("/staff/places/{id}"),
            base: format!("/staff/places/{id}/photos"),
        })
    }

    async fn workshop(ctx: &Ctx, state: &AppState, slug: &str) -> Result<Album, AppError> {
        let w = db::workshops::for_edit(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        let en = Some(w.fields.get("name_en")).filter(|n| !n.is_empty());
        Ok(Album {
            owner: Owner::Workshop(w.id),
            name: Text::pick(ctx.lang, w.fields.get("name_zh"), en),
            back: format!("/staff/workshops/{slug}"),
            base: format!("/staff/workshops/{slug}/photos"),
        })
    }

    async fn district(ctx: &Ctx, state: &AppState, slug: &str) -> Result<Album, AppError> {
        let d = db::districts::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        Ok(Album {
            owner: Owner::District(d.id),
            name: Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()),
            back: format!("/staff/districts/{slug}"),
            base: format!("/staff/districts/{slug}/photos"),
        })
    }

    async fn story(ctx: &Ctx, state: &AppState, id: i64) -> Result<Album, AppError> {
        use crate::domain::content::ContentKind;
        let s = db::content::item(&state.db, ContentKind::Story, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let en = Some(s.fields.get("title_en")).filter(|n| !n.is_empty());
        Ok(Album {
            owner: Owner::Story(id),
            name: Text::pick(ctx.lang, s.fields.get("title_zh"), en),
            back: format!("/staff/content/story/{id}"),
            base: format!("/staff/stories/{id}/photos"),
        })
    }

    async fn activity(ctx: &Ctx, state: &AppState, id: i64) -> Result<Album, AppError> {
        use crate::domain::content::ContentKind;
        let a = db::content::item(&state.db, ContentKind::Activity, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let en = Some(a.fields.get("title_en")).filter(|n| !n.is_empty());
        Ok(Album {
            owner: Owner::Activity(id),
            name: Text::pick(ctx.lang, a.fields.get("title_zh"), en),
            back: format!("/staff/content/activity/{id}"),
            base: format!("/staff/activities/{id}/photos"),
        })
    }
}

#[derive(Template)]
#[template(path = "staff/photos.html")]
struct PhotosPage {
    ctx: Ctx,
    album: Album,
    photos: Vec<PhotoView>,
    full: bool,
    typed: PhotoText,
    errors: FormErrors,
}

async fn page(
    ctx: Ctx,
    state: &AppState,
    album: Album,
    typed: PhotoText,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let rows = db::photos::of(&state.db, album.owner).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = PhotosPage {
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
        album,
        typed,
        errors,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

/// The three doors of each owner's photos: the page, the upload, the
/// removal; each route finds its album and hands on.
macro_rules! album_routes {
    ($list:ident, $upload:ident, $remove:ident, $param:ty, $find:path) => {
        pub async fn $list(
            ctx: Ctx,
            state: web::Data<AppState>,
            key: $param,
        ) -> Result<HttpResponse, AppError> {
            let album = $find(&ctx, &state, &key.0).await?;
            page(ctx, &state, album, PhotoText::default(), FormErrors::default()).await
        }

        pub async fn $upload(
            ctx: Ctx,
            state: web::Data<AppState>,
            session: Session,
            me: CurrentUser,
            key: $param,
            form: MultipartForm<Upload>,
        ) -> Result<HttpResponse, AppError> {
            let album = $find(&ctx, &state, &key.0).await?;
            store(ctx, &state, &session, &me, album, form.into_inner()).await
        }

        pub async fn $remove(
            ctx: Ctx,
            state: web::Data<AppState>,
            session: Session,
            me: CurrentUser,
            key: $param,
            photo: Photo,
            form: web::Form<Confirmed>,
        ) -> Result<HttpResponse, AppError> {
            let album = $find(&ctx, &state, &key.0).await?;
            take_down(ctx, &state, &session, &me, album, photo, &form).await
        }
    };
}

album_routes!(list, upload, remove, Id, place_album);
album_routes!(workshop_list, workshop_upload, workshop_remove, Slug, workshop_album);
album_routes!(district_list, district_upload, district_remove, Slug, district_album);
album_routes!(story_list, story_upload, story_remove, Id, story_album);
album_routes!(activity_list, activity_upload, activity_remove, Id, activity_album);

async fn place_album(ctx: &Ctx, state: &AppState, id: &i64) -> Result<Album, AppError> {
    Album::place(ctx, state, *id).await
}
async fn workshop_album(ctx: &Ctx, state: &AppState, slug: &str) -> Result<Album, AppError> {
    Album::workshop(ctx, state, slug).await
}
async fn district_album(ctx: &Ctx, state: &AppState, slug: &str) -> Result<Album, AppError> {
    Album::district(ctx, state, slug).await
}
async fn story_album(ctx: &Ctx, state: &AppState, id: &i64) -> Result<Album, AppError> {
    Album::story(ctx, state, *id).await
}
async fn activity_album(ctx: &Ctx, state: &AppState, id: &i64) -> Result<Album, AppError> {
    Album::activity(ctx, state, *id).await
}

/// An upload: checked, re-encoded off the request's thread, stored; any
/// refusal comes back at its field with the words kept (a browser cannot
/// keep the chosen file: the message says to choose it again).
#[tracing::instrument(name = "web::staff_photos::upload", skip_all, fields(owner = ?album.owner, user = me.id))]
async fn store(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    album: Album,
    form: Upload,
) -> Result<HttpResponse, AppError> {
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
        return page(ctx, state, album, typed, errors).await;
    };
    match db::photos::add(
        &state.db,
        album.owner,
        &processed,
        (&alt_zh, alt_en.as_deref()),
        me.id,
        Utc::now(),
    )
    .await?
    {
        Added::New(_) => {
            set_flash(session, "flash.photo_added");
            // The form's own fragment would carry over: back to the top,
            // where the flash and the new photo are.
            Ok(see_other(&format!("{}#main", album.base)))
        }
        Added::Full => {
            errors.add("photo", "form.photo.full");
            page(ctx, state, album, typed, errors).await
        }
    }
}

/// A removal (`…/photos/{photo}/delete`), after the one confirmation step.
async fn take_down(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    album: Album,
    Photo(photo): Photo,
    form: &Confirmed,
) -> Result<HttpResponse, AppError> {
    let photo: i64 = photo.parse().map_err(|_| AppError::NotFound)?;
    let rows: Vec<PhotoRow> = db::photos::of(&state.db, album.owner).await?;
    let shown = rows.iter().find(|p| p.id == photo).ok_or(AppError::NotFound)?;
    if !form.yes() {
        let alt = Text::pick(ctx.lang, &shown.alt_zh, shown.alt_en.as_deref()).text;
        return confirm::ask(
            ctx.clone(),
            Ask {
                question: ctx.tf("confirm.photo.question", &[("alt", &alt)]),
                explanation: ctx.t("confirm.photo.text"),
                action: format!("{}/{photo}/delete", album.base),
                button: ctx.t("photo.remove"),
                cancel: album.base.clone(),
                keep: Vec::new(),
            },
        );
    }
    if db::photos::remove(&state.db, album.owner, photo, me.id, Utc::now()).await? {
        set_flash(session, "flash.photo_removed");
    }
    Ok(see_other(&album.base))
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
    let served = db::photos::jpeg(&state.db, id, large).await?.ok_or(AppError::NotFound)?;
    // A draft's photos are for its staff, and never stored.
    let staff = |g: &crate::domain::Grants| match served.owner {
        Owner::Place(place) => g.keeps_station(place, served.district),
        Owner::Workshop(_) => {
            served.workshop.as_deref().is_some_and(|w| g.keeps_workshop(w, served.district))
        }
        Owner::District(_) | Owner::Story(_) => g.edits_content(served.district, None),
        Owner::Activity(_) => g.edits_content(served.district, served.activity_place),
    };
    let cache = if served.public {
        "public, max-age=31536000, immutable"
    } else if viewer.0.is_some_and(|me| staff(&me.grants)) {
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
        .body(served.jpeg))
}
