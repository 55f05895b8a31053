//! The credit file as a PDF, laid out by Typst (used as a library, nothing read from disk or the
//! network): a summary page with the decision, the charts, every attribute, the transactions
//! behind each reason and the statements attached.
//!
//! The same [`CreditFile`] makes the same bytes: the fonts are shipped, the PDF's date is the
//! record's (`provenance.as_of`), its identifier is made from the run, and nothing reads a clock.

mod format;
mod report;

use std::collections::HashMap;

use chrono::{Datelike, Timelike};
use desk_core::credit_file::CreditFile;
use typst::diag::{FileError, FileResult, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::ReportError;

const TEMPLATE: &str = include_str!("pdf/credit_file.typ");

/// DejaVu Sans: every Latin letter a customer's name may hold, and the × − • the figures use.
static FONT_REGULAR: &[u8] = include_bytes!("../../desk-core/assets/DejaVuSans.ttf");
/// A real bold face, so headings are not smeared regular glyphs.
static FONT_BOLD: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

/// The credit file of one run as PDF bytes (US Letter).
pub fn pdf(file: &CreditFile) -> Result<Vec<u8>, ReportError> {
    let data = serde_json::to_vec(&report::report(file))
        .map_err(|e| ReportError::Layout(format!("the report's data: {e}")))?;
    let mut files = vec![("/data.json".to_owned(), data)];
    for (i, chart) in file.charts.iter().enumerate() {
        files.push((
            format!("/{}", report::chart_file(i)),
            printable(&chart.svg).into_bytes(),
        ));
    }
    let as_of = chrono::DateTime::parse_from_rfc3339(&file.provenance.as_of)
        .ok()
        .map(|t| t.to_utc());
    let world = ReportWorld::new(files, as_of.as_ref())?;

    let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
    let document = output.map_err(|e| ReportError::Layout(world.describe(&e)))?;

    let options = PdfOptions {
        // Hashed by typst-pdf into the PDF's /ID: the same run at the same moment, the same id.
        ident: Smart::Custom(format!(
            "flinks-desk/run-{}/{}",
            file.run_id, file.provenance.as_of
        )),
        // Typst's default names its version, which would change the bytes on an upgrade.
        creator: Smart::Custom(Some("Flinks Desk".into())),
        timestamp: as_of.as_ref().and_then(datetime).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|e| ReportError::Pdf(world.describe(&e)));
    // Typst memoizes its layout process-wide. The app lives for days and makes each report
    // once: drop it all, so memory does not grow with every file and each report (and the
    // report_all benchmark) pays for its own layout.
    typst::comemo::evict(0);
    pdf
}

/// The chart for paper: its own style sheet themes it with CSS custom properties and a dark
/// `prefers-color-scheme` block, which Typst's SVG reader resolves to a black card. Without the
/// sheet the chart keeps the light colours written in its attributes; `currentColor` (text,
/// axes) becomes the light theme's ink.
fn printable(svg: &str) -> String {
    let mut out = svg.to_owned();
    while let Some(start) = out.find("<style>") {
        let Some(len) = out[start..].find("</style>") else {
            break;
        };
        out.replace_range(start..start + len + "</style>".len(), "");
    }
    out.replace("currentColor", "#1B2430")
}

fn datetime(t: &chrono::DateTime<chrono::Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        t.year(),
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
        u8::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        u8::try_from(t.second()).ok()?,
    )
}

/// What Typst may read: the template, `data.json`, the charts' SVGs and the two shipped fonts.
/// Nothing else exists for it.
struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    source: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ReportError::Layout(format!("virtual file {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl ReportWorld {
    fn new(
        files: Vec<(String, Vec<u8>)>,
        as_of: Option<&chrono::DateTime<chrono::Utc>>,
    ) -> Result<Self, ReportError> {
        let fonts: Vec<Font> = [FONT_REGULAR, FONT_BOLD]
            .into_iter()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let main = file_id("/main.typ")?;
        let files = files
            .into_iter()
            .map(|(path, data)| Ok((file_id(&path)?, Bytes::new(data))))
            .collect::<Result<_, ReportError>>()?;
        Ok(ReportWorld {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            source: Source::new(main, TEMPLATE.to_owned()),
            files,
            today: as_of.and_then(|t| {
                Datetime::from_ymd(
                    t.year(),
                    u8::try_from(t.month()).ok()?,
                    u8::try_from(t.day()).ok()?,
                )
            }),
        })
    }

    /// Typst's messages, with the template's line for those about it.
    fn describe(&self, diagnostics: &[SourceDiagnostic]) -> String {
        diagnostics
            .iter()
            .map(|d| {
                let line = d
                    .span
                    .id()
                    .filter(|id| *id == self.main)
                    .and_then(|_| typst::WorldExt::range(self, d.span))
                    .and_then(|r| self.source.lines().byte_to_line(r.start))
                    .map(|l| format!(" (credit_file.typ:{})", l + 1))
                    .unwrap_or_default();
                let hints: String = d.hints.iter().map(|h| format!("; {}", h.v)).collect();
                format!("{}{line}{hints}", d.message)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            // The data files are read as data, never evaluated as markup.
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
