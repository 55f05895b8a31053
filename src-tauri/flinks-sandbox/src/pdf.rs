//! The smallest PDF that PDF readers and `pdftotext` read as text: pages of lines in Courier,
//! uncompressed, with a correct cross-reference table. Written by hand because the sandbox only
//! needs statements a person or a parser can read, and a PDF crate would be most of its build.
//!
//! Courier is one of the fourteen fonts every reader has, so nothing is embedded; with
//! WinAnsiEncoding a byte is a Latin-1 character, and anything outside Latin-1 prints as `?`.

use std::fmt::Write as _;

/// Lines per page: 60 lines of 11 pt from the top margin leave a bottom margin on Letter.
pub const LINES_PER_PAGE: usize = 60;

/// A PDF with `lines` on as many Letter pages as they need, and `title` in its document
/// information. Equal input gives equal bytes: no dates, no random ids.
pub fn text_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(LINES_PER_PAGE).collect()
    };
    // Objects: 1 catalog, 2 page tree, 3 font, 4 info, then a page and its contents per page.
    let page_id = |i: usize| 5 + 2 * i;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_id(i)))
        .collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
        [
            b"<< /Title ".as_slice(),
            &literal(title),
            b" /Producer (Flinks Capital sandbox) >>",
        ]
        .concat(),
    ];
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page_id(i) + 1
            )
            .into_bytes(),
        );
        let content = content_stream(page);
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }

    // The second line's high bytes tell transfer tools the file is binary, as the spec advises.
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    // Each entry is exactly 20 bytes, its end of line included, as readers expect.
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        xref.push_str(&format!("{offset:010} 00000 n \n"));
    }
    let _ = write!(
        xref,
        "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(xref.as_bytes());
    out
}

/// One page's text: 9 pt Courier, 11 pt apart, from the top left margin.
fn content_stream(lines: &[String]) -> Vec<u8> {
    let mut out = b"BT\n/F1 9 Tf\n11 TL\n40 750 Td\n".to_vec();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"T*\n");
        }
        out.extend_from_slice(&literal(line));
        out.extend_from_slice(b" Tj\n");
    }
    out.extend_from_slice(b"ET");
    out
}

/// `text` as a PDF literal string in WinAnsi (Latin-1) bytes, its delimiters escaped.
fn literal(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => out.extend_from_slice(&[b'\\', c as u8]),
            ' '..='~' => out.push(c as u8),
            '\u{a0}'..='\u{ff}' => out.push(c as u32 as u8),
            _ => out.push(b'?'),
        }
    }
    out.push(b')');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let lines: Vec<String> = (0..130).map(|i| format!("line {i}")).collect();
        let pdf = text_pdf("Statement", &lines);
        assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("a startxref");
        // The table is ASCII, though the header's binary comment is not.
        let table = std::str::from_utf8(&pdf[startxref..]).unwrap();
        assert!(table.starts_with("xref\n0 11\n"));
        // 130 lines are three pages: 4 fixed objects and two per page.
        let entries: Vec<&str> = table.lines().skip(3).take(10).collect();
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(entry.len(), 19, "{entry:?} (20 bytes with its newline)");
            let offset: usize = entry[..10].parse().unwrap();
            let header = format!("{} 0 obj\n", i + 1);
            assert!(
                pdf[offset..].starts_with(header.as_bytes()),
                "object {}",
                i + 1
            );
        }
        assert!(text.contains("/Count 3"));
        assert!(text.contains("(line 0) Tj") && text.contains("(line 129) Tj"));
    }

    #[test]
    fn stream_lengths_are_exact() {
        let pdf = text_pdf("t", &["one".into(), "two".into()]);
        let text = String::from_utf8_lossy(&pdf);
        let at = text.find("/Length ").unwrap() + 8;
        let length: usize = text[at..].split(' ').next().unwrap().parse().unwrap();
        let start = find(&pdf, b"stream\n").unwrap() + 7;
        assert_eq!(&pdf[start + length..start + length + 10], b"\nendstream");
    }

    #[test]
    fn text_is_escaped_and_latin_1() {
        assert_eq!(literal("a (b) \\ c"), b"(a \\(b\\) \\\\ c)");
        assert_eq!(literal("Café €"), b"(Caf\xE9 ?)");
        let pdf = text_pdf("(x)", &[]);
        assert!(find(&pdf, b"/Title (\\(x\\))").is_some());
        assert!(
            find(&pdf, b"/Count 1").is_some(),
            "an empty document still has a page"
        );
    }

    /// What a real reader makes of it, where poppler's `pdftotext` is installed.
    #[test]
    fn pdftotext_reads_the_lines_back() {
        let lines = vec![
            "FLINKS CAPITAL".to_owned(),
            "2026-02-03  PAYROLL (ACME)   1,234.56".to_owned(),
        ];
        let pdf = text_pdf("Statement", &lines);
        let dir = std::env::temp_dir().join(format!("sandbox-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("s.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let run = std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(&file)
            .arg("-")
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        let Ok(out) = run else {
            eprintln!("pdftotext is not installed; the structure tests above still ran");
            return;
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Its layout may narrow the gaps between words; the words are what must be there.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = words(&String::from_utf8_lossy(&out.stdout));
        for line in &lines {
            assert!(text.contains(&words(line)), "{line:?} not in {text:?}");
        }
    }
}
