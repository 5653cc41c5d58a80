//! The report's plots — precision–recall curve, ROC curve and reliability
//! diagram — drawn by plotters into standalone SVG strings.
//!
//! Only plotters' SVG backend is used, without its font features: the backend
//! writes labels as SVG `<text>` elements that the browser sets in its own
//! sans-serif font, so no font file is read on the machine that draws. Text
//! in the SVG is XML-escaped by the backend.
//!
//! Every axis is a fraction in `[0, 1]`; points outside it or not finite
//! (which no metric should produce) are left out of the curves rather than
//! drawn off the axes.

use plotters::backend::SVGBackend;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::escape::escape_html;
use super::figures::{fraction, opt_fraction};
use super::model::{CategoryReport, ThresholdReport};

/// Width of each plot, in SVG user units (pixels at 100% zoom).
const WIDTH_PX: u32 = 400;
/// Height of each plot, in SVG user units.
const HEIGHT_PX: u32 = 380;

const MODEL: RGBColor = RGBColor(31, 119, 180);
const THRESHOLD: RGBColor = RGBColor(214, 39, 40);
const CHANCE: RGBColor = RGBColor(120, 120, 120);
const FONT: &str = "sans-serif";

type DrawError = DrawingAreaErrorKind<std::io::Error>;
type Root<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type UnitChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The precision–recall curve of a category, with the chance level
/// (prevalence) and the policy's thresholds marked with their precision and
/// recall intervals.
pub fn pr_curve_svg(category: &CategoryReport) -> String {
    let title = format!("Precision–recall: {}", category.category);
    render(&title, |root| {
        let mut chart = unit_chart(root, &title, "Recall", "Precision")?;
        let curve = unit_points(&category.pr_curve);
        if curve.is_empty() {
            no_data(&mut chart, "no curve (no positive labels)")?;
        } else {
            let auprc = opt_fraction(category.auprc.map(|e| e.value));
            draw_curve(&mut chart, curve, &format!("model (AUPRC {auprc})"))?;
        }
        if in_unit(category.prevalence) {
            let level = category.prevalence;
            let label = format!("chance (prevalence {})", fraction(level));
            draw_dashed(&mut chart, vec![(0.0, level), (1.0, level)], &label)?;
        }
        let marks = category.thresholds.iter().filter_map(|t| {
            let (recall, precision) = (t.recall?, t.precision?);
            Some(ThresholdMark {
                threshold: t,
                x: (recall.value, recall.low, recall.high),
                y: (precision.value, precision.low, precision.high),
            })
        });
        draw_thresholds(&mut chart, marks)?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)
    })
}

/// The ROC curve of a category, with the chance diagonal and the policy's
/// thresholds marked at their false-positive and true-positive rates.
pub fn roc_curve_svg(category: &CategoryReport) -> String {
    let title = format!("ROC: {}", category.category);
    render(&title, |root| {
        let mut chart = unit_chart(root, &title, "False positive rate", "True positive rate")?;
        draw_dashed(&mut chart, vec![(0.0, 0.0), (1.0, 1.0)], "chance")?;
        let curve = unit_points(&category.roc_curve);
        if curve.is_empty() {
            no_data(&mut chart, "no curve (needs both labels)")?;
        } else {
            let auc = opt_fraction(category.roc_auc);
            draw_curve(&mut chart, curve, &format!("model (ROC AUC {auc})"))?;
        }
        let marks = category.thresholds.iter().filter_map(|t| {
            let (fpr, recall) = (t.fpr?, t.recall?);
            Some(ThresholdMark {
                threshold: t,
                x: (fpr.value, fpr.low, fpr.high),
                y: (recall.value, recall.low, recall.high),
            })
        });
        draw_thresholds(&mut chart, marks)?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

/// The reliability diagram of a category: observed frequency against mean
/// predicted probability per bin, with the diagonal of perfect calibration.
/// A bin's marker grows with the number of items in it.
pub fn reliability_svg(category: &CategoryReport) -> String {
    let title = format!("Reliability: {}", category.category);
    render(&title, |root| {
        let mut chart = unit_chart(
            root,
            &title,
            "Mean predicted probability",
            "Observed frequency",
        )?;
        draw_dashed(
            &mut chart,
            vec![(0.0, 0.0), (1.0, 1.0)],
            "perfect calibration",
        )?;
        let bins: Vec<(f64, f64, u64)> = category
            .reliability
            .iter()
            .filter(|p| in_unit(p.mean_predicted) && in_unit(p.observed))
            .map(|p| (p.mean_predicted, p.observed, p.count))
            .collect();
        if bins.is_empty() {
            return no_data(&mut chart, "no calibration bins");
        }
        let ece = opt_fraction(category.ece);
        let line = bins.iter().map(|&(x, y, _)| (x, y)).collect();
        draw_curve(&mut chart, line, &format!("model (ECE {ece})"))?;
        let largest = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1);
        chart.draw_series(bins.iter().map(|&(x, y, count)| {
            // Area, not radius, in proportion to the count.
            let radius = 2.0 + 6.0 * (count as f64 / largest as f64).sqrt();
            Circle::new((x, y), radius.round() as i32, MODEL.filled())
        }))?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Draws with `draw` into a fresh SVG; if plotters reports an error, returns
/// a small SVG that says so instead of a half-drawn one.
fn render(title: &str, draw: impl FnOnce(&Root<'_>) -> Result<(), DrawError>) -> String {
    let mut svg = String::new();
    let outcome = {
        let root = SVGBackend::with_string(&mut svg, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
    };
    match outcome {
        Ok(()) => svg,
        Err(error) => failure_svg(title, &error.to_string()),
    }
}

fn failure_svg(title: &str, error: &str) -> String {
    format!(
        concat!(
            r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">"#,
            r#"<rect width="100%" height="100%" fill="white" stroke="gray"/>"#,
            r#"<text x="12" y="30" font-family="sans-serif" font-size="14">{title}</text>"#,
            r#"<text x="12" y="56" font-family="sans-serif" font-size="12" fill="firebrick">plot could not be drawn: {error}</text>"#,
            "</svg>\n"
        ),
        w = WIDTH_PX,
        h = HEIGHT_PX,
        title = escape_html(title),
        error = escape_html(error),
    )
}

/// A chart with both axes on `[0, 1]` (and a little room beyond, so markers
/// on the edge stay whole), a light grid and the axis names.
fn unit_chart<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    x_name: &str,
    y_name: &str,
) -> Result<UnitChart<'a, 'b>, DrawError> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.02f64..1.02f64, -0.02f64..1.02f64)?;
    chart
        .configure_mesh()
        .x_desc(x_name)
        .y_desc(y_name)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 14))
        .draw()?;
    Ok(chart)
}

fn draw_curve(
    chart: &mut UnitChart<'_, '_>,
    points: Vec<(f64, f64)>,
    label: &str,
) -> Result<(), DrawError> {
    chart
        .draw_series(LineSeries::new(points, MODEL.stroke_width(2)))?
        .label(label)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], MODEL.stroke_width(2)));
    Ok(())
}

fn draw_dashed(
    chart: &mut UnitChart<'_, '_>,
    points: Vec<(f64, f64)>,
    label: &str,
) -> Result<(), DrawError> {
    let style = CHANCE.stroke_width(1);
    chart
        .draw_series(DashedLineSeries::new(points, 6, 4, style))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    Ok(())
}

/// A policy threshold placed on a plot: `(value, low, high)` on each axis.
struct ThresholdMark<'r> {
    threshold: &'r ThresholdReport,
    x: (f64, f64, f64),
    y: (f64, f64, f64),
}

/// Marks each threshold with a dot, its action and threshold as a label, and
/// whiskers for its intervals on both axes.
fn draw_thresholds<'r>(
    chart: &mut UnitChart<'_, '_>,
    marks: impl Iterator<Item = ThresholdMark<'r>>,
) -> Result<(), DrawError> {
    let marks: Vec<ThresholdMark<'r>> = marks
        .filter(|m| {
            [m.x, m.y]
                .iter()
                .all(|&(v, lo, hi)| in_unit(v) && in_unit(lo) && in_unit(hi))
        })
        .collect();
    if marks.is_empty() {
        return Ok(());
    }
    let whisker = THRESHOLD.stroke_width(1);
    chart.draw_series(marks.iter().flat_map(|m| {
        let (x, x_low, x_high) = m.x;
        let (y, y_low, y_high) = m.y;
        [
            PathElement::new(vec![(x_low, y), (x_high, y)], whisker),
            PathElement::new(vec![(x, y_low), (x, y_high)], whisker),
        ]
    }))?;
    chart
        .draw_series(marks.iter().map(|m| {
            let label = format!(
                "{} ≥ {}",
                m.threshold.action,
                fraction(m.threshold.threshold)
            );
            // Labels of marks near the right edge go to their left, to stay on the plot.
            let (dx, side) = if m.x.0 > 0.7 {
                (-6, HPos::Right)
            } else {
                (6, HPos::Left)
            };
            let font = TextStyle::from((FONT, 14).into_font())
                .color(&THRESHOLD)
                .pos(Pos::new(side, VPos::Top));
            EmptyElement::at((m.x.0, m.y.0))
                + Circle::new((0, 0), 4, THRESHOLD.filled())
                + Text::new(label, (dx, -18), font)
        }))?
        .label("policy thresholds (95% intervals)")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, THRESHOLD.filled()));
    Ok(())
}

fn no_data(chart: &mut UnitChart<'_, '_>, message: &str) -> Result<(), DrawError> {
    let style = TextStyle::from((FONT, 15).into_font())
        .color(&CHANCE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    chart.draw_series(std::iter::once(Text::new(
        message.to_string(),
        (0.5, 0.5),
        style,
    )))?;
    Ok(())
}

fn draw_legend<'a, 'b: 'a>(
    chart: &mut UnitChart<'a, 'b>,
    position: SeriesLabelPosition,
) -> Result<(), DrawError> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(8)
        .label_font((FONT, 14))
        // See-through, so a curve or chance line behind the legend still shows.
        .background_style(WHITE.mix(0.6))
        .border_style(BLACK.mix(0.3))
        .draw()
}

/// Whether `v` is a finite fraction, allowing for rounding at the ends.
fn in_unit(v: f64) -> bool {
    v.is_finite() && (-1e-9..=1.0 + 1e-9).contains(&v)
}

/// The points of a curve that lie on the unit square.
fn unit_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    points
        .iter()
        .copied()
        .filter(|&(x, y)| in_unit(x) && in_unit(y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_off_the_unit_square_are_left_out() {
        let points = [(0.0, 1.0), (f64::NAN, 0.5), (0.5, 1.5), (1.0, 0.2)];
        assert_eq!(unit_points(&points), vec![(0.0, 1.0), (1.0, 0.2)]);
    }

    #[test]
    fn failure_svg_escapes_its_text() {
        let svg = failure_svg("<b>", "a & b");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("&lt;b&gt;") && svg.contains("a &amp; b"));
    }
}
