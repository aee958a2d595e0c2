//! Test harness: the real application on a free port with a fresh
//! database, on SQLite always and on PostgreSQL when `LINLI_TEST_PG` holds
//! a server URL (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
//! Under CI (`CI=true`) a missing `LINLI_TEST_PG` fails the PostgreSQL
//! tests instead of skipping them.
#![allow(dead_code)]

use std::future::Future;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use linli::config::{DatabaseUrl, Settings};
use linli::db::Db;
use linli::startup::Application;
use sqlx::Connection;

mod fixtures;
#[allow(unused_imports, reason = "each test binary uses some of them")]
pub use fixtures::{LogCapture, PASSWORD, Persona, STATION, Wish, race};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: Db,
    pub backend: Backend,
    /// The database the app runs on (a second instance can share it).
    pub database_url: String,
    /// Keeps cookies, follows no redirects: each step is asserted.
    pub client: reqwest::Client,
}

/// What is needed to tear an app down after its test, even one that panicked.
struct Teardown {
    handle: ServerHandle,
    db: Db,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The PostgreSQL server URL for tests, or `None` to skip (never under CI).
pub fn pg_server_url() -> Option<String> {
    match std::env::var("LINLI_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if in_ci() => {
            panic!("CI=true but LINLI_TEST_PG is not set: PostgreSQL tests must run in CI")
        }
        _ => None,
    }
}

/// `postgres://u@h:5432/anything?x` → `postgres://u@h:5432/{db}?x`.
pub fn with_database(server_url: &str, db: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server_url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..].find('/').map(|i| i + after_scheme).unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..host_end])
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Creates a uniquely named database and drops leftovers older than an
/// hour (from runs that were killed before their teardown).
pub async fn create_pg_database(server: &str) -> String {
    let mut admin = sqlx::PgConnection::connect(server).await.expect("connect to LINLI_TEST_PG");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'linli_test_%'")
            .fetch_all(&mut admin)
            .await
            .unwrap();
    for name in names {
        let born = name.split('_').nth(2).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
        if born + 3600 < unix_now() {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
        }
    }
    let name = format!("linli_test_{}_{:08x}", unix_now(), rand_u32());
    let sql = format!("CREATE DATABASE \"{name}\"");
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
    admin.close().await.ok();
    name
}

pub async fn drop_pg_database(server: &str, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(server).await {
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
        admin.close().await.ok();
    }
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).unwrap();
    u32::from_le_bytes(b)
}

pub fn test_settings(database_url: String) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        database_url: DatabaseUrl(database_url),
        secret: None,
        base_url: "http://127.0.0.1".into(),
        workers: Some(1),
        db_max_connections: 5,
        seed_on_start: true,
        login_max_failures: 10,
        login_window_secs: 900,
        registrations_per_hour: 1000,
        trusted_proxies: Vec::new(),
        signups_per_hour: 1000,
        signups_per_phone_per_hour: 1000,
        signup_phone_days: 180,
        claim_limit: 3,
        claim_lapse_days: 7,
        wish_expiry_days: 60,
        wish_phone_days: 30,
        wishes_per_hour: 1000,
        wishes_per_phone_per_hour: 1000,
        wishes_per_station_per_hour: 1000,
        track_lookups_per_hour: 10_000,
        page_cache_mb: 4,
        // Every cached page asks the database, so a test sees its own
        // writes at once (production checks once a second).
        cache_recheck_ms: 0,
        db_timeout_ms: 1500,
        sqlite_max_mb: None,
        head_timeout_ms: 5_000,
        body_timeout_ms: 10_000,
        keep_alive_secs: 5,
        max_connections: 10_000,
    }
}

async fn spawn(backend: Backend, tweak: fn(&mut Settings)) -> Option<(TestApp, Teardown)> {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("linli.db").display()), None),
        Backend::Postgres => {
            let server = pg_server_url()?;
            let name = create_pg_database(&server).await;
            (with_database(&server, &name), Some((server, name)))
        }
    };
    let mut settings = test_settings(url.clone());
    tweak(&mut settings);
    let app = Application::build(settings).await.expect("the application starts");
    let port = app.port();
    let db = app.db().clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let test_app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        db: db.clone(),
        backend,
        database_url: url.clone(),
        client,
    };
    Some((test_app, Teardown { handle, db, pg, _dir: dir }))
}

/// Runs one test body against a fresh app on `backend`, then stops the
/// app, closes its pool and drops its database, whether the body passed
/// or panicked.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    run_with(backend, |_| {}, test).await;
}

/// The same, with settings changed first (e.g. a lower limit).
pub async fn run_with<F, Fut>(backend: Backend, tweak: fn(&mut Settings), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    let Some((app, teardown)) = spawn(backend, tweak).await else {
        eprintln!("skipped on PostgreSQL: set LINLI_TEST_PG to run it");
        return;
    };
    // Test bodies hold parsed HTML (not Send) across awaits, so they run
    // on a local task; a panic comes back as a JoinError either way.
    let local = tokio::task::LocalSet::new();
    let result = local.run_until(async move { tokio::task::spawn_local(test(app)).await }).await;
    teardown.handle.stop(false).await;
    teardown.db.close().await;
    if let Some((server, name)) = &teardown.pg {
        drop_pg_database(server, name).await;
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares each named `async fn(TestApp)` as two tests, `name::sqlite`
/// and `name::postgres`, with the same body. `name with |s| …` first
/// changes the settings (a lower limit, say).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident $(with $tweak:expr)?),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let tweak: fn(&mut linli::config::Settings) =
                    $crate::on_both_databases!(@tweak $($tweak)?);
                $crate::common::run_with($crate::common::Backend::Sqlite, tweak, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let tweak: fn(&mut linli::config::Settings) =
                    $crate::on_both_databases!(@tweak $($tweak)?);
                $crate::common::run_with($crate::common::Backend::Postgres, tweak, super::$name)
                    .await
            }
        }
    )*};
    (@tweak) => { |_| {} };
    (@tweak $tweak:expr) => { $tweak };
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        match self.client.get(self.url(path)).send().await {
            Ok(res) => res,
            // A pooled connection the server closed as idle just as it was
            // reused (a GET is safe to send again).
            Err(e) if e.is_request() || e.is_connect() => {
                self.client.get(self.url(path)).send().await.expect("request sent")
            }
            Err(e) => panic!("request sent: {e}"),
        }
    }

    /// GET a page and return its status and parsed HTML.
    pub async fn page(&self, path: &str) -> (u16, scraper::Html) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        (status, scraper::Html::parse_document(&body))
    }

    /// The CSRF token of the first form on a page (and the session cookie
    /// that goes with it, kept by the client).
    pub async fn csrf_token(&self, page: &str) -> String {
        let (_, html) = self.page(page).await;
        let sel = scraper::Selector::parse("input[name=csrf_token]").unwrap();
        html.select(&sel)
            .next()
            .and_then(|e| e.attr("value"))
            .unwrap_or_else(|| panic!("{page} has no csrf_token field"))
            .to_owned()
    }

    /// POSTs a form with a fresh CSRF token taken from `from_page`.
    pub async fn post_form(
        &self,
        from_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(from_page).await;
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        self.client.post(self.url(path)).form(&body).send().await.expect("request sent")
    }

    /// A new client with its own cookies, like a second browser.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Creates a user straight in the database, with roles.
    pub async fn user(
        &self,
        name: &str,
        phone: &str,
        password: &str,
        roles: &[linli::domain::Role],
    ) -> i64 {
        use linli::domain::account::{DisplayName, NewVolunteer, Password, Phone};
        let v = NewVolunteer {
            display_name: DisplayName::parse(name).unwrap(),
            phone: Some(Phone::parse(phone).unwrap()),
            email: None,
            password: Password::parse(password, Default::default()).unwrap(),
            organisation: None,
            party_member: false,
        };
        let hash = linli::domain::password_hash::hash(password).unwrap();
        let now = chrono::Utc::now();
        let id = linli::db::accounts::create_volunteer(&self.db, &v, &hash, now).await.unwrap();
        for role in roles {
            linli::db::accounts::grant(&self.db, id, role, None, now).await.unwrap();
        }
        id
    }

    /// The same app seen from a fresh anonymous browser.
    pub fn new_anonymous(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            port: self.port,
            db: self.db.clone(),
            backend: self.backend,
            database_url: self.database_url.clone(),
            client: self.new_client(),
        }
    }

    /// A new client, signed in through the sign-in form.
    pub async fn signed_in(&self, login: &str, password: &str) -> TestApp {
        let other = self.new_anonymous();
        let res = other
            .post_form(
                "/account/login",
                "/account/login",
                &[("login", login), ("password", password)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "sign-in as {login} failed");
        other
    }

    /// A second instance of the portal on the same database (as behind a
    /// load balancer), its settings changed by `tweak` like the first's,
    /// with a fresh anonymous client. Stop it with the handle when done.
    pub async fn second_instance(&self, tweak: fn(&mut Settings)) -> (TestApp, ServerHandle) {
        let mut settings = test_settings(self.database_url.clone());
        tweak(&mut settings);
        let app = Application::build(settings).await.expect("the second instance starts");
        let port = app.port();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let other = TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db: self.db.clone(),
            backend: self.backend,
            database_url: self.database_url.clone(),
            client: self.new_client(),
        };
        (other, handle)
    }

    /// Switches this client's language through the visible switch link.
    pub async fn switch_lang(&self, code: &str) {
        let res = self.get(&format!("/prefs/lang/{code}?next=/")).await;
        assert_eq!(res.status().as_u16(), 303);
    }

    /// The id of the place with this stable code.
    pub async fn place_id(&self, code: &str) -> i64 {
        scalar_with(&self.db, "SELECT id FROM places WHERE code = $1", code).await
    }
}

/// Every text of the elements matching `selector`, whitespace-trimmed.
pub fn texts(html: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

pub fn text(html: &scraper::Html, selector: &str) -> String {
    texts(html, selector).into_iter().next().unwrap_or_else(|| panic!("no element {selector}"))
}

/// One value from the database, on either backend.
pub async fn scalar<T>(db: &Db, sql: &'static str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// One value, for a query with one text parameter (`$1`).
pub async fn scalar_with<T>(db: &Db, sql: &'static str, arg: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).bind(arg).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).bind(arg).fetch_one(p).await.unwrap(),
    }
}

/// One value, for a query with one id parameter (`$1`).
pub async fn scalar_for_id<T>(db: &Db, sql: &'static str, id: i64) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
    }
}

/// A column of values, on either backend.
pub async fn column<T>(db: &Db, sql: &'static str) -> Vec<T>
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

/// Many statements at once, built by a test (bulk fixtures), on either
/// backend. Never with text from outside the test.
#[allow(clippy::disallowed_methods, reason = "a test's own fixture script, no input in it")]
pub async fn exec_script(db: &Db, sql: String) {
    match db {
        Db::Sqlite(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

pub async fn count(db: &Db, sql: &'static str) -> i64 {
    scalar(db, sql).await
}

/// Runs a statement straight on the database (to set up or age data),
/// then bumps the content version as every writer of public content does,
/// so cached pages show the change.
pub async fn exec(db: &Db, sql: &'static str) {
    exec_quietly(db, sql).await;
    exec_quietly(db, "UPDATE content_version SET version = version + 1").await;
}

/// A statement straight on the database, leaving the page caches alone.
pub async fn exec_quietly(db: &Db, sql: &'static str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

/// The `linli` binary serving in its own process, on a free port.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    pub address: String,
    /// The rest of its log, read on a thread so the pipe never fills.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `linli serve` on `database_url` with extra settings and
    /// waits until it says where it listens.
    pub fn start(database_url: &str, envs: &[(&str, &str)]) -> Server {
        use std::io::BufRead;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_linli"));
        cmd.env("DATABASE_URL", database_url)
            .env("LINLI_BIND", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env("LINLI_WISHES_PER_HOUR", "1000000")
            .env("LINLI_WISHES_PER_STATION_PER_HOUR", "1000000")
            .env("LINLI_WISHES_PER_PHONE_PER_HOUR", "1000000")
            .env_remove("LINLI_SECRET")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the linli binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut port = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.contains("listening on") {
                let at = line.find("127.0.0.1:").expect("the address in the log") + 10;
                let digits: String = line[at..].chars().take_while(char::is_ascii_digit).collect();
                port = Some(digits.parse::<u16>().unwrap());
                break;
            }
        }
        let port = port.expect("the server said where it listens");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, port, address: format!("http://127.0.0.1:{port}"), log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client like a browser: keeps cookies, follows no redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token in a page's first form.
pub fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    attr(&doc, "input[name=csrf_token]", "value")
}

/// The attribute `name` of every element matching `selector`.
pub fn attrs(html: &scraper::Html, selector: &str, name: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel).filter_map(|e| e.attr(name)).map(str::to_owned).collect()
}

/// An attribute of the first element matching `selector`.
pub fn attr(html: &scraper::Html, selector: &str, name: &str) -> String {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .next()
        .and_then(|e| e.attr(name))
        .unwrap_or_else(|| panic!("no {selector}[{name}]"))
        .to_owned()
}

/// The fields of the POST form whose action is `action`, as a browser
/// sends them back unchanged (inputs, text areas, chosen options, ticked
/// boxes only).
pub fn form_fields_of(html: &scraper::Html, action: &str) -> Vec<(String, String)> {
    let form = format!("form[method=post][action='{action}']");
    let sel = |s: &str| scraper::Selector::parse(&format!("{form} {s}")).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for e in html.select(&sel("input")) {
        let Some(name) = e.attr("name") else { continue };
        if e.attr("type") == Some("checkbox") && e.attr("checked").is_none() {
            continue;
        }
        out.push((name.to_owned(), e.attr("value").unwrap_or("").to_owned()));
    }
    for e in html.select(&sel("textarea")) {
        out.push((e.attr("name").unwrap().to_owned(), e.text().collect()));
    }
    let option = scraper::Selector::parse("option[selected]").unwrap();
    for e in html.select(&sel("select")) {
        let value = e.select(&option).next().and_then(|o| o.attr("value")).unwrap_or("");
        out.push((e.attr("name").unwrap().to_owned(), value.to_owned()));
    }
    out
}
