//! `linli backup`, and a restore, round trip: SQLite while the server runs,
//! PostgreSQL through pg_dump / pg_restore.

mod common;

use std::process::Command;

fn linli(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("LINLI_SEED_ON_START", "false")
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_while_serving_and_restore() {
    common::run(common::Backend::Sqlite, |app| async move {
        app.user("备份测试", "13700001111", "password one", &[]).await;
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.db");
        // The app's own database URL: the app is serving from it right now.
        let path: String =
            common::scalar(&app.db, "SELECT file FROM pragma_database_list WHERE name = 'main'")
                .await;
        let url = format!("sqlite://{path}");
        let o = linli(&url, &["backup", "--to", copy.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(app.get("/").await.status().as_u16(), 200, "still serving");
        let o = linli(&url, &["backup", "--to", copy.to_str().unwrap()]);
        assert!(!o.status.success() && text(&o).contains("exists already"), "{}", text(&o));
        // Restoring is using the copy: everything is there.
        let restored = format!("sqlite://{}", copy.display());
        let o = linli(&restored, &["seed"]);
        assert!(text(&o).contains("0 rows added"), "{}", text(&o));
        let db = linli::db::Db::connect(&linli::config::DatabaseUrl(restored), 1).await.unwrap();
        assert_eq!(
            common::count(&db, "SELECT COUNT(*) FROM users WHERE phone = '13700001111'").await,
            1
        );
        assert_eq!(common::count(&db, "SELECT COUNT(*) FROM workshops").await, 7);
        db.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_and_restore() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped on PostgreSQL: set LINLI_TEST_PG to run it");
        return;
    };
    let source = common::create_pg_database(&server).await;
    let target = common::create_pg_database(&server).await;
    let source_url = common::with_database(&server, &source);
    let target_url = common::with_database(&server, &target);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("linli.dump");
    let result = tokio::spawn({
        let (source_url, target_url, dump) = (source_url.clone(), target_url.clone(), dump.clone());
        async move {
            let o = linli(&source_url, &["seed"]);
            assert!(o.status.success(), "{}", text(&o));
            let o = linli(&source_url, &["backup", "--to", dump.to_str().unwrap()]);
            assert!(o.status.success(), "{}", text(&o));
            let o = Command::new("pg_restore")
                .args(["--no-owner", "--dbname", &target_url])
                .arg(&dump)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", text(&o));
            let o = linli(&target_url, &["seed"]);
            assert!(
                text(&o).contains("0 rows added"),
                "the restored copy is complete: {}",
                text(&o)
            );
        }
    })
    .await;
    common::drop_pg_database(&server, &source).await;
    common::drop_pg_database(&server, &target).await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
