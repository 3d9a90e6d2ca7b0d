//! The export document's parts and the interface every output format implements, so rows stream from
//! the database into all formats at once.

use std::io;

use crate::core::export::cell::Cell;

pub const FORMAT: &str = "dsgvo-export/1";

/// What the document says about its subject.
#[derive(Debug, Clone)]
pub struct Head {
    pub generated_at: String,
    pub customer_id: u64,
    pub emails: Vec<String>,
    pub shop: String,
    /// The Art. 15(1) information (export/information.rs).
    pub information: serde_json::Value,
}

/// One section: the rows of one table.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub label_de: String,
    pub label_en: String,
    /// The table as named in the database.
    pub table: String,
    /// How the times of this table are to be read: "UTC" (the extension's tables) or "shop-local".
    pub times: &'static str,
}

/// A mapped table this shop's database does not have.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub id: String,
    pub table: String,
    pub reason: String,
}

/// One output format.
pub trait Writer {
    fn begin(&mut self, head: &Head) -> io::Result<()>;
    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> io::Result<()>;
    /// `error`: why the section is incomplete (reported, and the rest still exported).
    fn section_end(&mut self, error: Option<&str>) -> io::Result<()>;
    fn end(&mut self, skipped: &[Skipped]) -> io::Result<()>;
}

/// Several formats fed from one stream of rows.
pub struct FanOut<'a>(pub Vec<&'a mut dyn Writer>);

impl Writer for FanOut<'_> {
    fn begin(&mut self, head: &Head) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|w| w.begin(head))
    }
    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()> {
        self.0
            .iter_mut()
            .try_for_each(|w| w.section(section, columns))
    }
    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|w| w.row(cells))
    }
    fn section_end(&mut self, error: Option<&str>) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|w| w.section_end(error))
    }
    fn end(&mut self, skipped: &[Skipped]) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|w| w.end(skipped))
    }
}
