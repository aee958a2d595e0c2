//! Editing what a district page shows: the district's own text, its
//! figures, programmes, stories and notices (a station's keepers add the
//! station's notices). One form page, built from each kind's field specs;
//! every save is a revision with history and restore, refused when made
//! from an older version; an item is a draft until published; deleting
//! (site admins only) asks first.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::{Id, Slug, What};
use super::view::edit::{ConflictView, FieldNames, RevisionView};
use super::{AppError, Ctx, render_with_status, see_other};
use crate::db;
use crate::db::content::{ContentSave, Deleted, Item};
use crate::db::districts::DistrictRow;
use crate::db::places::KeptPlace;
use crate::db::revisions::Saved;
use crate::db::sources::SourceRow;
use crate::domain::content::{Choices, ContentKind, Field, Input, NOTICE_DAYS};
use crate::domain::format::today;
use crate::domain::revision::{Fields, ItemKind};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// How content fields read on the history and conflict pages.
pub const CONTENT_FIELDS: FieldNames =
    FieldNames { label: content_label, value: content_value, position: content_position };

fn content_label(ctx: &Ctx, name: &str) -> String {
    ctx.t(&format!("content.f.{name}")).to_owned()
}

fn content_value(ctx: &Ctx, name: &str, value: &str) -> String {
    match name {
        "qualifier" | "kind" | "audience" | "signup" | "every_weeks" if !value.is_empty() => {
            ctx.t(&format!("content.{name}.{value}")).to_owned()
        }
        "weekdays" if !value.is_empty() => value
            .split(' ')
            .filter_map(|d| crate::domain::content::WEEKDAYS.iter().position(|w| *w == d))
            .map(|i| ctx.t(&format!("activity.weekday.{i}")))
            .collect::<Vec<_>>()
            .join("、"),
        "headline" | "phone_required" | "published" => ctx
            .t(match (name, value.is_empty()) {
                ("published", false) => "content.state.published",
                ("published", true) => "content.state.draft",
                (_, false) => "content.yes",
                (_, true) => "content.no",
            })
            .to_owned(),
        _ if value.is_empty() => ctx.t("edit.empty").to_owned(),
        _ => value.to_owned(),
    }
}

/// A field's place in its form (every kind's fields, in order; the
/// published state last).
fn content_position(name: &str) -> usize {
    ContentKind::ALL
        .iter()
        .find_map(|k| k.fields().iter().position(|f| f.name == name))
        .unwrap_or(usize::MAX)
}

/// One choice of a select.
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One field of the form as the template draws it.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub error: Option<&'static str>,
    pub required: bool,
    /// `text`, `date`, `textarea`, `select` or `check`.
    pub control: &'static str,
    pub inputmode: Option<&'static str>,
    pub value: String,
    pub options: Vec<OptionView>,
    /// The ids the field's `aria-describedby` names.
    pub described: String,
}

/// A field of a form drawn from its spec, under `name` (the spec's own, or
/// a row's such as `fig0_value`).
pub fn field_view(
    ctx: &Ctx,
    field: &Field,
    name: &'static str,
    form: &Fields,
    errors: &FormErrors,
    lists: &ChoiceLists,
) -> FieldView {
    let value = form.get(name).to_owned();
    let (control, inputmode) = match field.input {
        Input::Line(_) => ("text", None),
        Input::Area(_) => ("textarea", None),
        Input::Number => ("text", Some("decimal")),
        // A formula needs ×: the full keyboard.
        Input::Amount => ("text", None),
        Input::Url => ("text", Some("url")),
        Input::Year => ("text", Some("numeric")),
        Input::Date => ("date", None),
        Input::Check => ("check", None),
        Input::Count(_) => ("text", Some("numeric")),
        Input::Weekdays => ("weekdays", None),
        Input::Choice(_) | Input::Place | Input::Source => ("select", None),
    };
    let options = match field.input {
        // Nothing chosen yet: an empty choice first, so a row left empty
        // sends nothing (a browser sends the first option).
        Input::Choice(codes) => value
            .is_empty()
            .then(|| OptionView {
                value: String::new(),
                label: ctx.t("staff.choose").to_owned(),
                selected: true,
            })
            .into_iter()
            .chain(codes.iter().map(|code| OptionView {
                value: (*code).to_owned(),
                label: ctx.t(&format!("content.{}.{code}", field.name)).to_owned(),
                selected: value == *code,
            }))
            .collect(),
        Input::Place => std::iter::once(OptionView {
            value: String::new(),
            label: ctx.t("content.no_place").to_owned(),
            selected: value.is_empty(),
        })
        .chain(lists.places.iter().map(|p| OptionView {
            value: p.id.to_string(),
            label: Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned(),
            selected: value == p.id.to_string(),
        }))
        .collect(),
        Input::Source => std::iter::once(OptionView {
            value: String::new(),
            label: ctx.t("staff.choose").to_owned(),
            selected: value.is_empty(),
        })
        .chain(lists.sources.iter().map(|s| {
            let title = Text::pick(ctx.lang, &s.title_zh, s.title_en.as_deref());
            let publisher = Text::pick(ctx.lang, &s.publisher_zh, s.publisher_en.as_deref());
            OptionView {
                value: s.id.to_string(),
                label: format!("{} — {}", title.plain(), publisher.plain()),
                selected: value == s.id.to_string(),
            }
        }))
        .collect(),
        Input::Weekdays => crate::domain::content::WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, code)| OptionView {
                value: (*code).to_owned(),
                label: ctx.t(&format!("activity.weekday.{i}")).to_owned(),
                selected: value.split(' ').any(|d| d == *code),
            })
            .collect(),
        _ => Vec::new(),
    };
    let hint = field.hint.then(|| ctx.t(&format!("{}_hint", field.label)));
    let error = errors.get(name).map(|key| ctx.t(key));
    let mut described = Vec::new();
    if hint.is_some() {
        described.push(format!("f-{name}-hint"));
    }
    if error.is_some() {
        described.push(format!("f-{name}-error"));
    }
    FieldView {
        name,
        label: ctx.t(field.label),
        hint,
        error,
        required: field.required,
        control,
        inputmode,
        value,
        options,
        described: described.join(" "),
    }
}

/// Where an item belongs: its district and, for a notice there, a place;
/// for a workshop's figure, the workshop.
struct Owner {
    district: DistrictRow,
    place: Option<KeptPlace>,
    workshop: Option<db::workshops::WorkshopName>,
    /// A town or street: reached from the district's towns page.
    town: bool,
}

impl Owner {
    async fn of(state: &AppState, district_id: i64, place: Option<i64>) -> Result<Owner, AppError> {
        let district =
            db::districts::by_id(&state.db, district_id).await?.ok_or(AppError::NotFound)?;
        let place = match place {
            Some(id) => db::places::of_district(&state.db, district_id)
                .await?
                .into_iter()
                .find(|p| p.id == id),
            None => None,
        };
        Ok(Owner { district, place, workshop: None, town: false })
    }

    /// A workshop's, by its address.
    async fn of_workshop(state: &AppState, slug: &str) -> Result<Owner, AppError> {
        let workshop = db::workshops::named(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        let mut owner = Owner::of(state, workshop.district_id, None).await?;
        owner.workshop = Some(workshop);
        Ok(owner)
    }

    /// A workshop's figure is in no chart and no district's headlines,
    /// whatever a form sends; a place's keeper keeps an activity at their
    /// place.
    fn keep_to_its_fields(
        &self,
        kind: ContentKind,
        me: &CurrentUser,
        mut fields: Fields,
    ) -> Fields {
        if self.workshop.is_some() {
            for name in Self::NOT_A_WORKSHOPS {
                fields.set(name, "");
            }
        }
        if let Some(place) = self.only_place(kind, me) {
            fields.set("place_id", place.to_string());
        }
        fields
    }

    /// What the form's choice fields offer `me` for an item of `kind`
    /// here: the district's places and sources, or for a place's keeper
    /// who is not the district's admin only their place.
    async fn choices(
        &self,
        state: &AppState,
        kind: ContentKind,
        me: &CurrentUser,
    ) -> Result<ChoiceLists, AppError> {
        let mut lists = ChoiceLists::of(state, kind.fields(), self.district.id).await?;
        if let Some(only) = self.only_place(kind, me) {
            lists.places.retain(|p| p.id == only);
        }
        Ok(lists)
    }

    /// The one place an activity may be at, for a keeper of that place
    /// who is not the district's admin (they keep what is at their place).
    fn only_place(&self, kind: ContentKind, me: &CurrentUser) -> Option<i64> {
        match &self.place {
            Some(p) if kind == ContentKind::Activity => {
                (!me.grants.admin_of_district(self.district.id)).then_some(p.id)
            }
            _ => None,
        }
    }

    const NOT_A_WORKSHOPS: [&str; 2] = ["chart_group", "headline"];

    /// Where a new item of `kind` is sent.
    fn create_action(&self, kind: ContentKind) -> String {
        match (&self.place, &self.workshop) {
            (Some(p), _) if kind == ContentKind::Activity => {
                format!("/staff/places/{}/activities/new", p.id)
            }
            (Some(p), _) => format!("/staff/places/{}/notices/new", p.id),
            (_, Some(w)) => format!("/staff/workshops/{}/figures/new", w.slug),
            _ => format!("/staff/districts/{}/new/{}", self.district.slug, kind.code()),
        }
    }

    fn under(&self) -> db::content::Under {
        match (&self.place, &self.workshop) {
            (Some(p), _) => db::content::Under::Place(p.id),
            (_, Some(w)) => db::content::Under::Workshop(w.id),
            _ => db::content::Under::District,
        }
    }

    /// The staff page this item is reached from: the district's page for
    /// its admins, the place's for a station's keepers, the workshop's
    /// for its figures.
    fn back(&self, me: &CurrentUser) -> String {
        if self.town {
            return format!("/staff/districts/{}/towns", self.district.slug);
        }
        if let Some(w) = &self.workshop {
            return format!("/staff/workshops/{}#figures-heading", w.slug);
        }
        match &self.place {
            Some(p) if !me.grants.admin_of_district(self.district.id) => {
                format!("/staff/places/{}", p.id)
            }
            _ => format!("/staff/districts/{}", self.district.slug),
        }
    }

    fn back_label(&self, ctx: &Ctx, me: &CurrentUser) -> String {
        if self.town {
            return ctx.t("territory.title").to_owned();
        }
        if self.workshop.is_some() {
            return self.name(ctx);
        }
        match &self.place {
            Some(p) if !me.grants.admin_of_district(self.district.id) => {
                Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned()
            }
            _ => Text::pick(ctx.lang, &self.district.name_zh, self.district.name_en.as_deref())
                .plain()
                .to_owned(),
        }
    }

    /// Where the public sees it (a town: in the workshop listing's filter).
    fn public(&self, kind: ContentKind, item: &Item) -> String {
        if kind == ContentKind::Activity {
            return format!("/activities/{}", item.id);
        }
        match (&self.place, &self.workshop) {
            (Some(p), _) => format!("/places/{}", p.id),
            (_, Some(w)) => format!("/workshops/{}", w.slug),
            _ if self.town => {
                format!("/workshops?town={}", super::ctx::encode(item.fields.get("name_zh")))
            }
            _ => format!("/districts/{}", self.district.slug),
        }
    }

    /// Where staff see its drafts among what is published, if anywhere
    /// (an activity's own page shows its draft to its staff).
    fn preview(&self, kind: ContentKind, item: &Item) -> Option<String> {
        if kind == ContentKind::Activity {
            return Some(format!("/activities/{}", item.id));
        }
        match (&self.place, &self.workshop) {
            (Some(_), _) => None,
            (_, Some(w)) => Some(format!("/staff/workshops/{}/preview", w.slug)),
            _ => Some(format!("/staff/districts/{}/preview", self.district.slug)),
        }
    }

    fn name(&self, ctx: &Ctx) -> String {
        match (&self.place, &self.workshop) {
            (Some(p), _) => {
                Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned()
            }
            (_, Some(w)) => {
                Text::pick(ctx.lang, &w.name_zh, w.name_en.as_deref()).plain().to_owned()
            }
            _ => Text::pick(ctx.lang, &self.district.name_zh, self.district.name_en.as_deref())
                .plain()
                .to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/content_edit.html")]
struct EditPage {
    ctx: Ctx,
    heading: String,
    /// What the item is about: its title, or where a new one goes.
    lede: String,
    action: String,
    back: (String, String),
    /// Links beside the heading: public page, preview, history, delete.
    links: Vec<(String, &'static str)>,
    fields: Vec<FieldView>,
    errors: FormErrors,
    /// Each wrong field named, for the summary above the form.
    summary: Vec<(&'static str, String)>,
    version: i64,
    note: String,
    is_new: bool,
    publishable: bool,
    published: bool,
    conflict: Option<ConflictView>,
    /// A figure's values over the years.
    values: Option<super::staff_values::ValuesView>,
    /// A story's photos page.
    photos: Option<String>,
}

/// What the form shows besides the item as stored.
struct Shown {
    form: Fields,
    errors: FormErrors,
    version: i64,
    note: String,
    conflict: Option<ConflictView>,
}

impl Shown {
    fn fresh(form: Fields, version: i64) -> Shown {
        Shown { form, errors: FormErrors::new(), version, note: String::new(), conflict: None }
    }
}

/// What a form's choice fields offer: the district's places (a story's
/// place) and its sources register (what a figure cites), each read only
/// when one of `fields` asks for it.
#[derive(Default)]
pub struct ChoiceLists {
    pub places: Vec<KeptPlace>,
    pub sources: Vec<SourceRow>,
}

impl ChoiceLists {
    pub async fn of(
        state: &AppState,
        fields: &[Field],
        district_id: i64,
    ) -> Result<ChoiceLists, AppError> {
        let wants = |input| fields.iter().any(|f| f.input == input);
        let places = if wants(Input::Place) {
            db::places::of_district(&state.db, district_id).await?
        } else {
            Vec::new()
        };
        let sources = if wants(Input::Source) {
            db::sources::of_district(&state.db, district_id).await?
        } else {
            Vec::new()
        };
        Ok(ChoiceLists { places, sources })
    }

    /// The ids the checker lets each choice field take.
    pub fn ids(&self) -> Choices {
        Choices {
            places: self.places.iter().map(|p| p.id).collect(),
            sources: self.sources.iter().map(|s| s.id).collect(),
            kept_day: None,
        }
    }
}

/// The one form page, for a new item (`item` none) or an existing one.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    ctx: Ctx,
    state: &AppState,
    me: &CurrentUser,
    kind: ContentKind,
    owner: &Owner,
    item: Option<&Item>,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let lists = owner.choices(state, kind, me).await?;
    // A workshop's figure is in no chart and no district's headlines.
    let fields = kind
        .fields()
        .iter()
        .filter(|f| owner.workshop.is_none() || !Owner::NOT_A_WORKSHOPS.contains(&f.name))
        .map(|f| field_view(&ctx, f, f.name, &shown.form, &shown.errors, &lists))
        .collect();
    let kind_name = ctx.t(kind.label_key());
    let publishable = kind.publishable();
    let (heading, lede, action, links) = match item {
        Some(item) => {
            let base = format!("/staff/content/{}/{}", kind.code(), item.id);
            let mut links = vec![(owner.public(kind, item), "staff.public_page")];
            if let Some(preview) = owner.preview(kind, item).filter(|_| !item.published) {
                links.push((preview, "content.preview"));
            }
            if kind == ContentKind::Activity {
                links.push((format!("/staff/activities/{}", item.id), "activity.staff.signups"));
            }
            links.push((format!("{base}/history"), "edit.history_link"));
            // Deleting is for site admins; others unpublish (a source is
            // deleted once nothing cites it).
            if (publishable || kind == ContentKind::Source) && me.grants.is_site_admin() {
                links.push((format!("{base}/delete"), "content.delete"));
            }
            let title = item.fields.get(kind.title_field()).to_owned();
            (ctx.tf("content.edit_heading", &[("kind", kind_name)]), title, base, links)
        }
        None => {
            let action = owner.create_action(kind);
            let lede = owner.name(&ctx);
            (ctx.tf("content.new_heading", &[("kind", kind_name)]), lede, action, Vec::new())
        }
    };
    let summary = summary(&ctx, &shown.errors, |name| {
        kind.fields().iter().find(|f| f.name == name).map(|f| ctx.t(f.label).to_owned())
    });
    let values = match item {
        Some(item) if kind == ContentKind::Figure => {
            Some(super::staff_values::section(&ctx, state, item.id, owner.district.id).await?)
        }
        _ => None,
    };
    let photos = item.and_then(|item| match kind {
        ContentKind::Story => Some(format!("/staff/stories/{}/photos", item.id)),
        ContentKind::Activity => Some(format!("/staff/activities/{}/photos", item.id)),
        _ => None,
    });
    let page = EditPage {
        values,
        photos,
        summary,
        heading,
        lede,
        action,
        back: (owner.back(me), owner.back_label(&ctx, me)),
        links,
        fields,
        errors: shown.errors,
        version: shown.version,
        note: shown.note,
        is_new: item.is_none(),
        publishable,
        published: item.is_some_and(|i| i.published),
        conflict: shown.conflict,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

/// The error summary of a form with a change note (`note`): as
/// [`crate::web::respond::error_summary`], the note named for it.
pub fn summary(
    ctx: &Ctx,
    errors: &FormErrors,
    label: impl Fn(&str) -> Option<String>,
) -> Vec<(&'static str, String)> {
    crate::web::respond::error_summary(ctx, errors, |field| {
        if field == "note" { Some(ctx.t("edit.note").to_owned()) } else { label(field) }
    })
}

fn parse_kind(what: &str) -> Result<ContentKind, AppError> {
    ContentKind::parse(what).ok_or(AppError::NotFound)
}

/// A kind staff add to a district (not the district itself).
fn listed_kind(what: &str) -> Result<ContentKind, AppError> {
    parse_kind(what).ok().filter(|k| ContentKind::LISTED.contains(k)).ok_or(AppError::NotFound)
}

/// What a new item's form starts with.
fn defaults(kind: ContentKind) -> Fields {
    let mut f = Fields::new();
    if kind == ContentKind::Notice {
        f.set("starts_on", today().to_string());
        f.set("ends_on", today().to_string());
    }
    if kind == ContentKind::Activity {
        f.set("audience", "everyone");
        f.set("signup", "none");
        f.set("every_weeks", "1");
        f.set("party_max", "1");
    }
    f
}

/// The form's own fields: the version it was opened at, the change note,
/// and the button pressed (`publish` or `draft`).
struct Meta {
    version: i64,
    note: String,
    action: Option<bool>,
}

fn meta(pairs: &[(String, String)]) -> Meta {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    Meta {
        version: get("version").and_then(|v| v.parse().ok()).unwrap_or(-1),
        note: get("note").unwrap_or("").to_owned(),
        action: match get("action") {
            Some("publish") => Some(true),
            Some("draft") => Some(false),
            _ => None,
        },
    }
}

/// Checks the submitted fields and the note; the published state is the
/// button pressed, else `published_now`.
async fn check(
    state: &AppState,
    kind: ContentKind,
    owner: &Owner,
    me: &CurrentUser,
    pairs: &[(String, String)],
    meta: &Meta,
    stored: Option<&Fields>,
) -> Result<(Fields, Result<Fields, FormErrors>), AppError> {
    let names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
    let of = |inputs: &[Input]| -> Vec<&str> {
        kind.fields().iter().filter(|f| inputs.contains(&f.input)).map(|f| f.name).collect()
    };
    // Unticked boxes are not sent; ticked days of the week are sent one
    // by one.
    let (boxes, multi) = (of(&[Input::Check, Input::Weekdays]), of(&[Input::Weekdays]));
    // Over what is stored: a field the form did not send is kept.
    let empty = Fields::new();
    let mut input = Fields::submitted(stored.unwrap_or(&empty), pairs, &names, &multi, &boxes);
    // A keeper's activity is at their place, chosen or not.
    if let Some(only) = owner.only_place(kind, me)
        && input.get("place_id").is_empty()
    {
        input.set("place_id", only.to_string());
    }
    let published_now = stored.is_some_and(|f| !f.get("published").is_empty());
    let publish = meta.action.unwrap_or(published_now);
    input.set("published", if publish { "on" } else { "" });
    let mut choices = owner.choices(state, kind, me).await?.ids();
    choices.kept_day = stored.and_then(kept_day);
    let mut checked = kind.check(&input, today(), &choices);
    if let Some(problem) = crate::domain::revision::note_problem(&meta.note) {
        let mut errors = checked.err().unwrap_or_default();
        errors.add("note", problem);
        checked = Err(errors);
    }
    Ok((input, checked))
}

/// The first day an activity already has (see [`Choices::kept_day`]).
fn kept_day(stored: &Fields) -> Option<chrono::NaiveDate> {
    crate::domain::place_edit::parse_date(stored.get("first_day"))
}

fn saved_flash(kind: ContentKind, published: bool) -> &'static str {
    match (kind.publishable(), published) {
        (false, _) => "flash.content_saved",
        (true, true) => "flash.content_published",
        (true, false) => "flash.content_draft",
    }
}

/// A rule across items the form alone cannot check: a district's towns
/// and streets have distinct names. The field and message, if broken.
async fn clash(
    state: &AppState,
    kind: ContentKind,
    item: &Item,
    fields: &Fields,
) -> Result<Option<(&'static str, &'static str)>, AppError> {
    if kind != ContentKind::Territory {
        return Ok(None);
    }
    let taken = db::territories::name_taken(&state.db, item.id, fields.get("name_zh")).await?;
    Ok(taken.then_some(("name_zh", "form.territory.taken")))
}

pub async fn new_item(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
    What(what): What,
) -> Result<HttpResponse, AppError> {
    let kind = listed_kind(&what)?;
    let district = db::districts::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let owner = Owner { district, place: None, workshop: None, town: false };
    let shown = Shown::fresh(defaults(kind), 0);
    form_page(ctx, &state, &me, kind, &owner, None, shown, StatusCode::OK).await
}

pub async fn new_notice(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(place): Id,
) -> Result<HttpResponse, AppError> {
    new_at_place(ctx, &state, &me, ContentKind::Notice, place).await
}

/// `/staff/places/{id}/activities/new`: a new activity at a place, for
/// its keepers and its district's admins.
pub async fn new_activity(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(place): Id,
) -> Result<HttpResponse, AppError> {
    new_at_place(ctx, &state, &me, ContentKind::Activity, place).await
}

async fn new_at_place(
    ctx: Ctx,
    state: &AppState,
    me: &CurrentUser,
    kind: ContentKind,
    place: i64,
) -> Result<HttpResponse, AppError> {
    let district = db::places::place_district(&state.db, place).await?.ok_or(AppError::NotFound)?;
    let owner = Owner::of(state, district, Some(place)).await?;
    let mut form = defaults(kind);
    if kind == ContentKind::Activity {
        form.set("place_id", place.to_string());
    }
    form_page(ctx, state, me, kind, &owner, None, Shown::fresh(form, 0), StatusCode::OK).await
}

/// Adds an item to a district (or a notice at a place).
#[allow(clippy::too_many_arguments)]
async fn create(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    kind: ContentKind,
    owner: Owner,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let meta = meta(&pairs);
    let (input, checked) = check(state, kind, &owner, me, &pairs, &meta, None).await?;
    let fields = match checked {
        Ok(fields) => owner.keep_to_its_fields(kind, me, fields),
        Err(errors) => {
            let shown = Shown { form: input, errors, version: 0, note: meta.note, conflict: None };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(ctx, state, me, kind, &owner, None, shown, status).await;
        }
    };
    let id = db::content::create(
        &state.db,
        kind,
        owner.district.id,
        owner.under(),
        &fields,
        me.id,
        Utc::now(),
    )
    .await?;
    set_flash(session, saved_flash(kind, !fields.get("published").is_empty()));
    Ok(see_other(&format!("/staff/content/{}/{id}", kind.code())))
}

pub async fn create_item(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    What(what): What,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let kind = listed_kind(&what)?;
    let district = db::districts::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let owner = Owner { district, place: None, workshop: None, town: false };
    create(ctx, &state, &session, &me, kind, owner, form.into_inner()).await
}

pub async fn create_notice(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(place): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = form.into_inner();
    create_at_place(ctx, &state, &session, &me, ContentKind::Notice, place, pairs).await
}

pub async fn create_activity(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(place): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = form.into_inner();
    create_at_place(ctx, &state, &session, &me, ContentKind::Activity, place, pairs).await
}

async fn create_at_place(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    kind: ContentKind,
    place: i64,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let district = db::places::place_district(&state.db, place).await?.ok_or(AppError::NotFound)?;
    let owner = Owner::of(state, district, Some(place)).await?;
    create(ctx, state, session, me, kind, owner, pairs).await
}

/// `/staff/workshops/{slug}/figures/new`: a new impact figure of a
/// workshop, for its keepers and its district's admins.
pub async fn new_workshop_figure(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let owner = Owner::of_workshop(&state, &slug).await?;
    let shown = Shown::fresh(defaults(ContentKind::Figure), 0);
    form_page(ctx, &state, &me, ContentKind::Figure, &owner, None, shown, StatusCode::OK).await
}

pub async fn create_workshop_figure(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let owner = Owner::of_workshop(&state, &slug).await?;
    create(ctx, &state, &session, &me, ContentKind::Figure, owner, form.into_inner()).await
}

async fn load(state: &AppState, kind: ContentKind, id: i64) -> Result<(Item, Owner), AppError> {
    let item = db::content::item(&state.db, kind, id).await?.ok_or(AppError::NotFound)?;
    let mut owner = match &item.workshop {
        Some((_, slug)) => Owner::of_workshop(state, slug).await?,
        None => Owner::of(state, item.district_id, item.place_id).await?,
    };
    owner.town = kind == ContentKind::Territory;
    Ok((item, owner))
}

pub async fn edit(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    What(what): What,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&what)?;
    let (item, owner) = load(&state, kind, id).await?;
    let shown = Shown::fresh(item.fields.clone(), item.version);
    form_page(ctx, &state, &me, kind, &owner, Some(&item), shown, StatusCode::OK).await
}

#[tracing::instrument(name = "web::staff_content::update", skip_all, fields(id = id, user = me.id))]
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    What(what): What,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&what)?;
    let (item, owner) = load(&state, kind, id).await?;
    let pairs = form.into_inner();
    let meta = meta(&pairs);
    opened_at(meta.version, item.version)?;
    let (input, mut checked) =
        check(&state, kind, &owner, &me, &pairs, &meta, Some(&item.fields)).await?;
    if let Ok(fields) = &checked
        && let Some((field, key)) = clash(&state, kind, &item, fields).await?
    {
        let mut errors = FormErrors::new();
        errors.add(field, key);
        checked = Err(errors);
    }
    let fields = match checked {
        Ok(fields) => owner.keep_to_its_fields(kind, &me, fields),
        Err(errors) => {
            let shown = Shown {
                form: input,
                errors,
                version: meta.version,
                note: meta.note,
                conflict: None,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(ctx, &state, &me, kind, &owner, Some(&item), shown, status).await;
        }
    };
    let save = ContentSave {
        kind,
        id,
        opened_at: meta.version,
        fields: &fields,
        user: me.id,
        note: &meta.note,
        restored_from: None,
        now: Utc::now(),
    };
    match db::content::save(&state.db, &save).await? {
        Saved::Revision(_) => {
            set_flash(&session, saved_flash(kind, !fields.get("published").is_empty()));
        }
        Saved::Unchanged => set_flash(&session, "flash.nothing_changed"),
        Saved::Missing => return Err(AppError::NotFound),
        Saved::Conflict(conflict) => {
            let view = ConflictView::new(&ctx, &conflict, &fields, &CONTENT_FIELDS);
            // The form keeps this editor's input and now saves over the
            // version they have been shown.
            let shown = Shown {
                form: input,
                errors: FormErrors::new(),
                version: conflict.version,
                note: meta.note,
                conflict: Some(view),
            };
            let (item, owner) = load(&state, kind, id).await?;
            let status = StatusCode::CONFLICT;
            return form_page(ctx, &state, &me, kind, &owner, Some(&item), shown, status).await;
        }
    }
    Ok(see_other(&format!("/staff/content/{}/{id}", kind.code())))
}

#[derive(Template)]
#[template(path = "staff/history.html")]
pub struct HistoryPage {
    pub ctx: Ctx,
    pub title: String,
    /// The item's edit page, and the word for it.
    pub edit: (String, String),
    pub back: (String, String),
    pub restore: String,
    pub version: i64,
    pub revisions: Vec<RevisionView>,
}

pub async fn history(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    What(what): What,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&what)?;
    let (item, owner) = load(&state, kind, id).await?;
    let places = ChoiceLists::of(&state, kind.fields(), item.district_id).await?.places;
    let mut lines = db::revisions::history(&state.db, kind.item_kind(), id).await?;
    // A story's place reads by its name.
    for line in &mut lines {
        for change in line.changes.iter_mut().filter(|c| c.field == "place_id") {
            for value in [&mut change.from, &mut change.to] {
                if let Some(p) = places.iter().find(|p| p.id.to_string() == *value) {
                    *value =
                        Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned();
                }
            }
        }
    }
    let revisions =
        lines.iter().map(|l| RevisionView::new(&ctx, l, item.version, &CONTENT_FIELDS)).collect();
    let base = format!("/staff/content/{}/{id}", kind.code());
    let page = HistoryPage {
        title: item.fields.get(kind.title_field()).to_owned(),
        edit: (base.clone(), ctx.tf("content.edit_heading", &[("kind", ctx.t(kind.label_key()))])),
        back: (owner.back(&me), owner.back_label(&ctx, &me)),
        restore: format!("{base}/restore"),
        version: item.version,
        revisions,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

/// Brings back an earlier revision's content as a new revision; whether
/// the item is published stays as it is.
#[tracing::instrument(name = "web::staff_content::restore", skip_all, fields(id = id, user = me.id))]
pub async fn restore(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    What(what): What,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&what)?;
    let back = format!("/staff/content/{}/{id}/history", kind.code());
    let (item, owner) = load(&state, kind, id).await?;
    let pairs = form.into_inner();
    let meta = meta(&pairs);
    opened_at(meta.version, item.version)?;
    let Some((number, mut snapshot)) =
        chosen_revision(&state, kind.item_kind(), id, &pairs).await?
    else {
        set_flash(&session, "flash.no_such_revision");
        return Ok(see_other(&back));
    };
    snapshot.set("published", item.fields.get("published"));
    // A keeper restores only what keeps the activity at their place.
    let mut choices = owner.choices(&state, kind, &me).await?.ids();
    choices.kept_day = kept_day(&item.fields);
    let checked = kind.check(&snapshot, today(), &choices);
    // Nor one that had it at an address only.
    let only = owner.only_place(kind, &me).map(|p| p.to_string());
    let Some(fields) =
        checked.ok().filter(|f| only.as_deref().is_none_or(|p| f.get("place_id") == p))
    else {
        set_flash(&session, "flash.revision_unusable");
        return Ok(see_other(&back));
    };
    if clash(&state, kind, &item, &fields).await?.is_some() {
        set_flash(&session, "flash.revision_unusable");
        return Ok(see_other(&back));
    }
    let save = ContentSave {
        kind,
        id,
        opened_at: meta.version,
        fields: &fields,
        user: me.id,
        note: "",
        restored_from: Some(number),
        now: Utc::now(),
    };
    set_flash(&session, restored(&db::content::save(&state.db, &save).await?)?);
    Ok(see_other(&back))
}

/// A form's `version` is one the item has had: missing or from the future,
/// it did not come from the item's page (a stale one is a conflict).
pub fn opened_at(version: i64, stored: i64) -> Result<(), AppError> {
    if (0..=stored).contains(&version) { Ok(()) } else { Err(AppError::BadRequest) }
}

/// The revision a restore form names (`revision`), with its snapshot.
pub async fn chosen_revision(
    state: &AppState,
    kind: ItemKind,
    id: i64,
    pairs: &[(String, String)],
) -> Result<Option<(i64, Fields)>, AppError> {
    let number =
        pairs.iter().find(|(k, _)| k == "revision").and_then(|(_, v)| v.trim().parse::<i64>().ok());
    let Some(number) = number else { return Ok(None) };
    Ok(db::revisions::snapshot(&state.db, kind, id, number).await?.map(|s| (number, s)))
}

/// What a restore's save says to its editor.
pub fn restored(saved: &Saved) -> Result<&'static str, AppError> {
    Ok(match saved {
        Saved::Revision(_) => "flash.revision_restored",
        Saved::Unchanged => "flash.nothing_changed",
        Saved::Conflict(_) => "flash.restore_conflict",
        Saved::Missing => return Err(AppError::NotFound),
    })
}

pub async fn confirm_delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    What(what): What,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let kind = listed_kind(&what)?;
    let (item, _) = load(&state, kind, id).await?;
    let base = format!("/staff/content/{}/{id}", kind.code());
    let ask = super::confirm::Ask {
        question: ctx.tf(
            "content.delete_question",
            &[("kind", ctx.t(kind.label_key())), ("title", item.fields.get(kind.title_field()))],
        ),
        explanation: ctx.t("content.delete_text"),
        action: format!("{base}/delete"),
        button: ctx.t("content.delete_button"),
        cancel: base,
        keep: Vec::new(),
    };
    super::confirm::ask(ctx, ask)
}

#[tracing::instrument(name = "web::staff_content::delete", skip_all, fields(id = id, user = me.id))]
pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    What(what): What,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let kind = listed_kind(&what)?;
    let (_, owner) = load(&state, kind, id).await?;
    // Only the confirmation page's button deletes.
    if !form.iter().any(|(k, v)| k == "confirm" && v == "yes") {
        return Ok(see_other(&format!("/staff/content/{}/{id}/delete", kind.code())));
    }
    match db::content::delete(&state.db, kind, id, me.id, Utc::now()).await? {
        Deleted::Deleted => set_flash(&session, "flash.content_deleted"),
        Deleted::Cited => {
            set_flash(&session, "flash.source_cited");
            return Ok(see_other(&format!("/staff/content/{}/{id}", kind.code())));
        }
        Deleted::SignedUp => {
            set_flash(&session, "flash.activity_signed_up");
            return Ok(see_other(&format!("/staff/content/{}/{id}", kind.code())));
        }
        Deleted::Missing => {}
    }
    Ok(see_other(&owner.back(&me)))
}

/// One item in a staff list: its title, state and link.
pub struct ItemLine {
    pub title: String,
    pub href: String,
    pub draft: bool,
    /// A notice's place and days; a figure's value and unit.
    pub meta: String,
}

/// One kind's items on the district's staff page, with its "add" link.
pub struct Section {
    pub kind: &'static str,
    pub heading: &'static str,
    pub code: &'static str,
    pub add: String,
    pub items: Vec<ItemLine>,
}

/// A notice's days as a list line writes them ("12-02 至 12-05",
/// "已结束").
fn notice_meta(ctx: &Ctx, item: &Item, places: &[KeptPlace]) -> String {
    let today = today().to_string();
    let (from, to) = (item.fields.get("starts_on"), item.fields.get("ends_on"));
    let mut parts = Vec::new();
    if let Some(p) = item.place_id.and_then(|id| places.iter().find(|p| p.id == id)) {
        parts.push(Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned());
    }
    let day = |d: &str| match crate::domain::place_edit::parse_date(d) {
        Some(d) => super::view::districts::day_label(ctx.lang, d, crate::domain::format::today()),
        None => d.to_owned(),
    };
    parts.push(if to < today.as_str() {
        ctx.t("content.notice_over").to_owned()
    } else if from > today.as_str() {
        ctx.tf("content.notice_from", &[("from", &day(from)), ("to", &day(to))])
    } else {
        ctx.tf("content.notice_until", &[("to", &day(to))])
    });
    parts.join(" · ")
}

/// An activity's place and first day ("上塘·蔡马 · 12-08 起每周二、周四").
fn activity_meta(ctx: &Ctx, item: &Item, places: &[KeptPlace]) -> String {
    let mut parts = Vec::new();
    if let Some(p) = item.place_id.and_then(|id| places.iter().find(|p| p.id == id)) {
        parts.push(Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()).plain().to_owned());
    }
    let from = item.fields.get("first_day");
    let days = content_value(ctx, "weekdays", item.fields.get("weekdays"));
    let key = match item.fields.get("every_weeks") {
        "2" => "activity.staff.fortnightly_from",
        _ => "activity.staff.weekly_from",
    };
    parts.push(match item.fields.get("weekdays") {
        "" => from.to_owned(),
        _ => ctx.tf(key, &[("from", from), ("days", &days)]),
    });
    parts.join(" · ")
}

/// Notices long over are left off the lists (they stay in the database
/// and the audit log).
fn recent(item: &Item) -> bool {
    let cutoff = (today() - chrono::Duration::days(NOTICE_DAYS)).to_string();
    item.fields.get("ends_on") >= cutoff.as_str()
}

fn line(ctx: &Ctx, kind: ContentKind, item: &Item, places: &[KeptPlace]) -> ItemLine {
    let meta = match kind {
        ContentKind::Notice => notice_meta(ctx, item, places),
        ContentKind::Figure => item.fields.get("unit_zh").to_owned(),
        ContentKind::Source => item.fields.get("publisher_zh").to_owned(),
        ContentKind::Activity => activity_meta(ctx, item, places),
        _ => String::new(),
    };
    ItemLine {
        title: item.fields.get(kind.title_field()).to_owned(),
        href: format!("/staff/content/{}/{}", kind.code(), item.id),
        draft: !item.published,
        meta,
    }
}

/// Every listed kind of a district's content, for its staff page.
pub async fn sections(
    ctx: &Ctx,
    state: &AppState,
    district: &DistrictRow,
    places: &[KeptPlace],
) -> Result<Vec<Section>, AppError> {
    let mut out = Vec::new();
    for kind in ContentKind::LISTED {
        let items = db::content::listed(&state.db, kind, district.id).await?;
        out.push(Section {
            kind: ctx.t(kind.label_key()),
            heading: ctx.t(&format!("content.section.{}", kind.code())),
            code: kind.code(),
            add: format!("/staff/districts/{}/new/{}", district.slug, kind.code()),
            items: items
                .iter()
                .filter(|i| kind != ContentKind::Notice || recent(i))
                .map(|i| line(ctx, kind, i, places))
                .collect(),
        });
    }
    Ok(out)
}

/// A place's notices, for its staff page.
pub async fn place_notices(
    ctx: &Ctx,
    state: &AppState,
    district_id: i64,
    place_id: i64,
) -> Result<Vec<ItemLine>, AppError> {
    let items = db::content::listed(&state.db, ContentKind::Notice, district_id).await?;
    Ok(items
        .iter()
        .filter(|i| i.place_id == Some(place_id) && recent(i))
        .map(|i| line(ctx, ContentKind::Notice, i, &[]))
        .collect())
}

/// The activities at a place, for its staff page (those over a year ago
/// left off).
pub async fn place_activities(
    ctx: &Ctx,
    state: &AppState,
    district_id: i64,
    place_id: i64,
) -> Result<Vec<ItemLine>, AppError> {
    let items = db::content::listed(&state.db, ContentKind::Activity, district_id).await?;
    let cutoff = (today() - chrono::Duration::days(366)).to_string();
    Ok(items
        .iter()
        .filter(|i| i.place_id == Some(place_id))
        .filter(|i| i.fields.get("until_day").max(i.fields.get("first_day")) >= cutoff.as_str())
        .map(|i| line(ctx, ContentKind::Activity, i, &[]))
        .collect())
}

/// A workshop's impact figures, for its staff page.
pub async fn workshop_figures(
    ctx: &Ctx,
    state: &AppState,
    workshop_id: i64,
) -> Result<Vec<ItemLine>, AppError> {
    let items = db::content::of_workshop(&state.db, workshop_id).await?;
    Ok(items.iter().map(|i| line(ctx, ContentKind::Figure, i, &[])).collect())
}

/// The new-district form: its address name and kind, then its text.
fn new_district_fields() -> Vec<Field> {
    crate::domain::content::NEW_DISTRICT
        .iter()
        .chain(ContentKind::District.fields())
        .copied()
        .collect()
}

fn district_form(ctx: Ctx, form: &Fields, errors: FormErrors) -> Result<HttpResponse, AppError> {
    let specs = new_district_fields();
    let summary = summary(&ctx, &errors, |name| {
        specs.iter().find(|f| f.name == name).map(|f| ctx.t(f.label).to_owned())
    });
    let status = crate::web::respond::form_status(&errors);
    let page = EditPage {
        heading: ctx.t("content.new_district").to_owned(),
        lede: ctx.t("content.new_district_lede").to_owned(),
        action: "/staff/districts/new".to_owned(),
        back: ("/staff".to_owned(), ctx.t("nav.staff").to_owned()),
        links: Vec::new(),
        fields: specs
            .iter()
            .map(|f| field_view(&ctx, f, f.name, form, &errors, &ChoiceLists::default()))
            .collect(),
        errors,
        summary,
        version: 0,
        note: String::new(),
        is_new: true,
        publishable: false,
        published: false,
        conflict: None,
        values: None,
        photos: None,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

/// `/staff/districts/new`: a site admin adds a district, county or city.
pub async fn new_district(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let mut form = Fields::new();
    form.set("district_kind", "district");
    district_form(ctx, &form, FormErrors::new())
}

#[tracing::instrument(name = "web::staff_content::create_district", skip_all, fields(user = me.id))]
pub async fn create_district(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let specs = new_district_fields();
    let names: Vec<&str> = specs.iter().map(|f| f.name).collect();
    let input = Fields::from_pairs(&form.into_inner(), &names, &[]);
    let (checked, mut errors) =
        crate::domain::content::check_fields(&specs, &input, today(), &Choices::default());
    let slug = match crate::domain::form::parse_slug(input.get("slug")) {
        Ok(Some(slug)) => slug,
        Ok(None) => String::new(),
        Err(key) => {
            if errors.get("slug").is_none() {
                errors.add("slug", key);
            }
            String::new()
        }
    };
    if !errors.is_empty() {
        return district_form(ctx, &input, errors);
    }
    let kind = checked.get("district_kind").to_owned();
    let mut fields = Fields::new();
    for f in ContentKind::District.fields() {
        fields.set(f.name, checked.get(f.name));
    }
    // `new` is the address of this form.
    let created = if slug == "new" {
        None
    } else {
        db::districts::create(&state.db, &slug, &kind, &fields, me.id, Utc::now()).await?
    };
    match created {
        Some(_) => {
            set_flash(&session, "flash.district_created");
            Ok(see_other(&format!("/staff/districts/{slug}")))
        }
        None => {
            errors.add("slug", "form.slug_taken");
            district_form(ctx, &input, errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Lang;
    use crate::domain::content::{ContentKind, Input};

    #[test]
    fn every_content_field_and_choice_has_words_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            for kind in ContentKind::ALL {
                assert!(crate::i18n::has_key(lang, kind.label_key()));
                for f in kind.fields() {
                    assert!(crate::i18n::has_key(lang, f.label), "{} in {lang:?}", f.label);
                    assert!(
                        crate::i18n::has_key(lang, &format!("content.f.{}", f.name)),
                        "{} in {lang:?}",
                        f.name
                    );
                    if f.hint {
                        assert!(crate::i18n::has_key(lang, &format!("{}_hint", f.label)));
                    }
                    if let Input::Choice(codes) = f.input {
                        for c in codes {
                            let key = format!("content.{}.{c}", f.name);
                            assert!(crate::i18n::has_key(lang, &key), "{key} in {lang:?}");
                        }
                    }
                }
            }
            assert!(crate::i18n::has_key(lang, "content.f.published"));
            for f in crate::domain::content::NEW_DISTRICT {
                assert!(crate::i18n::has_key(lang, f.label), "{} in {lang:?}", f.label);
            }
            for k in crate::domain::content::DISTRICT_KINDS {
                assert!(crate::i18n::has_key(lang, &format!("content.district_kind.{k}")));
            }
        }
    }
}
