//! The SQLite and PostgreSQL migrations must build the same tables, with
//! the same columns, nullability and indexes.

mod common;

use std::collections::BTreeSet;

use linli::config::DatabaseUrl;
use linli::db::Db;

#[test]
fn both_migration_folders_have_the_same_files() {
    let list = |dir: &str| -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = list("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list("postgres"));
}

type Columns = BTreeSet<(String, String, bool)>;

async fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl(format!("sqlite://{}", dir.path().join("s.db").display()));
    let db = Db::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let rows: Vec<(String, String, bool, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.\"notnull\", p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let columns = rows.into_iter().map(|(t, c, notnull, pk)| (t, c, notnull || pk > 0)).collect();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    db.close().await;
    (columns, indexes.into_iter().collect())
}

async fn postgres_schema(server: &str) -> (Columns, BTreeSet<String>) {
    let name = common::create_pg_database(server).await;
    let url = DatabaseUrl(common::with_database(server, &name));
    let db = Db::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let Db::Postgres(pool) = &db else { unreachable!() };
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let columns = rows.into_iter().map(|(t, c, n)| (t, c, n == "NO")).collect();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key' \
         AND tablename <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    db.close().await;
    common::drop_pg_database(server, &name).await;
    (columns, indexes.into_iter().collect())
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to compare the schemas");
        return;
    };
    let (lite_cols, lite_idx) = sqlite_schema().await;
    let (pg_cols, pg_idx) = postgres_schema(&server).await;
    assert!(lite_cols.len() > 30, "{lite_cols:?}");
    let only_lite: Vec<_> = lite_cols.difference(&pg_cols).collect();
    let only_pg: Vec<_> = pg_cols.difference(&lite_cols).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "columns (table, column, not null) only in SQLite: {only_lite:?}; only in PostgreSQL: {only_pg:?}"
    );
    assert_eq!(lite_idx, pg_idx, "indexes differ");
}

/// Search cuts text into characters with `substr` and `ascii`, which count
/// characters only in UTF-8: a database in another encoding is refused at
/// connect, with what to do, instead of silently finding nothing.
#[tokio::test]
async fn a_postgresql_database_not_in_utf8_is_refused() {
    use sqlx::Connection;
    let Some(server) = common::pg_server_url() else { return };
    let name = format!(
        "linli_test_{}_ascii",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
    );
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    let create = format!("CREATE DATABASE \"{name}\" ENCODING 'SQL_ASCII' TEMPLATE template0");
    sqlx::query(sqlx::AssertSqlSafe(create)).execute(&mut admin).await.unwrap();
    let url = DatabaseUrl(common::with_database(&server, &name));
    let Err(err) = Db::connect(&url, 1).await else { panic!("a SQL_ASCII database is refused") };
    let message = err.to_string();
    assert!(message.contains("SQL_ASCII") && message.contains("UTF8"), "{message}");
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut admin).await.unwrap();
}

/// Wishes as they stood before 0016: one staff were following up
/// (fulfilled, `needs_attention`), one fulfilled and done, one claimed.
const BEFORE_0016: &str = "\
INSERT INTO districts (slug, kind, name_zh, summary_zh, created_at, updated_at) \
    VALUES ('xihu', 'district', '西湖区', '', '2026-11-01 10:00:00+00', '2026-11-01 10:00:00+00');
INSERT INTO places (district_id, code, kind, name_zh, summary_zh, address_zh, created_at, updated_at) \
    SELECT id, 'st', 'love_station', '驿站', '', '', created_at, updated_at FROM districts;
INSERT INTO wishes (station_id, district_id, status, what, display_name, occupation, code_hash, \
    closed_at, needs_attention, created_at, updated_at) \
    SELECT p.id, p.district_id, v.status, v.what, '陈大姐', 'sanitation', v.what, v.closed_at, \
        v.attention, p.created_at, p.updated_at \
    FROM places p, (SELECT 1 AS n, 'fulfilled' AS status, '跟进中' AS what, \
            '2026-11-02 10:00:00+00' AS closed_at, TRUE AS attention \
        UNION ALL SELECT 2, 'fulfilled', '已送到', '2026-11-02 10:00:00+00', FALSE \
        UNION ALL SELECT 3, 'claimed', '认领中', NULL, FALSE) v ORDER BY v.n;";

/// 0016 made "it did not arrive" a status of its own: a wish staff were
/// following up reads `not_received` after it, with its erasure clock
/// stopped (no `closed_at`); the others are as they were.
async fn follow_ups_survive_0016(db: &Db) {
    match db {
        Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run_to(15, p).await.unwrap(),
        Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run_to(15, p).await.unwrap(),
    }
    // PostgreSQL reads the text columns of the union as timestamps.
    let script = match db {
        Db::Sqlite(_) => BEFORE_0016.to_owned(),
        Db::Postgres(_) => BEFORE_0016.replace("v.closed_at,", "v.closed_at::timestamptz,"),
    };
    common::exec_script(db, script).await;
    db.migrate().await.unwrap();
    let sql = "SELECT what, status, closed_at IS NULL FROM wishes ORDER BY id";
    let rows: Vec<(String, String, bool)> = match db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    let rows: Vec<(&str, &str, bool)> =
        rows.iter().map(|(w, s, open)| (w.as_str(), s.as_str(), *open)).collect();
    assert_eq!(
        rows,
        [
            ("跟进中", "not_received", true),
            ("已送到", "fulfilled", false),
            ("认领中", "claimed", true)
        ]
    );
}

#[tokio::test]
async fn migration_0016_keeps_follow_ups_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl(format!("sqlite://{}", dir.path().join("m.db").display()));
    let db = Db::connect(&url, 1).await.unwrap();
    follow_ups_survive_0016(&db).await;
    db.close().await;
}

#[tokio::test]
async fn migration_0016_keeps_follow_ups_on_postgres() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to test the migration on PostgreSQL");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let db = Db::connect(&DatabaseUrl(common::with_database(&server, &name)), 1).await.unwrap();
    follow_ups_survive_0016(&db).await;
    db.close().await;
    common::drop_pg_database(&server, &name).await;
}

/// 0020 ends each stored workshop's search text with its category's names
/// and cuts the index again: a workshop saved before it is found by them.
async fn category_names_join_stored_search_texts(db: &Db) {
    match db {
        Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run_to(19, p).await.unwrap(),
        Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run_to(19, p).await.unwrap(),
    }
    let script = "\
INSERT INTO districts (slug, kind, name_zh, summary_zh, created_at, updated_at) \
    VALUES ('tonglu', 'county', '桐庐县', '', '2026-11-01 10:00:00+00', '2026-11-01 10:00:00+00');
INSERT INTO workshops (slug, district_id, category, name_zh, town_zh, villages_zh, summary_zh, \
    search_text, created_at, updated_at) \
    SELECT 'joy', id, 'handicraft', '喜乐·巧手', '富春江镇', '', '', '喜乐·巧手', created_at, \
        updated_at FROM districts;";
    common::exec_script(db, script.to_owned()).await;
    db.migrate().await.unwrap();
    let sql = "SELECT w.search_text, (SELECT COUNT(*) FROM workshop_grams g \
               WHERE g.workshop_id = w.id AND g.gram = '编织') FROM workshops w";
    let (text, grams): (String, i64) = match db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    };
    assert_eq!(text, "喜乐·巧手\n手工编织\nhandicraft");
    assert_eq!(grams, 1);
}

#[tokio::test]
async fn migration_0020_indexes_category_names_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl(format!("sqlite://{}", dir.path().join("m.db").display()));
    let db = Db::connect(&url, 1).await.unwrap();
    category_names_join_stored_search_texts(&db).await;
    db.close().await;
}

#[tokio::test]
async fn migration_0020_indexes_category_names_on_postgres() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to test the migration on PostgreSQL");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let db = Db::connect(&DatabaseUrl(common::with_database(&server, &name)), 1).await.unwrap();
    category_names_join_stored_search_texts(&db).await;
    db.close().await;
    common::drop_pg_database(&server, &name).await;
}

/// 0023 moves each figure's line of source text into its district's
/// register: one entry per distinct text (a district's figures and its
/// workshops' sharing one), the demo article's with its publication; each
/// figure cites its entry and keeps its value as its first over the years.
/// 0025 then makes the workshop's figure a figure like the district's.
async fn figures_cite_the_register_after_0023(db: &Db) {
    match db {
        Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run_to(22, p).await.unwrap(),
        Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run_to(22, p).await.unwrap(),
    }
    let script = "\
INSERT INTO districts (slug, kind, name_zh, summary_zh, created_at, updated_at) \
    VALUES ('tonglu', 'county', '桐庐县', '', '2026-11-01 10:00:00+00', '2026-11-01 10:00:00+00');
INSERT INTO figures (district_id, code, label_zh, value, unit_zh, year, source_zh, source_en) \
    SELECT id, 'workshops', '已建成共富工坊', 171, '家', NULL, '《村村建工坊 增收有良方》（方元）', \
        '“A workshop in every village, a sound way to earn more” (Fang Yuan)' FROM districts;
INSERT INTO figures (district_id, code, label_zh, value, unit_zh, year, source_zh) \
    SELECT id, 'area', '面积', 1825, '平方公里', 2023, '县统计局' FROM districts;
INSERT INTO workshops (slug, district_id, category, name_zh, town_zh, villages_zh, summary_zh, \
    search_text, created_at, updated_at) \
    SELECT 'joy', id, 'handicraft', '喜乐·巧手', '富春江镇', '', '', '', created_at, updated_at \
    FROM districts;
INSERT INTO workshop_figures (workshop_id, code, label_zh, value, unit_zh, source_zh) \
    SELECT id, 'fig-1', '带动就业', 120, '人', '县统计局' FROM workshops;";
    common::exec_script(db, script.to_owned()).await;
    match db {
        Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run_to(23, p).await.unwrap(),
        Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run_to(23, p).await.unwrap(),
    }
    let sources = "SELECT code, publisher_zh, title_zh, authors_zh FROM sources ORDER BY id";
    type Source = (String, String, String, Option<String>);
    let rows: Vec<Source> = match db {
        Db::Sqlite(p) => sqlx::query_as(sources).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sources).fetch_all(p).await.unwrap(),
    };
    assert_eq!(rows.len(), 2, "one entry per distinct text: {rows:?}");
    let article = rows.iter().find(|r| r.0 == "article-tonglu").expect("the demo article");
    assert_eq!(
        (article.1.as_str(), article.2.as_str(), article.3.as_deref()),
        ("报纸版面", "村村建工坊 增收有良方——桐庐：“共富工坊”描绘乡村振兴新图景", Some("方元"))
    );
    let other = rows.iter().find(|r| r.2 == "县统计局").expect("the other text");
    assert_eq!(other.1, "未登记", "its publisher is not known yet");
    // Each entry remembers the line it was made from, for old revisions.
    let kept = "SELECT COUNT(*) FROM sources WHERE moved_from IN ('县统计局', '《村村建工坊 增收有良方》（方元）')";
    let kept: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar(kept).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(kept).fetch_one(p).await.unwrap(),
    };
    assert_eq!(kept, 2);
    // Every figure and value cites its entry; the workshop's shares the
    // district's entry of the same text.
    let cited = "SELECT (SELECT COUNT(*) FROM figures f JOIN sources s ON s.id = f.source_id), \
                        (SELECT COUNT(*) FROM figure_values v JOIN figures f ON f.id = v.figure_id \
                             AND f.value = v.value AND f.source_id = v.source_id \
                             AND f.year IS NOT DISTINCT FROM v.year), \
                        (SELECT COUNT(*) FROM workshop_figures wf JOIN sources s \
                             ON s.id = wf.source_id WHERE s.title_zh = '县统计局')";
    let cited = match db {
        Db::Sqlite(_) => cited.replace("IS NOT DISTINCT FROM", "IS"),
        Db::Postgres(_) => cited.to_owned(),
    };
    let counts: (i64, i64, i64) = match db {
        Db::Sqlite(p) => sqlx::query_as(sqlx::AssertSqlSafe(cited)).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sqlx::AssertSqlSafe(cited)).fetch_one(p).await.unwrap(),
    };
    assert_eq!(counts, (2, 2, 1));
    // 0025: the workshop's figure becomes a figure of the workshop, in its
    // district, citing the same entry, its value its first over the years.
    db.migrate().await.unwrap();
    let moved = "SELECT f.code, f.label_zh, f.value, s.title_zh, \
                        (SELECT COUNT(*) FROM figure_values v WHERE v.figure_id = f.id \
                             AND v.value = f.value AND v.source_id = f.source_id) \
                 FROM figures f JOIN sources s ON s.id = f.source_id \
                 JOIN workshops w ON w.id = f.workshop_id AND w.district_id = f.district_id";
    type Moved = (String, String, f64, String, i64);
    let moved: Vec<Moved> = match db {
        Db::Sqlite(p) => sqlx::query_as(moved).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(moved).fetch_all(p).await.unwrap(),
    };
    assert_eq!(
        moved,
        vec![("workshop-joy-fig-1".into(), "带动就业".into(), 120.0, "县统计局".into(), 1)]
    );
    let own = "SELECT COUNT(*) FROM figures WHERE workshop_id IS NULL";
    let own: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar(own).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(own).fetch_one(p).await.unwrap(),
    };
    assert_eq!(own, 2, "the district's own two figures stay its own");
}

#[tokio::test]
async fn migration_0023_moves_sources_into_the_register_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl(format!("sqlite://{}", dir.path().join("m.db").display()));
    let db = Db::connect(&url, 1).await.unwrap();
    figures_cite_the_register_after_0023(&db).await;
    db.close().await;
}

#[tokio::test]
async fn migration_0023_moves_sources_into_the_register_on_postgres() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to test the migration on PostgreSQL");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let db = Db::connect(&DatabaseUrl(common::with_database(&server, &name)), 1).await.unwrap();
    figures_cite_the_register_after_0023(&db).await;
    db.close().await;
    common::drop_pg_database(&server, &name).await;
}

/// 0024 rebuilds the photos table on SQLite: the id counter goes on from
/// where it stood, so a photo removed before it never lends its id (and
/// its year-long cached address) to a new one.
async fn photo_ids_stay_unused_after_0024(db: &Db) {
    match db {
        Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run_to(23, p).await.unwrap(),
        Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run_to(23, p).await.unwrap(),
    }
    let blob = match db {
        Db::Sqlite(_) => "X'FFD8'",
        Db::Postgres(_) => "'\\xFFD8'::bytea",
    };
    let script = format!(
        "\
INSERT INTO districts (slug, kind, name_zh, summary_zh, created_at, updated_at) \
    VALUES ('xihu', 'district', '西湖区', '', '2026-11-01 10:00:00+00', '2026-11-01 10:00:00+00');
INSERT INTO places (district_id, code, kind, name_zh, summary_zh, address_zh, created_at, updated_at) \
    SELECT id, 'st', 'love_station', '驿站', '', '', created_at, updated_at FROM districts;
INSERT INTO photos (place_id, alt_zh, small, small_width, small_height, large, large_width, \
    large_height, created_at) SELECT id, '一', {blob}, 1, 1, {blob}, 1, 1, created_at FROM places;
INSERT INTO photos (place_id, alt_zh, small, small_width, small_height, large, large_width, \
    large_height, created_at) SELECT id, '二', {blob}, 1, 1, {blob}, 1, 1, created_at FROM places;
DELETE FROM photos WHERE alt_zh = '二';"
    );
    common::exec_script(db, script).await;
    db.migrate().await.unwrap();
    let add = format!(
        "INSERT INTO photos (place_id, alt_zh, small, small_width, small_height, large, \
             large_width, large_height, created_at) \
         SELECT id, '三', {blob}, 1, 1, {blob}, 1, 1, created_at FROM places"
    );
    common::exec_script(db, add).await;
    let sql = "SELECT id FROM photos ORDER BY id";
    let ids: Vec<i64> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    };
    assert_eq!(ids, [1, 3], "the removed photo's id 2 is not given again");
}

#[tokio::test]
async fn migration_0024_keeps_photo_ids_unused_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl(format!("sqlite://{}", dir.path().join("m.db").display()));
    let db = Db::connect(&url, 1).await.unwrap();
    photo_ids_stay_unused_after_0024(&db).await;
    db.close().await;
}

#[tokio::test]
async fn migration_0024_keeps_photo_ids_unused_on_postgres() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to test the migration on PostgreSQL");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let db = Db::connect(&DatabaseUrl(common::with_database(&server, &name)), 1).await.unwrap();
    photo_ids_stay_unused_after_0024(&db).await;
    db.close().await;
    common::drop_pg_database(&server, &name).await;
}
