//! The results: a Markdown table and an SVG chart of latency against load.

use std::fmt::Write as _;

use crate::scenario::Row;

fn cell(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

fn thousands(value: Option<f64>) -> String {
    value.map_or_else(
        || "-".to_owned(),
        |v| {
            let n = v.round() as u64;
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        },
    )
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | server | clients | load | deliveries/s | stored/s | p50 ms | p99 ms | KiB/conn | CPU % | RSS MiB | note |\n\
         | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.target,
            r.clients,
            r.load,
            thousands(r.deliveries_per_s),
            thousands(r.stored_per_s),
            cell(r.p50_ms, 2),
            cell(r.p99_ms, 2),
            cell(r.kib_per_conn, 1),
            cell(r.cpu_percent, 0),
            cell(r.rss_mib, 1),
            r.note
        );
    }
    out
}

/// One line of the chart: a server's p99 latency at each load.
pub struct Series {
    pub name: String,
    /// (messages per second into the room, p99 ms)
    pub points: Vec<(f64, f64)>,
}

const COLORS: [&str; 6] = [
    "#4f46e5", "#16a34a", "#dc2626", "#d97706", "#0891b2", "#6b7280",
];

/// p99 latency (log scale) against offered load, one line per server.
pub fn chart(title: &str, series: &[Series]) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 420.0, 70.0, 170.0, 40.0, 50.0);
    let all = series.iter().flat_map(|s| s.points.iter());
    let max_x = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let min_y = all.clone().map(|p| p.1).fold(f64::MAX, f64::min).max(0.01);
    let max_y = all.map(|p| p.1).fold(0.1, f64::max);
    let (ly0, ly1) = (
        min_y.log10().floor(),
        max_y.log10().ceil().max(min_y.log10().floor() + 1.0),
    );
    let x = |v: f64| left + (w - left - right) * v / max_x;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v.max(0.01).log10() - ly0) / (ly1 - ly0));
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" font-family="system-ui, sans-serif" font-size="12">
<rect width="{w}" height="{h}" fill="white"/>
<text x="{left}" y="24" font-size="15" font-weight="600">{title}</text>
"#
    );
    let mut decade = ly0;
    while decade <= ly1 {
        let v = 10f64.powf(decade);
        let yy = y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e5e7eb"/><text x="{}" y="{:.1}" text-anchor="end">{v} ms</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0
        );
        decade += 1.0;
    }
    for i in 0..=4 {
        let v = max_x * f64::from(i) / 4.0;
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{}" text-anchor="middle">{v:.0}</text>"##,
            x(v),
            h - bottom + 18.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{}" text-anchor="middle">messages/s into the room (p99 latency, log scale)</text>"##,
        left + (w - left - right) / 2.0,
        h - 10.0
    );
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> = s
            .points
            .iter()
            .map(|(a, b)| format!("{:.1},{:.1}", x(*a), y(*b)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        for (a, b) in &s.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                x(*a),
                y(*b)
            );
        }
        let ly = top + 20.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="{}" y="{:.1}" width="12" height="3" fill="{color}"/><text x="{}" y="{:.1}">{}</text>"#,
            w - right + 16.0,
            ly,
            w - right + 34.0,
            ly + 4.0,
            s.name
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_chart_render() {
        let row = Row {
            scenario: "S2".into(),
            target: "confab".into(),
            clients: 1000,
            deliveries_per_s: Some(1_234_567.0),
            ..Row::default()
        };
        assert!(table(&[row]).contains("| S2 | confab | 1000 |  | 1,234,567 |"));
        let svg = chart(
            "t",
            &[Series {
                name: "a".into(),
                points: vec![(10.0, 1.0), (100.0, 2.5)],
            }],
        );
        assert!(svg.starts_with("<svg") && svg.contains("<polyline"));
    }
}
