//! `attractor`: the command-line front end of the attractor library. It parses, calls the
//! library, and prints or writes; the numerics live in the library.

mod demo;
mod image_grid;
mod maxcut;
mod memory;
mod plot;
mod sample;
mod solvers;
mod sparse;
mod train;
mod train_eqprop;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Energy-based dynamical models: flows that settle in attractors which encode the answer.
#[derive(Parser, Debug)]
#[command(name = "attractor", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the built-in demonstrations (no input files needed).
    Demo(demo::DemoArgs),
    /// Max-Cut of a graph (G-set/rudy or edge list) by the oscillator Ising machine.
    Maxcut(maxcut::MaxcutArgs),
    /// Minimise an Ising (h, J) or QUBO objective by the oscillator Ising machine.
    Ising(maxcut::IsingArgs),
    /// Store patterns in an associative memory, corrupt queries and recall them.
    Memory(memory::MemoryArgs),
    /// Sparse (or non-negative) codes of signals over a dictionary by a competitive network.
    Sparse(sparse::SparseArgs),
    /// Train a model on data (an RBM by CD-k or PCD) and write its parameters.
    Train(train::TrainArgs),
    /// Draw samples from a trained RBM (safetensors) and write them as a PNG grid.
    Sample(sample::SampleArgs),
}

fn main() -> ExitCode {
    // A panic is a bug; still, the user gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let loc = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("internal error: {msg}{loc} (this is a bug; please report it)");
    }));

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // clap's message runs over several lines (the missing argument's name, the valid
            // values); keep all of it, up to the usage line, on one line
            let text = e.to_string();
            let detail: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect();
            let line = if detail.is_empty() {
                "error: invalid arguments".to_string()
            } else {
                detail.join(" ")
            };
            eprintln!("{line} (see attractor --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args).map(|()| maxcut::Exit::Done),
        Command::Maxcut(args) => maxcut::run_maxcut(&args),
        Command::Ising(args) => maxcut::run_ising(&args),
        Command::Memory(args) => memory::run(&args).map(|()| maxcut::Exit::Done),
        Command::Sparse(args) => sparse::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Sample(args) => sample::run(&args),
    };
    match result {
        Ok(maxcut::Exit::Done) => ExitCode::SUCCESS,
        // 128 + SIGINT, as shells report an interrupted command
        Ok(maxcut::Exit::Interrupted) => ExitCode::from(130),
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            let line = chain.join(": ").replace('\n', " ");
            eprintln!(
                "error: {}",
                attractor::error::clip_message(&line, attractor::error::MAX_MESSAGE_CHARS)
            );
            ExitCode::from(2)
        }
    }
}
