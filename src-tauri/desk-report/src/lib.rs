//! The credit file of a run: a PDF report and an Excel workbook, made from
//! [`desk_core::credit_file::CreditFile`] (gathered by `Desk::credit_file`), so both carry the
//! same values, decision and reasons, and neither reads the store.
//!
//! Both are the same bytes whenever they are made from the same stored run: no clock, no
//! random identifier; the moment written in them is the record's.

mod error;
pub mod pdf;
mod write;
pub mod xlsx;

pub use error::ReportError;
pub use pdf::pdf;
pub use write::{
    file_name, portfolio_file_name, write_pdf, write_portfolio, write_workbook, Written,
};
pub use xlsx::{portfolio_workbook, workbook};
