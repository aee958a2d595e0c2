//! HTTP: the route table, handlers (one file per area), extractors and the
//! one error type. Handlers parse input, make one `db` call and render one
//! template.

use actix_web::http::Method;
use actix_web::web;

pub mod assets;
pub mod ctx;
pub mod districts;
pub mod errors;
pub mod health;
pub mod home;
pub mod middleware;
pub mod places;
pub mod prefs;
pub mod view;

pub use ctx::Ctx;
pub use errors::AppError;

/// Who may use a route. Later areas add signed-in and staff rules; the
/// access-matrix test walks this table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with or without an account.
    Public,
}

/// One row of the route table: startup registers from it, tests walk it.
pub struct RouteDef {
    pub method: Method,
    /// The actix path pattern; also what request logs name.
    pub path: &'static str,
    pub access: Access,
    pub handler: fn() -> actix_web::Route,
}

macro_rules! route {
    ($method:ident $path:literal, $access:ident, $handler:path) => {
        RouteDef {
            method: Method::$method,
            path: $path,
            access: Access::$access,
            handler: || web::method(Method::$method).to($handler),
        }
    };
}

/// Every route of the portal.
pub fn routes() -> Vec<RouteDef> {
    vec![
        route!(GET "/", Public, home::page),
        route!(GET "/districts", Public, districts::index),
        route!(GET "/districts/{slug}", Public, districts::show),
        route!(GET "/places/{id}", Public, places::show),
        route!(GET "/prefs/lang/{code}", Public, prefs::set_lang),
        route!(GET "/prefs/text/{size}", Public, prefs::set_text_size),
        route!(GET "/healthz", Public, health::check),
        route!(GET "/static/{file}", Public, assets::serve),
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
            resource = resource.route((r.handler)());
        }
        cfg.service(resource);
    }
}

/// Renders a page template as the response: HTML that depends on the
/// reader's language and text-size cookies, so it is revalidated each time.
pub fn render(page: &impl askama::Template) -> Result<actix_web::HttpResponse, AppError> {
    let body = page.render()?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "private, no-cache"))
        .insert_header(("Vary", "Cookie, Accept-Language"))
        .body(body))
}
