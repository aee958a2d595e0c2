//! `/staff/audit`: the audit log for site admins, filtered by who, kind
//! of item, item and date range, a page at a time, and exported as CSV
//! (the export is itself audited).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::view::Pager;
use super::view::edit::when;
use super::{AppError, Ctx, csv, render_with_status};
use crate::db;
use crate::db::audit::{AuditLine, EXPORT_MAX};
use crate::domain::audit::{AuditParams, KINDS};
use crate::domain::{FormErrors, page_number};
use crate::web::AppState;

/// One row as the viewer shows it.
pub struct AuditView {
    pub at: String,
    pub who: String,
    /// The action in words (its code when the catalogue has none).
    pub action: String,
    pub code: String,
    pub object: String,
    /// A link to the item's staff page, when it has one.
    pub href: Option<String>,
    pub detail: String,
}

fn action_label(ctx: &Ctx, code: &str) -> String {
    let key = format!("audit.action.{code}");
    if crate::i18n::has_key(ctx.lang, &key) { ctx.t(&key).to_owned() } else { code.to_owned() }
}

fn view(ctx: &Ctx, line: &AuditLine) -> AuditView {
    let href = match line.object.split_once(':') {
        Some(("place", id)) => Some(format!("/staff/places/{id}/history")),
        Some(("wish", id)) => Some(format!("/staff/wishes/{id}")),
        Some(("workshop", slug)) => Some(format!("/staff/workshops/{slug}")),
        Some(("activity", id)) => Some(format!("/staff/activities/{id}")),
        _ => None,
    };
    AuditView {
        at: when(line.at),
        who: match (&line.actor_name, line.actor_id) {
            (Some(name), Some(id)) => format!("{name} (#{id})"),
            (None, Some(id)) => format!("#{id}"),
            _ => ctx.t("audit.nobody").to_owned(),
        },
        action: action_label(ctx, &line.action),
        code: line.action.clone(),
        object: line.object.clone(),
        href,
        detail: line.detail.clone(),
    }
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    ctx: Ctx,
    params: AuditParams,
    errors: FormErrors,
    staff: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<AuditView>,
    pager: Pager,
    export: String,
}

fn params_of(req: &HttpRequest) -> AuditParams {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

pub async fn list(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let params = params_of(&req);
    let (filter, errors) = params.parse();
    let page = page_number(&params.page).unwrap_or(1);
    let paged = db::audit::page(&state.db, &filter, page).await?;
    let query = params.query();
    let href = |n: i64| {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("/staff/audit?{query}{sep}page={n}")
    };
    let pager = Pager::new(&paged, href);
    let staff = db::audit::staff_members(&state.db)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), format!("{name} (#{id})")))
        .collect();
    let page = AuditPage {
        rows: paged.rows.iter().map(|l| view(&ctx, l)).collect(),
        kinds: KINDS.iter().map(|k| (*k, ctx.t(&format!("audit.kind.{k}")))).collect(),
        export: if query.is_empty() {
            "/staff/audit.csv".to_owned()
        } else {
            format!("/staff/audit.csv?{query}")
        },
        params,
        errors,
        staff,
        pager,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

/// The filtered log as CSV, newest first; the export is audited with the
/// filters it used.
pub async fn export(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let params = params_of(&req);
    let (filter, errors) = params.parse();
    if !errors.is_empty() {
        // The viewer shows what was wrong; nothing is exported.
        return Ok(super::see_other(&format!("/staff/audit?{}", params.query())));
    }
    let mut rows =
        db::audit::export(&state.db, &filter, me.id, &params.query(), Utc::now()).await?;
    let cut = rows.len() as i64 > EXPORT_MAX;
    rows.truncate(usize::try_from(EXPORT_MAX).unwrap_or(0));
    let mut lines: Vec<Vec<String>> = rows
        .iter()
        .map(|l| {
            let v = view(&ctx, l);
            vec![l.id.to_string(), v.at, v.who, v.code, v.action, v.object, v.detail]
        })
        .collect();
    if cut {
        lines.push(vec![String::new(), ctx.t("audit.export_cut").to_owned()]);
    }
    let head = [
        ctx.t("audit.col.id"),
        ctx.t("audit.col.at"),
        ctx.t("audit.col.who"),
        ctx.t("audit.col.code"),
        ctx.t("audit.col.action"),
        ctx.t("audit.col.object"),
        ctx.t("audit.col.detail"),
    ];
    Ok(csv::staff_download("audit.csv", csv::document(&head, &lines)))
}
