//! The data export (Art. 15 and 20 GDPR): writers for JSON, CSV and HTML fed from one stream of rows,
//! and the ZIP package with its manifest. What is exported comes from the data map (core/datamap).

pub mod cell;
pub mod compressor;
pub mod csv;
pub mod document;
pub mod html;
pub mod information;
pub mod json;
pub mod package;
