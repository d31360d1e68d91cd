//! The `tierlink` binary: `serve` (the default), `migrate`, `openapi`,
//! `admin`. The benchmark seed is not here: it is `tierlink-devtools seed`
//! (crates/devtools), so this binary carries no fixed password.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tierlink_api::config::Settings;
use tierlink_api::{Application, admin, openapi, telemetry};
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
    /// Operator tasks on the database (no server needed).
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an organisation and its first admin (for when open sign-up is off).
    CreateOrg {
        /// The organisation's name.
        #[arg(long)]
        name: String,
        /// ISO 3166-1 alpha-2 country code.
        #[arg(long)]
        country: String,
        /// An identifier as SCHEME=VALUE (kr_brn or lei); repeatable.
        #[arg(long = "identifier", value_name = "SCHEME=VALUE")]
        identifiers: Vec<String>,
        /// The admin's e-mail address.
        #[arg(long)]
        admin_email: String,
        /// The admin's display name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
        /// Read the admin's password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an account and sign it out everywhere.
    ResetPassword {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
        /// Read the new password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
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
        Command::Admin(admin) => run_admin(&settings, admin),
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

fn run_admin(settings: &Settings, command: AdminCommand) -> Result<(), Box<dyn std::error::Error>> {
    let message = match command {
        AdminCommand::CreateOrg {
            name,
            country,
            identifiers,
            admin_email,
            admin_name,
            password_stdin,
        } => admin::create_org(
            settings,
            &admin::CreateOrg {
                name,
                country,
                identifiers,
                admin_email,
                admin_name,
                password_stdin,
            },
        )?,
        AdminCommand::ResetPassword {
            email,
            password_stdin,
        } => admin::reset_password(settings, &email, password_stdin)?,
    };
    writeln!(std::io::stdout().lock(), "{message}")?;
    Ok(())
}

fn migrate(settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::open(&settings.database_url, settings.command_pool_options())?;
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
