//! `hotline`: the contact-center server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "hotline", version, about = "Hotline contact-center server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        #[command(flatten)]
        common: hotline::Overrides,
        /// Seed the demo center (queues, agents 8001-8006, users, customers). Safe to repeat.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: hotline::Overrides,
    },
    /// Load a running server with simulated agents' phones and callers
    /// over real SIP/UDP and RTP, and report setup rate, latency, loss,
    /// jitter and server CPU.
    Loadgen(hotline_loadgen::Args),
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a configuration file (and HOTLINE_* variables); print the result.
    Check { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config { command: ConfigCommand::Check { file } } => hotline::check_config(&file),
        Command::Migrate { common } => runtime().and_then(|rt| rt.block_on(hotline::migrate(common))),
        Command::Serve { common, demo } => runtime().and_then(|rt| rt.block_on(hotline::serve(common, demo))),
        Command::Loadgen(args) => runtime().and_then(|rt| Ok(rt.block_on(hotline_loadgen::main(args))?)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hotline: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
