//! Backups. SQLite: an online, consistent copy (`VACUUM INTO`) taken while
//! the server runs. PostgreSQL: `pg_dump` in its custom format.

use std::path::Path;

use super::{Db, DbResult, on_db};

/// Writes a consistent copy of an SQLite database to `to` (which must not
/// exist yet). Readers and writers carry on meanwhile.
#[tracing::instrument(name = "db::backup::sqlite_copy", skip_all)]
pub async fn sqlite_copy(db: &Db, to: &Path) -> DbResult<()> {
    let target = to.to_string_lossy().into_owned();
    on_db!(db, p => {
        sqlx::query("VACUUM INTO $1").bind(target).execute(p).await?;
    });
    Ok(())
}
