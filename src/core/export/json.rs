//! export.json, written as the rows arrive (the document is never held whole unless the caller asks
//! for a string).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::core::export::cell::Cell;
use crate::core::export::document::{FORMAT, Head, Section, Skipped, Writer};

pub struct JsonWriter<W: Write> {
    out: W,
    /// Each column's key as it is written before its value: `"name":`.
    keys: Vec<Vec<u8>>,
    first_section: bool,
    first_row: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W) -> Self {
        JsonWriter {
            out,
            keys: Vec::new(),
            first_section: true,
            first_row: true,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn value(&mut self, v: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::other)
    }
}

impl<W: Write> Writer for JsonWriter<W> {
    fn begin(&mut self, head: &Head) -> io::Result<()> {
        write!(self.out, "{{\"format\":")?;
        self.value(&json!(FORMAT))?;
        write!(self.out, ",\"generated_at\":")?;
        self.value(&json!(head.generated_at))?;
        write!(self.out, ",\"generator\":")?;
        self.value(&json!(format!("dsgvo {}", crate::build_info::VERSION)))?;
        write!(self.out, ",\"shop\":")?;
        self.value(&json!(head.shop))?;
        write!(self.out, ",\"subject\":")?;
        self.value(&json!({ "customer_id": head.customer_id, "emails": head.emails }))?;
        write!(self.out, ",\"information\":")?;
        self.value(&head.information)?;
        write!(self.out, ",\"sections\":[")
    }

    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()> {
        if !self.first_section {
            write!(self.out, ",")?;
        }
        self.first_section = false;
        self.first_row = true;
        self.keys = columns
            .iter()
            .map(|c| {
                let mut key = serde_json::to_vec(c).map_err(io::Error::other)?;
                key.push(b':');
                Ok(key)
            })
            .collect::<io::Result<_>>()?;
        write!(self.out, "\n{{\"id\":")?;
        self.value(&json!(section.id))?;
        write!(self.out, ",\"label\":")?;
        self.value(&json!({ "de": section.label_de, "en": section.label_en }))?;
        write!(self.out, ",\"table\":")?;
        self.value(&json!(section.table))?;
        write!(self.out, ",\"times\":")?;
        self.value(&json!(section.times))?;
        write!(self.out, ",\"items\":[")
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        if !self.first_row {
            write!(self.out, ",")?;
        }
        self.first_row = false;
        // Written field by field: no map per row (a history can have hundreds of thousands).
        self.out.write_all(b"\n{")?;
        for (i, (key, cell)) in self.keys.iter().zip(cells).enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(key)?;
            match cell {
                Cell::Text(text) => {
                    serde_json::to_writer(&mut self.out, text).map_err(io::Error::other)?
                }
                Cell::Int(n) => {
                    serde_json::to_writer(&mut self.out, n).map_err(io::Error::other)?
                }
                Cell::UInt(n) => {
                    serde_json::to_writer(&mut self.out, n).map_err(io::Error::other)?
                }
                Cell::Null => self.out.write_all(b"null")?,
                other => {
                    serde_json::to_writer(&mut self.out, &other.json()).map_err(io::Error::other)?
                }
            }
        }
        self.out.write_all(b"}")
    }

    fn section_end(&mut self, error: Option<&str>) -> io::Result<()> {
        write!(self.out, "],\"error\":")?;
        self.value(&json!(error))?;
        write!(self.out, "}}")
    }

    fn end(&mut self, skipped: &[Skipped]) -> io::Result<()> {
        write!(self.out, "],\"skipped\":")?;
        let skipped: Vec<Value> = skipped
            .iter()
            .map(|s| json!({ "id": s.id, "table": s.table, "reason": s.reason }))
            .collect();
        self.value(&Value::Array(skipped))?;
        writeln!(self.out, "}}")?;
        self.out.flush()
    }
}
