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
use crate::domain::MAX_PAGES;

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod backup;
pub mod console;
pub mod content;
pub mod districts;
pub(crate) mod events;
pub mod generate;
pub mod photos;
pub mod places;
pub mod revisions;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod sources;
pub mod territories;
pub mod throttle;
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
    async fn begin_write(&self) -> Result<WriteTx<Self::Database>, sqlx::Error>;
}

/// A write transaction. Statements take `&mut *tx`; `commit` ends it, and
/// dropping it rolls back. On SQLite it also holds this process's turn to
/// write: writers wait for each other in line here, woken the moment the
/// one before them finishes, instead of in SQLite's busy handler, which
/// sleeps 1–100 ms between tries (measured: wish posting went from about
/// 1,300 to over 2,000 per second).
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// One line of writers per SQLite file in this process.
fn write_turns(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};
    static TURNS: LazyLock<Mutex<HashMap<std::path::PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut turns = TURNS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    turns.entry(file).or_default().clone()
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Sqlite>, sqlx::Error> {
        let turn = write_turns(self).lock_owned().await;
        let tx = self.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: Some(turn) })
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTx { tx: self.begin().await?, _turn: None })
    }
}

/// How a pool behaves when the database is slow or gone.
#[derive(Clone, Debug)]
pub struct PoolLimits {
    pub max_connections: u32,
    /// How long a query waits for a connection (or for the database to
    /// come back) before it fails as unavailable.
    pub acquire_timeout: Duration,
    pub sqlite_max_mb: Option<u32>,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            sqlite_max_mb: None,
        }
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
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::WorkerCrashed
            // A connection cut while it was being made (seen: the SSL
            // request answered by a closed socket).
            | sqlx::Error::Protocol(_)
            | sqlx::Error::Tls(_) => DbError::Unavailable(e),
            sqlx::Error::Database(ref d) if d.code().as_deref().is_some_and(unavailable_code) => {
                DbError::Unavailable(e)
            }
            other => DbError::Query(other),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Error codes that mean "the database cannot serve now" rather than "this
/// query is wrong": SQLite's busy, I/O error, disk full and cannot-open
/// (primary codes, from an extended code); PostgreSQL's connection
/// exceptions (08…), insufficient resources (53…) and operator
/// intervention such as a shutdown (57P…).
fn unavailable_code(code: &str) -> bool {
    // PostgreSQL's SQLSTATEs are always five characters; SQLite's codes
    // are numbers of at most four digits.
    if code.len() == 5 {
        return code.starts_with("08") || code.starts_with("53") || code.starts_with("57P");
    }
    code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 10 | 13 | 14))
}

/// A value bound to a numbered placeholder of a query built from fixed
/// fragments (never from user text).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Int32(i32),
    OptInt32(Option<i32>),
    Float(f64),
    OptFloat(Option<f64>),
    Bool(bool),
    Date(chrono::NaiveDate),
    OptDate(Option<chrono::NaiveDate>),
    At(chrono::DateTime<chrono::Utc>),
}

/// `Arg::from` for each type a placeholder takes.
macro_rules! arg_from {
    ($($t:ty => $conv:expr;)*) => {
        $(impl From<$t> for Arg {
            fn from(x: $t) -> Arg {
                let convert: fn($t) -> Arg = $conv;
                convert(x)
            }
        })*
    };
}

arg_from! {
    &String => |s| Arg::Text(s.clone());
    &str => |s| Arg::Text(s.to_owned());
    String => Arg::Text;
    &Option<String> => |s| Arg::OptText(s.clone());
    i64 => Arg::Int;
    Option<i64> => Arg::OptInt;
    i32 => Arg::Int32;
    Option<i32> => Arg::OptInt32;
    f64 => Arg::Float;
    Option<f64> => Arg::OptFloat;
    bool => Arg::Bool;
    chrono::NaiveDate => Arg::Date;
    Option<chrono::NaiveDate> => Arg::OptDate;
    chrono::DateTime<chrono::Utc> => Arg::At;
}

/// `args![a, b, …]`: the values of a query's placeholders, in order.
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::db::Arg::from($a)),*] };
}
pub(crate) use args;

/// Binds `args` in order to a query or query_as of either backend.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::db::Arg::Text(s) => q.bind(s.clone()),
                $crate::db::Arg::OptText(s) => q.bind(s.clone()),
                $crate::db::Arg::Int(n) => q.bind(*n),
                $crate::db::Arg::OptInt(n) => q.bind(*n),
                $crate::db::Arg::Int32(n) => q.bind(*n),
                $crate::db::Arg::OptInt32(n) => q.bind(*n),
                $crate::db::Arg::Float(x) => q.bind(*x),
                $crate::db::Arg::OptFloat(x) => q.bind(*x),
                $crate::db::Arg::Bool(b) => q.bind(*b),
                $crate::db::Arg::Date(d) => q.bind(*d),
                $crate::db::Arg::OptDate(d) => q.bind(*d),
                $crate::db::Arg::At(t) => q.bind(*t),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// A listing query: one page in order and one row more (its OFFSET is
/// appended by [`fetch_page`]).
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub rows: String,
    pub args: Vec<Arg>,
}

/// One page of a listing. Nothing counts every match (a filter that
/// matches few rows would have to read every candidate): a page reads one
/// row past its end to know whether another follows.
#[derive(Debug)]
pub struct Paged<R> {
    pub rows: Vec<R>,
    /// The page shown, from 1 to [`MAX_PAGES`].
    pub page: i64,
    /// Another page follows (and may be shown: not past [`MAX_PAGES`]).
    pub more: bool,
    /// More matches follow this page, shown or not.
    beyond: bool,
    size: i64,
}

impl<R> Paged<R> {
    /// The number of matches, when this page shows the last of them (a
    /// page past the end, or the last page shown of more, knows nothing).
    pub fn total(&self) -> Option<i64> {
        (!self.beyond && (self.page == 1 || !self.rows.is_empty())).then(|| self.shown())
    }

    /// Matches up to the end of this page: a lower bound of the total.
    pub fn shown(&self) -> i64 {
        (self.page - 1) * self.size + self.rows.len() as i64
    }

    /// A page past the last match.
    pub fn past_end(&self) -> bool {
        self.rows.is_empty() && self.page > 1
    }
}

/// The SQL suffix of a listing of pages of `size` rows: one row more.
pub(crate) fn page_limit(size: i64) -> String {
    format!(" LIMIT {}", size + 1)
}

/// Reads page `page` (clamped to 1..=[`MAX_PAGES`]) of `size` rows of a
/// listing whose query ends in [`page_limit`]`(size)`.
pub(crate) async fn fetch_page<R>(
    db: &Db,
    query: &ListQuery,
    page: i64,
    size: i64,
) -> DbResult<Paged<R>>
where
    R: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    debug_assert!(query.rows.ends_with(&page_limit(size)), "{}", query.rows);
    let page = page.clamp(1, MAX_PAGES);
    let sql = format!("{} OFFSET {}", query.rows, (page - 1) * size);
    let mut rows: Vec<R> = on_db!(db, p => {
        let q = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql));
        bind_args!(q, &query.args).fetch_all(p).await?
    });
    let beyond = rows.len() as i64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(0));
    Ok(Paged { rows, page, more: beyond && page < MAX_PAGES, beyond, size })
}

/// `INSERT INTO … VALUES ($1, …), (…)` for `rows` rows of `cols` values.
pub(crate) fn insert_sql(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 6);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// `$from, $from+1, …` for `n` values, for an `IN (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

/// The plan the database chooses for `sql`, one line per step:
/// `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL.
pub async fn explain(db: &Db, sql: &str, args: &[Arg]) -> DbResult<String> {
    use sqlx::Row;
    let lines: Vec<String> = match db {
        Db::Sqlite(p) => {
            let q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
            let rows = bind_args!(q, args).fetch_all(p).await?;
            rows.iter().map(|r| r.try_get::<String, _>(3)).collect::<Result<_, _>>()?
        }
        Db::Postgres(p) => {
            let q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")));
            let rows = bind_args!(q, args).fetch_all(p).await?;
            rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?
        }
    };
    Ok(lines.join("\n"))
}

/// Run inside every transaction that changes what a public page shows:
/// the page caches of all instances compare this counter (see
/// `web::cache`). Posting a wish does not bump it (a new wish is pending,
/// not public), so the hottest write leaves the caches alone.
pub(crate) const BUMP_CONTENT: &str =
    "UPDATE content_version SET version = version + 1 WHERE id = 1";

/// A condition that keeps to items of published districts (`column`
/// names the item's district): an item of a draft district is no public
/// item, whatever its own state. A correlated lookup by the district's key,
/// not a join or an `IN`, so that no planner starts a listing's walk from
/// the districts or turns it into a semi-join over the whole table.
pub(crate) fn in_public_district(column: &str) -> String {
    format!("(SELECT pd.published FROM districts pd WHERE pd.id = {column}) = TRUE")
}

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
    /// Opens the database with default limits (tools and tests).
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Db, ConfigError> {
        Db::connect_with(url, &PoolLimits { max_connections, ..PoolLimits::default() }).await
    }

    /// Opens the database, creating the SQLite file and its folder when
    /// missing. Errors name `DATABASE_URL` and the cause in one line.
    pub async fn connect_with(url: &DatabaseUrl, limits: &PoolLimits) -> Result<Db, ConfigError> {
        let max_connections = limits.max_connections;
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
                // A cap on the file (SQLite counts 4 KiB pages): writes past
                // it fail as "disk full", which readers see as unavailable.
                let options = match limits.sqlite_max_mb {
                    Some(mb) => options.pragma("max_page_count", (u64::from(mb) * 256).to_string()),
                    None => options,
                };
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(limits.acquire_timeout)
                    // A file, not a network peer: a connection cannot go
                    // stale, so no ping before every use.
                    .test_before_acquire(false)
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
                // Search cuts text into characters with substr and ascii,
                // which count characters only in UTF-8.
                let mut probe = probe;
                let encoding: String = sqlx::query_scalar("SHOW server_encoding")
                    .fetch_one(&mut probe)
                    .await
                    .map_err(|e| cannot(e.to_string()))?;
                if encoding != "UTF8" {
                    return Err(fail(format!(
                        "the PostgreSQL database at {} uses the {encoding} encoding; linli needs \
                         UTF8 (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)",
                        url.redacted()
                    )));
                }
                probe.close().await.ok();
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(limits.acquire_timeout)
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

    /// A row-locking clause (` FOR UPDATE`, ` FOR UPDATE OF s`) on
    /// PostgreSQL; nothing on SQLite, whose write transaction holds the
    /// whole database already.
    pub(crate) fn row_lock(&self, clause: &'static str) -> &'static str {
        match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => clause,
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
        on_db!(self, p => p.close().await);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_knows_its_total_only_when_nothing_follows() {
        let page = |rows: usize, page: i64, beyond: bool| Paged {
            rows: vec![0; rows],
            page,
            more: beyond && page < MAX_PAGES,
            beyond,
            size: 20,
        };
        assert_eq!(page(7, 1, false).total(), Some(7));
        assert_eq!(page(0, 1, false).total(), Some(0), "nothing found is a total");
        assert_eq!(page(20, 1, true).total(), None);
        assert_eq!(page(20, 1, true).shown(), 20);
        assert_eq!(page(5, 3, false).total(), Some(45));
        assert!(page(0, 4, false).past_end() && page(0, 4, false).total().is_none());
        // The last page shown of more matches: no next link, and no total.
        let last = page(20, MAX_PAGES, true);
        assert!(!last.more && last.total().is_none());
        assert_eq!(last.shown(), 1_000);
    }

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

    #[test]
    fn numbered_placeholders() {
        assert_eq!(
            insert_sql("INSERT INTO t (a, b)", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
        assert_eq!(placeholders(3, 3), "$3,$4,$5");
    }

    #[test]
    fn unavailable_codes() {
        for code in ["5", "13", "266", "14", "08006", "57P01", "53300"] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["19", "2067", "1", "23505", "42P01", "22001"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
