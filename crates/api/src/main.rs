//! The `tierlink` binary: `serve` (the default), `migrate`, `openapi`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tierlink_api::config::Settings;
use tierlink_api::{Application, openapi, telemetry};
use tierlink_persistence::Database;

/// Tierlink: supply-chain ESG and carbon data exchange.
///
/// Configuration comes from TIERLINK_* environment variables and an optional
/// TOML file; see the README for every setting.
#[derive(Debug, Parser)]
#[command(name = "tierlink", version, about)]
struct Cli {
    /// A TOML configuration file; environment variables override it.
    #[arg(
        long,
        short,
        global = true,
        env = "TIERLINK_CONFIG",
        value_name = "FILE"
    )]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Print the OpenAPI document as JSON.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        return match std::io::stdout()
            .lock()
            .write_all(openapi::document_json().as_bytes())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("tierlink: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_filter, settings.log_format);
    let result = match command {
        Command::Migrate => migrate(&settings),
        Command::Serve | Command::Openapi => serve(&settings),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "tierlink stopped with an error");
            eprintln!("tierlink: {error}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::open(&settings.database_url, settings.pool_options())?;
    let applied = db.migrate()?;
    tracing::info!(database = %settings.database_url, applied = ?applied, "migrations applied");
    Ok(())
}

fn serve(settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings)?;
        app.run_until_stopped().await?;
        tracing::info!("shut down cleanly");
        Ok(())
    })
}
