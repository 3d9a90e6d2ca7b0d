//! Data export (Art. 15, 20): the JSON document, and the ZIP or JSON file with its manifest.

use std::path::{Path, PathBuf};

use super::Engine;
use super::requests::{Answering, answering};
use crate::core::error::{Error, Result};
use crate::core::export::compressor::Compressor;
use crate::core::export::document::{FanOut, Writer};
use crate::core::export::html::HtmlWriter;
use crate::core::export::information::Inputs;
use crate::core::export::json::JsonWriter;
use crate::core::export::package;
use crate::core::input::KeyValues;
use crate::core::options::Options;
use crate::core::output::{self, Answered};
use crate::core::rules::ident;
use crate::core::store::export::{self, Outcome};
use crate::core::store::tables::Tables;
use crate::core::store::walk::Scope;
use crate::core::time::Timestamp;

/// What `exportTo` wrote: the file, its digest and what it holds.
#[derive(Debug, Clone)]
pub struct ExportManifest {
    pub file_format: &'static str,
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub files: Vec<package::Packed>,
    pub outcome: Outcome,
}

impl Engine {
    /// Runs an export into `writer` and records it in the request log (also when it fails).
    fn run_export(
        &self,
        customer_id: u64,
        writer: &mut dyn Writer,
        format: &'static str,
        answering: &Answering,
    ) -> Result<Outcome> {
        let keyring = self.config.keyring();
        let started = Timestamp::now();
        let result = self.session(async |session| {
            let scope = Scope {
                tables: session.tables(),
                keyring: &keyring,
            };
            export::export(
                session,
                &scope,
                customer_id,
                started,
                &self.information_inputs(),
                writer,
            )
            .await
        });
        self.logged(
            "export",
            answering,
            started,
            result,
            |o| output::export_summary(o, format),
            serde_json::json!({ "format": format }),
        )
    }

    /// What the Art. 15(1) information of an export is built from.
    fn information_inputs(&self) -> Inputs<'_> {
        Inputs {
            shop: &self.config.export_information,
            retention: self.config.retention,
            recommend_min_customers: self.config.recommend_min_customers,
            strategies: &self.config.erase_strategies,
            retention_years: &self.config.retention_years,
        }
    }

    /// Everything the shop holds about the customer, as the JSON document `dsgvo-export/1`.
    pub fn export(&self, customer_id: i64) -> Result<String> {
        let customer_id = ident::customer_id(customer_id)?;
        let mut writer = JsonWriter::new(Vec::new());
        self.run_export(customer_id, &mut writer, "json", &Answering::default())?;
        String::from_utf8(writer.into_inner())
            .map_err(|_| Error::File("the export is not valid UTF-8".into()))
    }

    /// Writes the export to `path` as a ZIP (export.json, one CSV per section, index.html,
    /// manifest.json) or as JSON; atomically, never leaving a partial file. Returns the manifest.
    pub fn export_to(
        &self,
        customer_id: i64,
        path: &str,
        format: &str,
        options: KeyValues,
    ) -> Result<Answered<ExportManifest>> {
        let customer_id = ident::customer_id(customer_id)?;
        let file_format = match format {
            "zip" => "zip",
            "json" => "json",
            other => {
                return Err(Error::invalid_input(format!(
                    "format must be 'zip' or 'json', got {}",
                    ident::shown(other)
                )));
            }
        };
        let mut options = Options::new("exportTo", options);
        let overwrite = options.flag("overwrite")?;
        let mut answering = answering(&mut options, Timestamp::now())?;
        options.finish()?;
        let target = export_target(path, overwrite)?;
        self.check_answering(&mut answering, "export", customer_id)?;
        let work = package::WorkDir::beside(&target).map_err(|e| file_error(&target, e))?;
        let io = |e| file_error(&target, e);

        let (outcome, finished, files) = if file_format == "zip" {
            let compressor = Compressor::new(work.path()).map_err(io)?;
            let mut json = JsonWriter::new(compressor.file("export.json").map_err(io)?);
            let mut html = HtmlWriter::new(compressor.file("index.html").map_err(io)?);
            let mut csv = package::CsvFiles::new(&compressor);
            let outcome = self.run_export(
                customer_id,
                &mut FanOut(vec![&mut json, &mut html, &mut csv]),
                "zip",
                &answering,
            )?;
            json.into_inner().close().map_err(io)?;
            html.into_inner().close().map_err(io)?;
            let csv_files = std::mem::take(&mut csv.files);
            drop(csv);
            let mut parts = compressor.finish().map_err(io)?;
            // The package's order: export.json, the sections' CSV files, index.html.
            let order: Vec<&str> = std::iter::once("export.json")
                .chain(csv_files.iter().map(String::as_str))
                .chain(std::iter::once("index.html"))
                .collect();
            parts.sort_by_key(|p| order.iter().position(|name| *name == p.name));
            let zip_path = work.path().join("export.zip");
            let files = package::zip(
                &parts,
                &zip_path,
                &Timestamp::now().to_string(),
                &outcome.information,
            )
            .map_err(io)?;
            (outcome, zip_path, files)
        } else {
            let json_path = work.path().join("export.json");
            let mut json = JsonWriter::new(std::io::BufWriter::new(
                package::private_file(&json_path).map_err(io)?,
            ));
            let outcome = self.run_export(customer_id, &mut json, "json", &answering)?;
            drop(json);
            let (sha256, bytes) = package::sha256_of(&json_path).map_err(io)?;
            let files = vec![package::Packed {
                name: "export.json".into(),
                sha256,
                bytes,
            }];
            (outcome, json_path, files)
        };
        let (sha256, bytes) = package::sha256_of(&finished).map_err(io)?;
        package::publish(&finished, &target, overwrite).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::invalid_input(format!(
                    "{} exists; pass ['overwrite' => true] to replace it",
                    target.display()
                ))
            } else {
                io(e)
            }
        })?;
        Ok(Answered {
            result: ExportManifest {
                file_format,
                path: target,
                bytes,
                sha256,
                files,
                outcome,
            },
            request_id: answering.request_id,
        })
    }

    /// The data map for this store's shop preset: every table with personal data, how a customer's
    /// rows are found, which columns are secrets, and what erasure does.
    pub fn data_map(&self) -> Vec<serde_json::Value> {
        let scope = Scope {
            tables: Tables::of(&self.config),
            keyring: &[],
        };
        crate::core::datamap::entries(self.config.shop)
            .into_iter()
            .map(|e| e.describe(scope.table(e)))
            .collect()
    }
}

/// The file an export goes to: a path in an existing directory, not a directory itself.
fn export_target(path: &str, overwrite: bool) -> Result<PathBuf> {
    let invalid =
        |why: &str| Error::invalid_input(format!("export path {}: {why}", ident::shown(path)));
    if path.is_empty() || path.contains('\0') {
        return Err(invalid("must be a file path"));
    }
    let target = PathBuf::from(path);
    if target.is_dir() {
        return Err(invalid("is a directory; name the file to write"));
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(invalid("its directory does not exist"));
    }
    if package::occupied(&target) && !overwrite {
        return Err(invalid("exists; pass ['overwrite' => true] to replace it"));
    }
    Ok(target)
}

fn file_error(target: &Path, e: std::io::Error) -> Error {
    Error::File(format!(
        "cannot write the export to {}: {e}",
        target.display()
    ))
}
