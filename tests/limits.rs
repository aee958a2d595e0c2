//! Hard to knock over: slow clients time out without holding a worker,
//! addresses and bodies longer than any page or form takes are refused
//! with the bilingual error page, and a method no page takes is answered.
//! The timeouts are set short here; the defaults are in the README.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, text};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_databases!(
    a_slow_head_is_answered_408_and_closed with |s| s.head_timeout_ms = 300,
    a_body_that_trickles_is_answered_408 with |s| s.body_timeout_ms = 300,
    idle_connections_are_closed with |s| s.keep_alive_secs = 1,
    connect_is_answered,
    long_addresses_are_refused_with_the_error_page,
    long_bodies_are_refused_with_the_error_page,
);

/// Everything the server sends on `stream` until it closes it, and how
/// long that took; fails if it has not closed within `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "still open after {within:?}; got {:?}", String::from_utf8_lossy(&got));
    (String::from_utf8_lossy(&got).into_owned(), started.elapsed())
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.unwrap()
}

/// A client that never finishes its headers is cut off at the head
/// timeout (300 ms here), not left holding the connection.
async fn a_slow_head_is_answered_408_and_closed(app: TestApp) {
    let mut s = connect(&app).await;
    s.write_all(b"GET /wishes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
    let (answer, took) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

/// A POST that declares 1,000 bytes and sends six gets 408 at the body
/// timeout (300 ms here) with the error page.
async fn a_body_that_trickles_is_answered_408(app: TestApp) {
    let mut s = connect(&app).await;
    let head = format!(
        "POST /account/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlogin=",
        port = app.port
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 16 * 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("an answer within 5 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// A kept-alive connection nobody uses is closed after the keep-alive
/// time (1 s here).
async fn idle_connections_are_closed(app: TestApp) {
    let mut s = connect(&app).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let (_, took) = until_closed(&mut s, Duration::from_secs(6)).await;
    assert!(took >= Duration::from_millis(500), "closed too soon: {took:?}");
}

/// CONNECT (a proxy's method) gets an answer, not a held connection.
async fn connect_is_answered(app: TestApp) {
    let mut s = connect(&app).await;
    s.write_all(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
        .await
        .expect("an answer to CONNECT within 3 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
}

/// An address longer than any page takes is refused (414) with the page
/// in both languages.
async fn long_addresses_are_refused_with_the_error_page(app: TestApp) {
    let long = format!("/workshops?q={}", "蜜".repeat(400));
    let (status, html) = app.page(&long).await;
    assert_eq!(status, 414);
    assert_eq!(text(&html, "h1"), "地址太长");
    assert!(html.html().contains("The address is too long"));
    // The longest real search still works.
    let (status, _) = app.page(&format!("/workshops?q={}&district=tonglu", "蜜".repeat(50))).await;
    assert_eq!(status, 200);
}

/// A body longer than any form takes is refused (413) with the page, and
/// the form's real size is still taken.
async fn long_bodies_are_refused_with_the_error_page(app: TestApp) {
    let big = "x".repeat(300 * 1024);
    let res = app.post_form("/account/login", "/account/login", &[("login", &big)]).await;
    assert_eq!(res.status().as_u16(), 413);
    let html = scraper::Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "提交的内容太多");
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13900000000"), ("password", "x")],
        )
        .await;
    assert_ne!(res.status().as_u16(), 413);
}
