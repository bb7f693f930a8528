//! `attractor demo`: a sequence of chapters, each a small self-contained demonstration that
//! runs on built-in data. A chapter prints its story and, under `--plot`, draws one panel of
//! the figure; later model families add their chapter to [`chapters`].

mod eqprop;
mod hopfield;
mod learning;
mod memory;
mod oscillator;
mod rbm;
mod sparse;

use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;

/// Options shared by every chapter.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct DemoArgs {
    /// Seed for every random choice (same seed, same output).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Run only this chapter (see --list).
    #[arg(long)]
    pub chapter: Option<String>,
    /// List the chapters and exit.
    #[arg(long)]
    pub list: bool,
    /// Write a PNG figure with one panel per chapter (e.g. energy versus time).
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
    /// Network size for the continuous Hopfield chapter.
    #[arg(long, default_value_t = 100)]
    pub n: usize,
}

/// One panel of the demo figure.
pub struct Panel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Named series of (x, y) points.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// Images drawn instead of the series (the axis labels are then unused).
    pub images: Option<ImagePanel>,
}

/// A grid of small images for a panel: each image `width × height` values in `[−1, 1]`
/// (`+1` black ink, `−1` white).
pub struct ImagePanel {
    pub width: usize,
    pub height: usize,
    pub rows: Vec<Vec<Vec<f64>>>,
}

/// A demo chapter.
pub trait Chapter {
    /// Short identifier for `--chapter`.
    fn name(&self) -> &'static str;
    /// One-line description for `--list`.
    fn summary(&self) -> &'static str;
    /// Run, print the story to stdout, and return the panels to draw under `--plot`.
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>>;
}

/// All chapters, in order.
fn chapters() -> Vec<Box<dyn Chapter>> {
    vec![
        Box::new(hopfield::HopfieldChapter),
        Box::new(oscillator::OscillatorChapter),
        Box::new(memory::MemoryChapter),
        Box::new(sparse::SparseChapter),
        Box::new(rbm::RbmChapter),
        Box::new(eqprop::EqpropChapter),
        Box::new(learning::LearningChapter),
    ]
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let all = chapters();
    if args.list {
        for c in &all {
            println!("{:<12} {}", c.name(), c.summary());
        }
        return Ok(());
    }
    let selected: Vec<&Box<dyn Chapter>> = match &args.chapter {
        None => all.iter().collect(),
        Some(name) => {
            let found: Vec<_> = all.iter().filter(|c| c.name() == name).collect();
            if found.is_empty() {
                let names: Vec<_> = all.iter().map(|c| c.name()).collect();
                bail!(
                    "unknown chapter '{name}'; choose one of: {}",
                    names.join(", ")
                );
            }
            found
        }
    };
    if let Some(path) = &args.plot {
        crate::plot::check_png_path(path).context("--plot")?;
    }
    let mut panels = Vec::new();
    for (k, c) in selected.iter().enumerate() {
        if k > 0 {
            println!();
        }
        panels.extend(c.run(args)?);
    }
    if let Some(path) = &args.plot {
        crate::plot::write_panels(path, &panels)?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}
