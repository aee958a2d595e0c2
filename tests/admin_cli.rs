//! `linli admin …` against a real database, SQLite and PostgreSQL.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn linli(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("LINLI_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn admin_commands(url: &str) {
    // Migrate and seed so stations and districts exist.
    assert!(linli(url, &["seed"], "").status.success());
    let o = linli(
        url,
        &["admin", "create", "--name", "站长", "--phone", "13912345678"],
        "admin password\n",
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("site admin created"));
    assert!(!out(&o).contains("admin password"), "the password is never echoed");

    // Bad input is refused with the field and the reason.
    let o = linli(url, &["admin", "create", "--name", "x", "--phone", "123"], "admin password\n");
    assert!(!o.status.success());
    assert!(out(&o).contains("--phone: Enter an 11-digit mobile number"), "{}", out(&o));
    let o = linli(url, &["admin", "create", "--name", "x", "--email", "a@b.cn"], "short\n");
    assert!(
        out(&o).contains("password: The password must be at least 8 characters"),
        "{}",
        out(&o)
    );
    let o = linli(
        url,
        &["admin", "create", "--name", "y", "--phone", "13912345678"],
        "admin password\n",
    );
    assert!(out(&o).contains("already registered"), "{}", out(&o));

    let o = linli(
        url,
        &["admin", "grant", "district_admin", "--user", "13912345678", "--district", "xihu"],
        "",
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("granted district_admin"));
    let o = linli(
        url,
        &["admin", "grant", "district_admin", "--user", "13912345678", "--district", "atlantis"],
        "",
    );
    assert!(!o.status.success());
    assert!(out(&o).contains("--district: There is no such district"), "{}", out(&o));
    let o = linli(url, &["admin", "grant", "station_keeper", "--user", "13912345678"], "");
    assert!(out(&o).contains("--station: A place keeper needs a place"), "{}", out(&o));
    let o = linli(
        url,
        &[
            "admin",
            "grant",
            "workshop_keeper",
            "--user",
            "13912345678",
            "--workshop",
            "no-such-one",
        ],
        "",
    );
    assert!(
        out(&o).contains("--workshop: There is no workshop with that address name"),
        "{}",
        out(&o)
    );
    let o = linli(
        url,
        &["admin", "grant", "workshop_keeper", "--user", "13912345678", "--workshop", "honey-pear"],
        "",
    );
    assert!(out(&o).contains("granted workshop_keeper"), "{}", out(&o));
    let o = linli(url, &["admin", "grant", "emperor", "--user", "13912345678"], "");
    assert!(out(&o).contains("ROLE: 'emperor' is not one of"), "{}", out(&o));
    let o = linli(url, &["admin", "grant", "site_admin", "--user", "13000000000"], "");
    assert!(out(&o).contains("--user: no user"), "{}", out(&o));
    let o = linli(
        url,
        &["admin", "revoke", "district_admin", "--user", "13912345678", "--district", "xihu"],
        "",
    );
    assert!(out(&o).contains("revoked district_admin"), "{}", out(&o));
    let o = linli(
        url,
        &["admin", "revoke", "district_admin", "--user", "13912345678", "--district", "xihu"],
        "",
    );
    assert!(out(&o).contains("did not hold"), "{}", out(&o));
    // The password is not an argument anywhere.
    let o = linli(url, &["admin", "create", "--help"], "");
    assert!(!out(&o).contains("--password"));
}

#[tokio::test]
async fn admin_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    admin_commands(&format!("sqlite://{}/linli.db", dir.path().display()));
}

#[tokio::test]
async fn admin_commands_on_postgres() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped on PostgreSQL: set LINLI_TEST_PG to run it");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let url = common::with_database(&server, &name);
    let result = tokio::task::spawn_blocking(move || admin_commands(&url)).await;
    common::drop_pg_database(&server, &name).await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
