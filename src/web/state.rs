//! What every handler can reach, built by `startup` and handed to actix.

use crate::config::{Secret, Settings};
use crate::db::{self, Db};

/// What every handler can reach. Holds no per-user state: several
/// instances on one PostgreSQL serve the same portal.
pub struct AppState {
    pub db: Db,
    pub settings: Settings,
    /// The cookie key, from `LINLI_SECRET` or shared through the database.
    pub secret: Secret,
    /// Rendered anonymous pages (see `web::cache`).
    pub cache: super::cache::PageCache,
    /// Wish posts, stored in batches by one task.
    pub posts: db::wishes::PostQueue,
    /// Password hashing, bounded (see `web::passwords`).
    pub hashing: super::passwords::Hashing,
}
