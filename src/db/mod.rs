//! The only place that speaks SQL.
//!
//! One [`Db`] holds either an SQLite or a PostgreSQL pool. Queries are
//! written once, with `$1…` placeholders that both accept, and compiled for
//! each pool by [`on_db!`]. Each public function is one use case that owns
//! its transaction, so no transaction crosses a function boundary.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::config::{ConfigError, DatabaseUrl};

pub mod accounts;
pub mod backup;
pub mod districts;
pub mod seed;
pub mod settings;
pub mod wishes;
pub mod workshops;

/// Runs the same body for whichever pool `$db` holds; inside, `$p` is the
/// concrete pool, so the body is type-checked for each backend.
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_db;

/// Starts a transaction that will write. SQLite must take its write lock
/// at the start (`BEGIN IMMEDIATE`), or a transaction that reads first
/// fails with "database is locked" when another writes in between;
/// PostgreSQL needs nothing special. This is the one dialect split for
/// transactions.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What went wrong talking to the database. `Unavailable` means the
/// database could not be reached at all (the page says "try again
/// shortly"); anything else is a fault of ours.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("database query failed")]
    Query(#[source] sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                DbError::Unavailable(e)
            }
            other => DbError::Query(other),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend, ConfigError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(ConfigError::new(
                "DATABASE_URL",
                format!(
                    "unknown scheme '{scheme}': use sqlite://path/to/file.db or postgres://user@host/database"
                ),
            )),
        }
    }
}

/// The file path of an SQLite URL (`sqlite://data/linli.db` → `data/linli.db`).
fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    rest.split('?').next().unwrap_or(rest)
}

impl Db {
    /// Opens the database, creating the SQLite file and its folder when
    /// missing. Errors name `DATABASE_URL` and the cause in one line.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Db, ConfigError> {
        let fail = |what: String| ConfigError::new("DATABASE_URL", what);
        match Backend::of(url.as_str())? {
            Backend::Sqlite => {
                let path = sqlite_path(url.as_str());
                if path.is_empty() || path == ":memory:" || path.starts_with("file::memory") {
                    return Err(fail(
                        "an in-memory SQLite database would be empty for every connection; give a file path".into(),
                    ));
                }
                if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        fail(format!("cannot create the data folder '{}': {e}", dir.display()))
                    })?;
                }
                let options = SqliteConnectOptions::from_str(url.as_str())
                    .map_err(|e| fail(format!("not a valid SQLite URL: {e}")))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|e| fail(format!("cannot open the SQLite database '{path}': {e}")))?;
                Ok(Db::Sqlite(pool))
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url.as_str())
                    .map_err(|e| fail(format!("not a valid PostgreSQL URL: {e}")))?;
                let cannot = |cause: String| {
                    fail(format!("cannot connect to PostgreSQL at {}: {cause}", url.redacted()))
                };
                // One direct connection first: a pool would only report
                // "timed out", hiding the cause (refused, unknown host,
                // no such database, authentication).
                let probe = tokio::time::timeout(
                    Duration::from_secs(10),
                    PgConnection::connect_with(&options),
                )
                .await
                .map_err(|_| cannot("no answer within 10 seconds".into()))?
                .map_err(|e| cannot(e.to_string()))?;
                probe.close().await.ok();
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|e| cannot(e.to_string()))?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations embedded in the binary for this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> DbResult<()> {
        on_db!(self, p => {
            sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(p).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(Backend::of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("sqlite:x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("postgres://u@h/d").unwrap(), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://u@h/d").unwrap(), Backend::Postgres);
        let e = Backend::of("mysql://u@h/d").unwrap_err();
        assert_eq!(e.setting, "DATABASE_URL");
        assert!(e.message.contains("mysql"));
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://data/linli.db"), "data/linli.db");
        assert_eq!(sqlite_path("sqlite:///tmp/a.db?mode=rwc"), "/tmp/a.db");
        assert_eq!(sqlite_path("sqlite:a.db"), "a.db");
    }
}
