//! HTTP: the route table, handlers (one file per area), extractors and the
//! one error type. Handlers parse input, make one `db` call and render one
//! template.

use actix_web::http::Method;
use actix_web::web;

pub mod account;
pub mod activities;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod confirm;
pub mod csrf;
pub mod csv;
pub mod ctx;
pub mod districts;
pub mod errors;
pub mod health;
pub mod home;
pub mod middleware;
pub mod params;
pub mod passwords;
pub mod places;
pub mod prefs;
pub mod respond;
pub mod staff;
pub mod staff_activities;
pub mod staff_assist;
pub mod staff_audit;
pub mod staff_content;
pub mod staff_lists;
pub mod staff_photos;
pub mod staff_places;
pub mod staff_territories;
pub mod staff_values;
pub mod staff_wishes;
pub mod staff_workshops;
pub mod state;
pub mod throttle;
pub mod view;
pub mod wishes;
pub mod workshops;

pub use ctx::Ctx;
pub use errors::AppError;
pub use respond::{no_store, render, render_with_status, see_other};
pub use state::AppState;

/// Who may use a route, checked by [`auth::enforce`] before the handler
/// runs. Rules on a thing read it from the route's path parameter. The
/// access-matrix test walks the route table with these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with or without an account.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Anyone holding a staff role.
    Staff,
    /// Site admins only.
    SiteAdmin,
    /// The keepers of the place `{id}` (a station, a Happy Home…), its
    /// district's admins, site admins.
    StationKeeper,
    /// The admins of district `{slug}`, and site admins.
    DistrictAdmin,
    /// Staff who may act on the account of user `{id}` (see
    /// [`crate::domain::Grants::may_act_on`]): site admins, and admins of a
    /// district that account is tied to when it holds no role they lack.
    AccountOf,
    /// The keepers of workshop `{slug}`, its district's admins, site admins.
    WorkshopKeeper,
    /// Who edits content item `{id}` of kind `{what}`: its district's
    /// admins and site admins; for a notice at a station, its keepers too;
    /// for a workshop's figure, the workshop's keepers too.
    ContentEditor,
    /// Who keeps figure `{id}`'s values: its district's admins and site
    /// admins; for a workshop's figure, the workshop's keepers too.
    FigureEditor,
    /// Who edits story `{id}` (its photos): its district's admins and site
    /// admins.
    StoryEditor,
    /// Who keeps activity `{id}` (its sign-ups, check-in, sessions): its
    /// district's admins and site admins, and the keepers of its place.
    ActivityKeeper,
    /// The staff of the station that wish `{id}` belongs to (its keepers,
    /// its district's admins, site admins).
    WishStaff,
}

/// One row of the route table: startup registers from it, tests walk it.
pub struct RouteDef {
    pub method: Method,
    /// The actix path pattern; also what request logs name.
    pub path: &'static str,
    pub access: Access,
    /// Anonymous readers may be served this page from the page cache
    /// (see [`cache`]); it names the query parameters the page reads, which
    /// alone make its canonical address.
    pub cached: Option<&'static [&'static str]>,
    pub handler: fn() -> actix_web::Route,
}

macro_rules! route {
    ($method:ident $path:literal, $access:ident, $handler:path) => {
        route!(@ $method $path, $access, $handler, None)
    };
    ($method:ident $path:literal, $access:ident, $handler:path, cached) => {
        route!(@ $method $path, $access, $handler, Some(&[]))
    };
    ($method:ident $path:literal, $access:ident, $handler:path, cached($($param:ident),*)) => {
        route!(@ $method $path, $access, $handler, Some(&[$(stringify!($param)),*]))
    };
    (@ $method:ident $path:literal, $access:ident, $handler:path, $cached:expr) => {
        RouteDef {
            method: Method::$method,
            path: $path,
            access: Access::$access,
            cached: $cached,
            handler: || method_route(Method::$method).to($handler),
        }
    };
}

/// A route for `method`; a GET route answers HEAD too (the server sends
/// the same headers without the body).
fn method_route(method: Method) -> actix_web::Route {
    use actix_web::guard;
    if method == Method::GET {
        web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
    } else {
        web::method(method)
    }
}

/// Every route of the portal.
pub fn routes() -> Vec<RouteDef> {
    vec![
        route!(GET "/", Public, home::page, cached),
        route!(GET "/districts", Public, districts::index, cached),
        route!(GET "/districts/{slug}", Public, districts::show, cached),
        route!(GET "/districts/{slug}/places/{kind}", Public, districts::places, cached(page)),
        route!(GET "/places/{id}", Public, places::show, cached),
        route!(GET "/prefs/lang/{code}", Public, prefs::set_lang),
        route!(GET "/prefs/text/{size}", Public, prefs::set_text_size),
        route!(GET "/account/register", Public, account::register_form),
        route!(POST "/account/register", Public, account::register),
        route!(GET "/account/login", Public, account::login_form),
        route!(POST "/account/login", Public, account::login),
        route!(POST "/account/logout", SignedIn, account::logout),
        route!(GET "/account", SignedIn, account::home),
        route!(POST "/account/password", SignedIn, account::change_password),
        route!(POST "/account/sign-out-everywhere", SignedIn, account::sign_out_everywhere),
        route!(POST "/account/sessions/{id}/end", SignedIn, account::end_session),
        route!(POST "/account/delete", SignedIn, account::delete),
        route!(GET "/account/reset/{token}", Public, account::reset_form),
        route!(POST "/account/reset/{token}", Public, account::reset),
        route!(GET "/staff", Staff, staff::home),
        route!(GET "/staff/english", Staff, staff::english),
        route!(GET "/staff/users", SiteAdmin, staff::users),
        route!(GET "/staff/audit", SiteAdmin, staff_audit::list),
        route!(GET "/staff/audit.csv", SiteAdmin, staff_audit::export),
        route!(GET "/staff/users/{id}/roles", SiteAdmin, staff::grant_form),
        route!(POST "/staff/users/{id}/roles", SiteAdmin, staff::grant),
        route!(POST "/staff/users/{id}/roles/revoke", SiteAdmin, staff::revoke),
        route!(POST "/staff/users/{id}/reset", AccountOf, staff::issue_reset),
        route!(GET "/staff/places/{id}", StationKeeper, staff::place),
        route!(GET "/staff/places/{id}/edit", StationKeeper, staff_places::edit),
        route!(GET "/staff/places/{id}/preview", StationKeeper, places::preview),
        route!(POST "/staff/places/{id}/edit", StationKeeper, staff_places::update),
        route!(GET "/staff/places/{id}/history", StationKeeper, staff_places::history),
        route!(POST "/staff/places/{id}/restore", StationKeeper, staff_places::restore),
        route!(GET "/staff/places/{id}/photos", StationKeeper, staff_photos::list),
        route!(POST "/staff/places/{id}/photos", StationKeeper, staff_photos::upload),
        route!(POST "/staff/places/{id}/photos/{photo}/delete", StationKeeper, staff_photos::remove),
        route!(GET "/staff/workshops/{slug}/photos", WorkshopKeeper, staff_photos::workshop_list),
        route!(POST "/staff/workshops/{slug}/photos", WorkshopKeeper, staff_photos::workshop_upload),
        route!(POST "/staff/workshops/{slug}/photos/{photo}/delete", WorkshopKeeper, staff_photos::workshop_remove),
        route!(GET "/staff/districts/{slug}/photos", DistrictAdmin, staff_photos::district_list),
        route!(POST "/staff/districts/{slug}/photos", DistrictAdmin, staff_photos::district_upload),
        route!(POST "/staff/districts/{slug}/photos/{photo}/delete", DistrictAdmin, staff_photos::district_remove),
        route!(GET "/staff/stories/{id}/photos", StoryEditor, staff_photos::story_list),
        route!(POST "/staff/stories/{id}/photos", StoryEditor, staff_photos::story_upload),
        route!(POST "/staff/stories/{id}/photos/{photo}/delete", StoryEditor, staff_photos::story_remove),
        route!(GET "/staff/places/{id}/wishes", StationKeeper, staff_lists::station),
        route!(GET "/staff/places/{id}/wishes.csv", StationKeeper, staff_lists::station_csv),
        route!(GET "/staff/places/{id}/wishes/new", StationKeeper, staff_assist::form),
        route!(POST "/staff/places/{id}/wishes/new", StationKeeper, staff_assist::create),
        route!(GET "/staff/places/{id}/notices/new", StationKeeper, staff_content::new_notice),
        route!(POST "/staff/places/{id}/notices/new", StationKeeper, staff_content::create_notice),
        route!(GET "/staff/places/{id}/activities/new", StationKeeper, staff_content::new_activity),
        route!(POST "/staff/places/{id}/activities/new", StationKeeper, staff_content::create_activity),
        route!(GET "/staff/activities/{id}", ActivityKeeper, staff_activities::show),
        route!(GET "/staff/activities/{id}/photos", ActivityKeeper, staff_photos::activity_list),
        route!(POST "/staff/activities/{id}/photos", ActivityKeeper, staff_photos::activity_upload),
        route!(POST "/staff/activities/{id}/photos/{photo}/delete", ActivityKeeper, staff_photos::activity_remove),
        route!(GET "/staff/activities/{id}/signups.csv", ActivityKeeper, staff_activities::export),
        route!(POST "/staff/activities/{id}/check-in", ActivityKeeper, staff_activities::check_in),
        route!(GET "/staff/activities/{id}/sessions/{session}", ActivityKeeper, staff_activities::session),
        route!(POST "/staff/activities/{id}/sessions/{session}/cancel", ActivityKeeper, staff_activities::call_off),
        route!(GET "/staff/districts/new", SiteAdmin, staff_content::new_district),
        route!(POST "/staff/districts/new", SiteAdmin, staff_content::create_district),
        route!(GET "/staff/districts/{slug}", DistrictAdmin, staff::district),
        route!(GET "/staff/districts/{slug}/preview", DistrictAdmin, districts::preview),
        route!(GET "/staff/districts/{slug}/wishes", DistrictAdmin, staff_lists::district),
        route!(GET "/staff/districts/{slug}/wishes.csv", DistrictAdmin, staff_lists::district_csv),
        route!(GET "/staff/districts/{slug}/towns", DistrictAdmin, staff_territories::list),
        route!(POST "/staff/districts/{slug}/towns", DistrictAdmin, staff_territories::add),
        route!(GET "/staff/districts/{slug}/workshops/new", DistrictAdmin, staff_workshops::new_workshop),
        route!(POST "/staff/districts/{slug}/workshops/new", DistrictAdmin, staff_workshops::create_workshop),
        route!(GET "/staff/districts/{slug}/places/new", DistrictAdmin, staff_places::new_place),
        route!(POST "/staff/districts/{slug}/places/new", DistrictAdmin, staff_places::create_place),
        route!(GET "/staff/districts/{slug}/new/{what}", DistrictAdmin, staff_content::new_item),
        route!(POST "/staff/districts/{slug}/new/{what}", DistrictAdmin, staff_content::create_item),
        route!(GET "/staff/content/{what}/{id}", ContentEditor, staff_content::edit),
        route!(POST "/staff/content/{what}/{id}", ContentEditor, staff_content::update),
        route!(GET "/staff/figures/{id}/values/new", FigureEditor, staff_values::new_value),
        route!(POST "/staff/figures/{id}/values/new", FigureEditor, staff_values::add_value),
        route!(GET "/staff/figures/{id}/values/{value}", FigureEditor, staff_values::edit_value),
        route!(POST "/staff/figures/{id}/values/{value}", FigureEditor, staff_values::correct_value),
        route!(GET "/staff/content/{what}/{id}/history", ContentEditor, staff_content::history),
        route!(POST "/staff/content/{what}/{id}/restore", ContentEditor, staff_content::restore),
        route!(GET "/staff/content/{what}/{id}/delete", SiteAdmin, staff_content::confirm_delete),
        route!(POST "/staff/content/{what}/{id}/delete", SiteAdmin, staff_content::delete),
        route!(GET "/activities", Public, activities::index),
        route!(GET "/activities.ics", Public, activities::calendar),
        route!(GET "/activities.csv", Public, activities::csv_export),
        route!(GET "/api/v1/activities", Public, activities::api),
        route!(GET "/activities/{id}", Public, activities::show),
        route!(GET "/activities/{id}/calendar.ics", Public, activities::activity_calendar),
        route!(POST "/activities/{id}/signup", Public, activities::sign_up),
        route!(GET "/activities/registrations/{code}", Public, activities::registration),
        route!(POST "/activities/registrations/{code}/cancel", Public, activities::cancel),
        route!(GET "/workshops", Public, workshops::index, cached(district, town, category, hiring, q, sort, page)),
        route!(GET "/workshops.csv", Public, workshops::csv_export, cached(district, town, category, hiring, q, sort)),
        route!(GET "/api/v1/workshops", Public, workshops::api, cached(district, town, category, hiring, q, sort, page)),
        route!(GET "/workshops/{slug}", Public, workshops::show),
        route!(POST "/workshops/{slug}/openings/{id}/signup", Public, workshops::sign_up),
        route!(GET "/workshops/{slug}/openings/{id}/signed-up", Public, workshops::signed_up),
        route!(GET "/stations/{id}", Public, wishes::stations::show, cached),
        route!(GET "/stations/{id}/poster", Public, wishes::stations::poster, cached),
        route!(GET "/wishes", Public, wishes::wall::show, cached(district, station, occupation, page)),
        route!(POST "/wishes", Public, wishes::posting::create),
        route!(GET "/wishes/new", Public, wishes::posting::form),
        route!(GET "/wishes/track", Public, wishes::tracking::lookup),
        route!(GET "/wishes/track/{code}", Public, wishes::tracking::show),
        route!(POST "/wishes/track/{code}/withdraw", Public, wishes::tracking::withdraw),
        route!(POST "/wishes/track/{code}/resubmit", Public, wishes::tracking::resubmit),
        route!(POST "/wishes/track/{code}/confirm", Public, wishes::tracking::confirm),
        route!(GET "/wishes/{id}", Public, wishes::claims::show, cached),
        route!(POST "/wishes/{id}/claim", SignedIn, wishes::claims::claim),
        route!(POST "/wishes/{id}/release", SignedIn, wishes::claims::release),
        route!(POST "/wishes/{id}/fulfil", SignedIn, wishes::claims::fulfil),
        route!(GET "/account/claims", SignedIn, wishes::claims::mine),
        route!(GET "/staff/wishes", Staff, staff_wishes::queue),
        route!(GET "/staff/wishes/{id}", WishStaff, staff_wishes::show),
        route!(POST "/staff/wishes/{id}/approve", WishStaff, staff_wishes::approve),
        route!(POST "/staff/wishes/{id}/reject", WishStaff, staff_wishes::reject),
        route!(POST "/staff/wishes/{id}/reopen", WishStaff, staff_wishes::reopen),
        route!(POST "/staff/wishes/{id}/new-code", WishStaff, staff_wishes::new_code),
        route!(POST "/staff/wishes/{id}/flags", WishStaff, staff_wishes::flags),
        route!(POST "/staff/wishes/{id}/follow-up", WishStaff, staff_wishes::follow_up),
        route!(POST "/staff/wishes/{id}/at-station", WishStaff, staff_wishes::at_station),
        route!(POST "/staff/wishes/{id}/take-back", WishStaff, staff_wishes::take_back),
        route!(POST "/staff/wishes/{id}/picked-up", WishStaff, staff_wishes::picked_up),
        route!(GET "/staff/workshops", Staff, staff_workshops::list),
        route!(GET "/staff/workshops/{slug}", WorkshopKeeper, staff_workshops::edit),
        route!(POST "/staff/workshops/{slug}", WorkshopKeeper, staff_workshops::update),
        route!(GET "/staff/workshops/{slug}/history", WorkshopKeeper, staff_workshops::history),
        route!(GET "/staff/workshops/{slug}/preview", WorkshopKeeper, workshops::preview),
        route!(POST "/staff/workshops/{slug}/restore", WorkshopKeeper, staff_workshops::restore),
        route!(GET "/staff/workshops/{slug}/figures/new", WorkshopKeeper, staff_content::new_workshop_figure),
        route!(POST "/staff/workshops/{slug}/figures/new", WorkshopKeeper, staff_content::create_workshop_figure),
        route!(POST "/staff/workshops/{slug}/openings", WorkshopKeeper, staff_workshops::create_opening),
        route!(POST "/staff/workshops/{slug}/openings/{id}/close", WorkshopKeeper, staff_workshops::close_opening),
        route!(POST "/staff/workshops/{slug}/signups/{id}", WorkshopKeeper, staff_workshops::set_status),
        route!(GET "/staff/workshops/{slug}/signups.csv", WorkshopKeeper, staff_workshops::export),
        route!(GET "/healthz", Public, health::check),
        route!(GET "/static/{file}", Public, assets::serve),
        route!(GET "/photos/{id}/{size}", Public, staff_photos::serve),
    ]
}

/// Registers the route table: one resource per path, holding each
/// method's route, so that a wrong method gets 405 rather than 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let table = routes();
    let mut paths: Vec<&'static str> = Vec::new();
    for r in &table {
        if !paths.contains(&r.path) {
            paths.push(r.path);
        }
    }
    for path in paths {
        let mut resource = web::resource(path);
        for r in table.iter().filter(|r| r.path == path) {
            let rule = r.access;
            let mut route = (r.handler)();
            if let Some(known) = r.cached {
                route = route.wrap(actix_web::middleware::from_fn(move |req, next| {
                    cache::serve_cached(known, req, next)
                }));
            }
            if r.method == Method::POST {
                route = route.wrap(actix_web::middleware::from_fn(cache::after_write));
            }
            let mut route = route.wrap(actix_web::middleware::from_fn(move |req, next| {
                auth::enforce(rule, req, next)
            }));
            // Every route that changes something checks its request's
            // origin and token first. (Methods no route takes, such as PUT
            // or DELETE, never get this far: they are answered 405.)
            if r.method != Method::GET {
                route = route.wrap(actix_web::middleware::from_fn(csrf::check));
            }
            resource = resource.route(route);
        }
        cfg.service(resource);
    }
}
