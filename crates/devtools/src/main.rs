//! The `tierlink-devtools` binary: `seed`, for benchmarks and demos. Never
//! shipped: the production image builds `tierlink` alone.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tierlink_api::config::Settings;
use tierlink_api::telemetry;
use tierlink_devtools::seed::SeedPlan;

/// Tierlink's development tools (not for production).
///
/// Configuration is read as `tierlink` reads it: TIERLINK_* environment
/// variables and an optional TOML file.
#[derive(Debug, Parser)]
#[command(name = "tierlink-devtools", version, about)]
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
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill an empty database with a realistic supply chain (for benchmarks
    /// and demos); every login's password is `bench password 123`.
    Seed {
        /// Makes the data (ids included) reproducible.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Tier-1 suppliers of the large firm.
        #[arg(long, default_value_t = 2_000)]
        tier1: usize,
        /// Tier-2 suppliers, spread over the tier-1s.
        #[arg(long, default_value_t = 10_000)]
        tier2: usize,
        /// Published requirements, each sent to every tier-1.
        #[arg(long, default_value_t = 20)]
        requirements: usize,
        /// Items per requirement (at most the catalogue's non-document metrics).
        #[arg(long, default_value_t = 30)]
        items: usize,
        /// Extra open requests for the last supplier with a login (the
        /// bulk-answer benchmark: `--bulk-requests 334` makes 10,020 entries).
        #[arg(long, default_value_t = 0)]
        bulk_requests: usize,
    },
    /// Record `answer.submitted` events for one request, as a submission
    /// does, from several threads for a while; print events per second
    /// (the outbox's own cost, for bench/events.sh).
    Outbox {
        /// The request the events are about.
        #[arg(long)]
        request: String,
        /// The acting principal, as events name it (`user:<id>`).
        #[arg(long)]
        actor: String,
        #[arg(long, default_value_t = 4)]
        threads: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("tierlink-devtools: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_filter, settings.log_format);
    let result = match cli.command {
        Command::Seed {
            seed,
            tier1,
            tier2,
            requirements,
            items,
            bulk_requests,
        } => run_seed(
            &settings,
            &SeedPlan {
                tier1,
                tier2,
                requirements,
                items_per_requirement: items,
                bulk_requests,
                ..SeedPlan::benchmark(seed)
            },
        ),
        Command::Outbox {
            request,
            actor,
            threads,
            seconds,
        } => run_outbox(&settings, &request, &actor, threads, seconds),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "tierlink-devtools stopped with an error");
            eprintln!("tierlink-devtools: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_outbox(
    settings: &Settings,
    request: &str,
    actor: &str,
    threads: usize,
    seconds: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let request = request.parse().map_err(|_| "--request: not a request id")?;
    let db = tierlink_persistence::Database::open(
        &settings.database_url,
        settings.command_pool_options(),
    )?;
    let rate = tierlink_devtools::outbox::measure(
        &db,
        request,
        actor,
        threads,
        std::time::Duration::from_secs(seconds),
    )?;
    writeln!(
        std::io::stdout().lock(),
        "{:.1} events/s ({} events, {threads} threads)",
        rate.per_second,
        rate.events
    )?;
    Ok(())
}

fn run_seed(settings: &Settings, plan: &SeedPlan) -> Result<(), Box<dyn std::error::Error>> {
    let bar = indicatif::ProgressBar::new(1);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg:>14} [{bar:40}] {pos}/{len} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let message = tierlink_devtools::seed_database(settings, plan, |phase, done, total| {
        bar.set_message(phase.to_owned());
        bar.set_length(u64::try_from(total).unwrap_or(u64::MAX));
        bar.set_position(u64::try_from(done).unwrap_or(0));
    })?;
    bar.finish_and_clear();
    writeln!(std::io::stdout().lock(), "{message}")?;
    Ok(())
}
