//! The AUPRC-against-labels plot, drawn by plotters' SVG backend: one line per
//! strategy (mean over seeds) with ±1 sd bars.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use crate::args::Args;
use crate::report::Summary;

const COLOURS: [RGBColor; 2] = [RGBColor(214, 39, 40), RGBColor(31, 119, 180)];

/// The plot as a standalone SVG document.
pub fn svg(summary: &Summary, a: &Args) -> Result<String> {
    let mut body = String::new();
    {
        let root = SVGBackend::with_string(&mut body, (640, 420)).into_drawing_area();
        draw(&root, summary, a).map_err(|e| anyhow!("drawing the plot: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing the plot: {e}"))?;
    }
    Ok(body)
}

type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    summary: &Summary,
    a: &Args,
) -> DrawResult {
    root.fill(&WHITE)?;
    let points = summary.curves.iter().flat_map(|c| c.1.iter());
    let max_labels = points.clone().map(|p| p.labels).max().unwrap_or(1).max(1) as f64;
    let lo = points
        .clone()
        .map(|p| p.mean - p.sd)
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .map(|p| p.mean + p.sd)
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo < hi {
        (lo - 0.02, hi + 0.02)
    } else {
        (0.0, 1.0)
    };
    let title = format!(
        "{} AUPRC on {} ({:?}) vs labels; start: {}",
        a.category, a.pool, a.eval, a.start
    );
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_labels * 1.02, lo.max(0.0)..hi.min(1.0))?;
    chart
        .configure_mesh()
        .x_desc("labels from the simulated reviewer")
        .y_desc("AUPRC (mean ± sd over seeds)")
        .label_style(("sans-serif", 12))
        .draw()?;
    for ((name, curve), colour) in summary.curves.iter().zip(COLOURS) {
        let line: Vec<(f64, f64)> = curve.iter().map(|p| (p.labels as f64, p.mean)).collect();
        chart
            .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        chart.draw_series(
            line.iter()
                .map(|&(x, y)| Circle::new((x, y), 3, colour.filled())),
        )?;
        chart.draw_series(curve.iter().map(|p| {
            let x = p.labels as f64;
            PathElement::new(
                vec![(x, p.mean - p.sd), (x, p.mean + p.sd)],
                colour.stroke_width(1),
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}
