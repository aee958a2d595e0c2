//! `/healthz`: is this instance able to serve? Checks the database, and
//! tells how its page cache is doing (hits, renders, bytes held), which the
//! benchmark reads for the cache's hit rate.

use actix_web::{HttpResponse, web};

use crate::web::AppState;

pub async fn check(state: web::Data<AppState>) -> HttpResponse {
    let page_cache = state.cache.stats();
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(
            serde_json::json!({ "status": "ok", "database": "ok", "page_cache": page_cache }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}
