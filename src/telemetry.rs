//! Logging. `RUST_LOG` sets the filter (default `info`); `LINLI_LOG_FORMAT=json`
//! writes one JSON object per line for log collectors; `LINLI_LOG_SPANS=1`
//! adds a line as each span closes (a writing handler, a database use case)
//! with its ids and where its time went (`time.busy`, `time.idle`), to see
//! what made a slow request slow.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    let json = std::env::var("LINLI_LOG_FORMAT").is_ok_and(|v| v == "json");
    let spans = std::env::var("LINLI_LOG_SPANS").is_ok_and(|v| v == "1");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colours only for a person at a terminal, never in a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_span_events(if spans { FmtSpan::CLOSE } else { FmtSpan::NONE });
    let result = if json { builder.json().try_init() } else { builder.try_init() };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
