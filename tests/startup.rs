//! The binary itself: help, migrate, seed, and failing clearly at start.

use std::process::{Command, Output};

fn linli(args: &[&str], env: &[(&str, &str)], dir: &std::path::Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linli"));
    cmd.args(args).current_dir(dir);
    for var in ["DATABASE_URL", "LINLI_BIND", "LINLI_SECRET", "LINLI_BASE_URL", "LINLI_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fails with exactly one line that names the setting, and no panic.
fn assert_clear_failure(out: &Output, setting: &str, cause: &str) {
    assert!(!out.status.success(), "should fail: {out:?}");
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {err}");
    assert!(lines[0].contains(setting), "names {setting}: {err}");
    assert!(lines[0].to_lowercase().contains(cause), "says {cause}: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn help_reads_well() {
    let dir = tempfile::tempdir().unwrap();
    let out = linli(&["--help"], &[], dir.path());
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "seed", "community portal"] {
        assert!(help.contains(word), "{word} missing from: {help}");
    }
}

#[test]
fn unknown_database_scheme_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = linli(&["migrate"], &[("DATABASE_URL", "mysql://root@localhost/linli")], dir.path());
    assert_clear_failure(&out, "DATABASE_URL", "unknown scheme 'mysql'");
}

#[test]
fn unreachable_postgres_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let url = "postgres://linli:hunter2@127.0.0.1:1/linli";
    let out = linli(&["serve"], &[("DATABASE_URL", url)], dir.path());
    assert_clear_failure(&out, "DATABASE_URL", "cannot connect to postgresql");
    assert!(!stderr(&out).contains("hunter2"), "the password is never printed");
}

#[test]
fn data_folder_that_cannot_be_created_is_reported() {
    // As root, permissions prove nothing: a folder under a regular file
    // cannot be made by anyone.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain-file"), "not a folder").unwrap();
    let url = format!("sqlite://{}/plain-file/data/linli.db", dir.path().display());
    let out = linli(&["serve"], &[("DATABASE_URL", &url)], dir.path());
    assert_clear_failure(&out, "DATABASE_URL", "cannot create the data folder");
}

#[test]
fn short_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = linli(&["serve"], &[("LINLI_SECRET", "too-short")], dir.path());
    assert_clear_failure(&out, "LINLI_SECRET", "at least 64 bytes");
}

#[test]
fn busy_port_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}/linli.db", dir.path().display());
    let out = linli(&["serve"], &[("LINLI_BIND", &bind), ("DATABASE_URL", &url)], dir.path());
    assert_clear_failure(&out, "LINLI_BIND", "cannot listen");
}

#[test]
fn default_database_is_created_in_data_and_seed_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let out = linli(&["migrate"], &[], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("data/linli.db").is_file(), "the default sqlite://data/linli.db");
    let first = linli(&["seed"], &[], dir.path());
    assert!(first.status.success(), "{}", stderr(&first));
    let first = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(!first.contains(" 0 rows"), "{first}");
    let second = linli(&["seed"], &[], dir.path());
    assert!(second.status.success());
    assert_eq!(String::from_utf8_lossy(&second.stdout).trim(), "demo content: 0 rows added");
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/linli.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_linli"))
        .env("DATABASE_URL", &url)
        .env("LINLI_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env_remove("LINLI_SECRET")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for "listening", then ask it to stop as a service manager would.
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let listening = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("listening on"));
    assert!(listening.is_some(), "the log says where it listens");
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exits cleanly on SIGTERM: {exit:?}");
    assert!(rest.iter().any(|l| l.contains("linli stopped")), "{rest:?}");
}
