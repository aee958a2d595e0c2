//! The `linli` command: serve the portal, migrate, seed.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use linli::config::Settings;
use linli::startup::{self, Application};

/// linli (邻里) — a community portal for districts, workshops and micro-wishes.
///
/// With no command, serves the portal. Settings come from the environment
/// (LINLI_BIND, DATABASE_URL, LINLI_SECRET, LINLI_BASE_URL, …) and an
/// optional linli.toml; see the README for the full table.
#[derive(Parser)]
#[command(name = "linli", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default). Creates and migrates the database,
    /// and loads the demo content into an empty one.
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Load the demo content. Only adds what is missing; never overwrites
    /// what staff changed. Running it twice changes nothing.
    Seed,
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    linli::telemetry::init();
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming the setting and the cause; no backtrace.
            eprintln!("linli: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match command {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!(
                "linli listening on http://{} (public address {}, database {:?})",
                display_bind(&settings.bind, app.port()),
                settings.base_url,
                app.db().backend(),
            );
            app.run_until_stopped().await?;
            tracing::info!("linli stopped");
        }
        Command::Migrate => {
            let db = startup::open_database(&settings).await?;
            db.close().await;
            println!("migrations applied to {}", settings.database_url.redacted());
        }
        Command::Seed => {
            let db = startup::open_database(&settings).await?;
            let files = linli::seed::demo().map_err(anyhow::Error::msg)?;
            let added = linli::db::seed::apply(&db, &files).await?;
            db.close().await;
            println!("demo content: {added} rows added");
        }
    }
    Ok(())
}

/// The address to print: the bind address with the port actually bound.
fn display_bind(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind);
    format!("{host}:{port}")
}
