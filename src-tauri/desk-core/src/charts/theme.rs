//! Light and dark: text, axes and grid are `currentColor` and the background is a `chart-bg`
//! rectangle, so CSS decides both, and always together: no renderer can end up with light
//! text on a light card. An SVG inlined in the page takes them from the app's style sheet
//! (`.desk-chart { color }` and `.desk-chart .chart-bg { fill }`, or the `--chart-ink` and
//! `--chart-bg` properties), so it follows whatever theme the app shows; that also holds under
//! the app's CSP, which blocks the SVG's own `<style>`. The SVG's own style sheet serves where
//! the page's CSS cannot reach (an `<img>`, a saved file): light, or dark under
//! `prefers-color-scheme` where the renderer tells an image the scheme (WebKitGTK 2.50 does
//! not, so there the chart stays a light card); a renderer without CSS gets the light colours
//! written in the attributes. The data colours cannot be `currentColor` (each account needs a
//! hue of its own), so they are chosen to stand out on both backgrounds: each has at least 3:1
//! contrast, WCAG's minimum for graphics, against the light and the dark panel (a unit test
//! checks it).

use plotters::style::RGBColor;

/// Text, axes and grid. Drawn in the light theme's ink, then written as `currentColor`.
pub(super) const INK: RGBColor = RGBColor(0x1b, 0x24, 0x30);
/// The background, light theme; the SVG's style sheet recolours it.
pub(super) const PAPER: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// The dark theme's ink and panel, as in the app's ui/style.css.
const DARK_INK: RGBColor = RGBColor(0xe6, 0xea, 0xef);
const DARK_PAPER: RGBColor = RGBColor(0x1d, 0x23, 0x2b);
/// One colour per account, told apart by hue (blue, orange, green, purple, ochre, magenta: the
/// usual colour-blind-safe order), each readable on both backgrounds.
pub(super) const SERIES: [RGBColor; 6] = [
    RGBColor(0x2f, 0x7f, 0xc1),
    RGBColor(0xd9, 0x5f, 0x02),
    RGBColor(0x16, 0x8a, 0x68),
    RGBColor(0x8a, 0x6f, 0xd1),
    RGBColor(0xa0, 0x79, 0x0a),
    RGBColor(0xc2, 0x39, 0x9a),
];
pub(super) const BAR: RGBColor = SERIES[0];
pub(super) const NEGATIVE: RGBColor = RGBColor(0xe0, 0x45, 0x2f);

fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The style sheet every chart carries; see the module's comment. Each colour is given twice:
/// the plain one for renderers that do not know `var()`.
fn style() -> String {
    let theme = |ink: RGBColor, paper: RGBColor| {
        let (ink, paper) = (css(ink), css(paper));
        format!(
            ".desk-chart{{color:{ink};color:var(--chart-ink,{ink})}}\
             .desk-chart .chart-bg{{fill:{paper};fill:var(--chart-bg,{paper})}}"
        )
    };
    format!(
        "<style>{}@media (prefers-color-scheme:dark){{{}}}</style>\n",
        theme(INK, PAPER),
        theme(DARK_INK, DARK_PAPER)
    )
}

/// Turns plotters' fixed colours into the themable ones. Text is escaped by plotters (a quote
/// becomes `&quot;`), so an attribute value like `"#1B2430"` can only be a colour plotters wrote.
pub(super) fn themed(svg: String) -> String {
    let hex = |c: RGBColor| format!("\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
    let svg = svg
        .replace(&hex(INK), "\"currentColor\"")
        .replace(
            &format!("fill={}", hex(PAPER)),
            &format!("class=\"chart-bg\" fill={}", hex(PAPER)),
        )
        .replacen("<svg ", "<svg class=\"desk-chart\" ", 1);
    let root_end = svg
        .find("<svg ")
        .and_then(|start| Some(start + svg[start..].find('>')?));
    match root_end {
        Some(end) => format!(
            "{}\n{}{}",
            &svg[..=end],
            style(),
            svg[end + 1..].trim_start()
        ),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative_luminance(c: RGBColor) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (relative_luminance(a), relative_luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn colours_are_readable_on_the_light_and_the_dark_panel() {
        for (ink, paper) in [(INK, PAPER), (DARK_INK, DARK_PAPER)] {
            assert!(contrast(ink, paper) >= 7.0, "text {ink:?} on {paper:?}");
        }
        for colour in SERIES.iter().chain([&NEGATIVE]) {
            for paper in [PAPER, DARK_PAPER] {
                let c = contrast(*colour, paper);
                assert!(c >= 3.0, "{colour:?} on {paper:?}: {c:.2}");
            }
        }
    }
}
