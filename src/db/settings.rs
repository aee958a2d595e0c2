//! Values the application keeps in its own database, shared by every
//! instance that uses the same database.

use chrono::Utc;

use super::{Db, DbResult, on_db};

const COOKIE_SECRET: &str = "cookie_secret";

/// The version of what public pages show (see [`super::BUMP_CONTENT`]).
#[tracing::instrument(name = "db::settings::content_version", skip_all)]
pub async fn content_version(db: &Db) -> DbResult<i64> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT version FROM content_version WHERE id = 1",
    ).fetch_one(p).await?))
}

/// Returns the stored cookie key, storing `candidate` first when there is
/// none. Several instances starting at once all end up with the one value
/// that won the insert.
#[tracing::instrument(name = "db::settings::cookie_secret_or_insert", skip_all)]
pub async fn cookie_secret_or_insert(db: &Db, candidate: &str) -> DbResult<String> {
    let now = Utc::now();
    let value = on_db!(db, p => {
        sqlx::query(
            "INSERT INTO app_settings (key, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(COOKIE_SECRET)
        .bind(candidate)
        .bind(now)
        .execute(p)
        .await?;
        sqlx::query_scalar::<_, String>("SELECT value FROM app_settings WHERE key = $1")
            .bind(COOKIE_SECRET)
            .fetch_one(p)
            .await?
    });
    Ok(value)
}
