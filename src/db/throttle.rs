//! Throttling counters: fixed windows per bucket, shared by every
//! instance. Buckets are keyed hashes, never a phone or an address.
//! Counting and checking is one statement ([`ADD_HITS`] returns the total).

use super::{Db, DbResult, on_db};

/// Adds `$3` hits to a throttling counter (`$1` bucket, `$2` window
/// start) and returns the window's total.
pub(crate) const ADD_HITS: &str = "INSERT INTO rate_limits (bucket, window_start, hits) \
     VALUES ($1, $2, $3) ON CONFLICT (bucket, window_start) \
     DO UPDATE SET hits = rate_limits.hits + excluded.hits RETURNING hits";

/// Adds one hit to a throttling counter and returns the window's total.
#[tracing::instrument(name = "db::throttle::hit", skip_all)]
pub async fn hit(db: &Db, bucket: &str, window_start: i64) -> DbResult<i64> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(ADD_HITS)
        .bind(bucket).bind(window_start).bind(1i64).fetch_one(p).await?))
}

/// Takes back `$3` hits from a throttling counter (`$1` bucket, `$2`
/// window start), never below zero.
pub(crate) const TAKE_BACK_HITS: &str = "UPDATE rate_limits SET hits = hits - $3 \
     WHERE bucket = $1 AND window_start = $2 AND hits >= $3";

/// Takes back one hit (an attempt that turned out not to count).
#[tracing::instrument(name = "db::throttle::unhit", skip_all)]
pub async fn unhit(db: &Db, bucket: &str, window_start: i64) -> DbResult<()> {
    on_db!(db, p => {
        sqlx::query(TAKE_BACK_HITS).bind(bucket).bind(window_start).bind(1i64).execute(p).await?;
    });
    Ok(())
}
