//! Request logs name the route pattern and status, never the raw path or
//! query (tracking codes and search text live there). Its own test binary,
//! so that nothing else writes into the captured log.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_logs_name_the_route_not_the_path() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    common::run(common::Backend::Sqlite, |app| async move {
        let res = app.get("/districts/xihu?q=13812345678").await;
        assert_eq!(res.status().as_u16(), 200);
        let res = app.get("/districts/secret-slug-7K3Q").await;
        assert_eq!(res.status().as_u16(), 404);
    })
    .await;
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("route=/districts/{slug} status=200"), "{log}");
    assert!(log.contains("route=/districts/{slug} status=404"), "{log}");
    assert!(log.contains("request_id="), "{log}");
    for secret in ["13812345678", "secret-slug-7K3Q", "xihu"] {
        assert!(!log.contains(secret), "the log shows {secret}: {log}");
    }
}
