//! The `linli` command: serve the portal, migrate, seed.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use tokio::signal::unix::{SignalKind, signal};

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
    Seed {
        /// Also generate a large body of made-up data for benchmarks, on a
        /// fresh database: medium (2,000 workshops, 20,000 wishes at 200
        /// stations, 2,000 volunteers) or large (100,000 workshops,
        /// 1,000,000 wishes at 2,000 stations, 100,000 volunteers).
        /// Generated volunteers sign in as volunteerN@bench.linli.invalid
        /// with the password linli-bench-password.
        #[arg(long, value_parser = ["medium", "large"])]
        scale: Option<String>,
    },
    /// Run the periodic chores once (the server also runs them every five
    /// minutes): lapse old claims, expire old wishes, erase phone numbers
    /// past their time.
    Maintenance,
    /// Back up the database to a file. SQLite: an online copy, safe while
    /// the server runs. PostgreSQL: `pg_dump --format=custom` (needs pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Make site admins and grant or revoke staff roles.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a site admin. The password is read from the terminal (or from
    /// standard input when it is not a terminal), never from an argument.
    Create {
        /// The name others see.
        #[arg(long)]
        name: String,
        /// Mainland mobile number to sign in with.
        #[arg(long, required_unless_present = "email")]
        phone: Option<String>,
        /// E-mail address to sign in with.
        #[arg(long)]
        email: Option<String>,
    },
    /// Grant a role: site_admin, district_admin, station_keeper or workshop_keeper.
    Grant(RoleArgs),
    /// Revoke a role granted before.
    Revoke(RoleArgs),
}

#[derive(Args)]
struct RoleArgs {
    /// site_admin, district_admin, station_keeper or workshop_keeper.
    role: String,
    /// The user: id, mobile number or e-mail.
    #[arg(long)]
    user: String,
    /// The love station's id (station_keeper).
    #[arg(long)]
    station: Option<i64>,
    /// The workshop's slug (workshop_keeper).
    #[arg(long)]
    workshop: Option<String>,
    /// The district's slug (district_admin).
    #[arg(long)]
    district: Option<String>,
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
            // Catch SIGTERM and Ctrl-C before saying we listen, so a stop
            // that comes at once is still a graceful one.
            let mut term = signal(SignalKind::terminate())?;
            let mut interrupt = signal(SignalKind::interrupt())?;
            let handle = app.handle();
            tokio::spawn(async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = interrupt.recv() => {}
                }
                tracing::info!("stopping: finishing the requests in flight");
                handle.stop(true).await;
            });
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
        Command::Seed { scale } => {
            let db = startup::open_database(&settings).await?;
            let files = linli::seed::demo().map_err(anyhow::Error::msg)?;
            let added = linli::db::seed::apply(&db, &files).await?;
            println!("demo content: {added} rows added");
            if let Some(name) = scale {
                use linli::db::generate::{Scale, generate};
                let scale = Scale::named(&name).expect("clap checked the name");
                let started = std::time::Instant::now();
                let result = generate(&db, scale, chrono::Utc::now()).await;
                db.close().await;
                let g = result?;
                println!(
                    "generated ({name}) in {:.1} s: {} stations, {} workshops, {} openings, \
                     {} volunteers, {} wishes, {} wish events",
                    started.elapsed().as_secs_f64(),
                    g.stations,
                    g.workshops,
                    g.openings,
                    g.volunteers,
                    g.wishes,
                    g.events
                );
            } else {
                db.close().await;
            }
        }
        Command::Maintenance => {
            let db = startup::open_database(&settings).await?;
            let erased = startup::maintenance(&db, &settings).await;
            db.close().await;
            println!(
                "maintenance: {} changes (lapsed claims, expired wishes, erased phones)",
                erased?
            );
        }
        Command::Backup { to } => backup(&settings, &to).await?,
        Command::Admin(admin) => {
            let db = startup::open_database(&settings).await?;
            let result = run_admin(&db, admin).await;
            db.close().await;
            result?;
        }
    }
    Ok(())
}

async fn backup(settings: &Settings, to: &std::path::Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("--to: {} exists already; choose a new file", to.display());
    }
    match linli::db::Backend::of(settings.database_url.as_str())? {
        linli::db::Backend::Sqlite => {
            let db = startup::open_database(settings).await?;
            let result = linli::db::backup::sqlite_copy(&db, to).await;
            db.close().await;
            result.with_context(|| format!("--to: cannot write {}", to.display()))?;
        }
        linli::db::Backend::Postgres => {
            let status = std::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(to)
                .arg(settings.database_url.as_str())
                .status()
                .context("cannot run pg_dump (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
        }
    }
    println!("backup written to {}", to.display());
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the new admin: ")?;
        let second = rpassword::prompt_password("The same password again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Hands a parsed `admin` command to `linli::admin` (the password read
/// here, from the terminal or standard input).
async fn run_admin(db: &linli::db::Db, command: AdminCommand) -> anyhow::Result<()> {
    use linli::admin::{self, RoleRequest};
    let request = |args: RoleArgs| RoleRequest {
        role: args.role,
        user: args.user,
        station: args.station,
        district: args.district,
        workshop: args.workshop,
    };
    match command {
        AdminCommand::Create { name, phone, email } => {
            let id = admin::create_site_admin(
                db,
                &name,
                phone.as_deref(),
                email.as_deref(),
                &read_password,
            )
            .await?;
            println!("site admin created: user {id}");
        }
        AdminCommand::Grant(args) => {
            let role = args.role.clone();
            let (user, granted) = admin::grant(db, &request(args)).await?;
            if granted {
                println!("granted {role} to user {user}");
            } else {
                println!("user {user} already holds {role}");
            }
        }
        AdminCommand::Revoke(args) => {
            let role = args.role.clone();
            let (user, revoked) = admin::revoke(db, &request(args)).await?;
            if revoked {
                println!("revoked {role} from user {user}");
            } else {
                println!("user {user} did not hold {role}");
            }
        }
    }
    Ok(())
}

/// The address to print: the bind address with the port actually bound.
fn display_bind(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind);
    format!("{host}:{port}")
}
