//! PNG figures with plotters. Files are written whole or not at all, through the library's
//! one atomic writer ([`attractor::output::write_atomic_with`]).

use crate::demo::Panel;
use anyhow::{Result, bail};
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

pub(crate) fn register_font() {
    REGISTER.call_once(|| {
        // The bundled font is valid; if registration ever failed, text would be missing and
        // plotters would report it as a drawing error, which we pass on.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Reject a path we cannot write a PNG to, before any work is done: not `.png`, an existing
/// target that is not a regular file, a directory that does not exist or is not writable.
pub fn check_png_path(path: &Path) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !ext.eq_ignore_ascii_case("png") {
        bail!(
            "{}: the figure is a PNG, so the file name must end in .png",
            path.display()
        );
    }
    attractor::output::check_writable(path)?;
    Ok(())
}

/// Write a PNG drawn by `draw` (given the temporary path to draw to) whole or not at all.
pub(crate) fn write_png(path: &Path, draw: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    check_png_path(path)?;
    register_font();
    attractor::output::write_atomic_with(path, |tmp| {
        draw(tmp).map_err(|e| {
            attractor::Error::Incompatible(format!("drawing {}: {e:#}", path.display()))
        })
    })?;
    Ok(())
}

/// Draw the panels stacked vertically and write them to `path` atomically.
pub fn write_panels(path: &Path, panels: &[Panel]) -> Result<()> {
    if panels.is_empty() {
        bail!("nothing to plot");
    }
    write_png(path, |tmp| draw(tmp, panels))
}

fn draw(file: &Path, panels: &[Panel]) -> Result<()> {
    let height = 420 * panels.len() as u32;
    let root = BitMapBackend::new(file, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let areas = root.split_evenly((panels.len(), 1));
    for (panel, area) in panels.iter().zip(areas.iter()) {
        draw_panel(area, panel)?;
    }
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn draw_panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    panel: &Panel,
) -> Result<()> {
    if let Some(g) = &panel.images {
        let err = |e: DrawingAreaErrorKind<_>| anyhow::anyhow!("{e}");
        let inner = area
            .margin(12, 12, 12, 12)
            .titled(&panel.title, ("sans-serif", 22))
            .map_err(err)?;
        let n_cols = g.rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let scale = crate::image_grid::fitting_scale(
            inner.dim_in_pixel(),
            g.width,
            g.height,
            n_cols,
            g.rows.len(),
        );
        return crate::image_grid::draw_on(&inner, g.width, g.height, scale, &[], &g.rows);
    }
    let pts = panel.series.iter().flat_map(|(_, s)| s.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in pts {
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if !x0.is_finite() {
        bail!("panel '{}' has no finite points", panel.title);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = 0.05 * (y1 - y0).abs().max(1e-12);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let err = |e: DrawingAreaErrorKind<_>| anyhow::anyhow!("{e}");
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    for (k, (name, s)) in panel.series.iter().enumerate() {
        let color = colors[k % colors.len()];
        chart
            .draw_series(LineSeries::new(s.iter().copied(), color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    Ok(())
}
