//! A PNG grid of small images (original / corrupted / recalled patterns), written whole or not
//! at all, like the figures of `plot.rs`.

use anyhow::{Result, bail};
use plotters::prelude::*;
use std::path::Path;

/// Draw `rows` of images, each image `width × height` values in `[−1, 1]` (`+1` ink, drawn
/// black; `−1` background, white; `0` grey), with column titles.
pub fn write_image_grid(
    path: &Path,
    width: usize,
    height: usize,
    titles: &[&str],
    rows: &[Vec<Vec<f64>>],
) -> Result<()> {
    if rows.is_empty() || width == 0 || height == 0 {
        bail!("nothing to draw");
    }
    crate::plot::write_png(path, |tmp| draw(tmp, width, height, titles, rows))
}

fn draw(
    file: &Path,
    width: usize,
    height: usize,
    titles: &[&str],
    rows: &[Vec<Vec<f64>>],
) -> Result<()> {
    let scale = (112 / width.max(height)).max(1);
    let (w, h) = grid_size(
        width * scale,
        height * scale,
        n_columns(titles, rows),
        rows.len(),
    );
    let root = BitMapBackend::new(file, (w, h)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    draw_on(&root, width, height, scale, titles, rows)?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

const GAP: usize = 8;
const TOP: usize = 28;

fn n_columns(titles: &[&str], rows: &[Vec<Vec<f64>>]) -> usize {
    rows.iter()
        .map(|r| r.len())
        .max()
        .unwrap_or(0)
        .max(titles.len())
}

/// The pixel size of a grid of `n_rows × n_cols` cells of `cw × ch` pixels.
fn grid_size(cw: usize, ch: usize, n_cols: usize, n_rows: usize) -> (u32, u32) {
    (
        (n_cols * (cw + GAP) + GAP) as u32,
        (TOP + n_rows * (ch + GAP) + GAP) as u32,
    )
}

/// The largest whole-pixel scale at which the grid fits in `area_w × area_h` (at least 1).
pub fn fitting_scale(
    area: (u32, u32),
    width: usize,
    height: usize,
    n_cols: usize,
    n_rows: usize,
) -> usize {
    let (aw, ah) = (area.0 as usize, area.1 as usize);
    let by_w = aw.saturating_sub(GAP) / n_cols.max(1);
    let by_h = ah.saturating_sub(TOP + GAP) / n_rows.max(1);
    let sw = by_w.saturating_sub(GAP) / width.max(1);
    let sh = by_h.saturating_sub(GAP) / height.max(1);
    sw.min(sh).max(1)
}

/// Draw the grid (column titles over rows of images, each pixel a `scale × scale` square) on a
/// drawing area, from its top-left corner.
pub fn draw_on(
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    width: usize,
    height: usize,
    scale: usize,
    titles: &[&str],
    rows: &[Vec<Vec<f64>>],
) -> Result<()> {
    let (cw, ch) = (width * scale, height * scale);
    let (gap, top) = (GAP, TOP);
    let err = |e: DrawingAreaErrorKind<_>| anyhow::anyhow!("{e}");
    for (c, t) in titles.iter().enumerate() {
        let x = (gap + c * (cw + gap)) as i32;
        root.draw(&Text::new(t.to_string(), (x, 6), ("sans-serif", 16)))
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, img) in row.iter().enumerate() {
            let x0 = gap + c * (cw + gap);
            let y0 = top + r * (ch + gap);
            for py in 0..height {
                for px in 0..width {
                    let v = img.get(py * width + px).copied().unwrap_or(0.0);
                    let g = (255.0 * (1.0 - (v.clamp(-1.0, 1.0) + 1.0) / 2.0)).round() as u8;
                    let (x, y) = ((x0 + px * scale) as i32, (y0 + py * scale) as i32);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + scale as i32, y + scale as i32)],
                        RGBColor(g, g, g).filled(),
                    ))
                    .map_err(err)?;
                }
            }
            root.draw(&Rectangle::new(
                [
                    (x0 as i32 - 1, y0 as i32 - 1),
                    ((x0 + cw) as i32, (y0 + ch) as i32),
                ],
                BLACK.mix(0.3),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}
