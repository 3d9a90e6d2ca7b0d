//! Writing an export to a file: everything goes to a private temporary directory next to the target,
//! is packed (ZIP with manifest.json) or moved (JSON), and only then renamed onto the target path, so
//! no partial file is ever visible and a failure leaves nothing behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::core::export::cell::Cell;
use crate::core::export::csv;
use crate::core::export::document::{FORMAT, Head, Section, Skipped, Writer};
use crate::core::ledger::hex;

/// A directory removed with everything in it when dropped.
pub struct WorkDir(PathBuf);

impl WorkDir {
    /// A fresh directory beside `target` (same file system, so the final rename is atomic).
    pub fn beside(target: &Path) -> io::Result<WorkDir> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(io::Error::other)?;
        let name = format!(
            ".{}.dsgvo-{}-{}",
            target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("export"),
            std::process::id(),
            hex(&random)
        );
        let dir = parent.join(name);
        fs::create_dir(&dir)?;
        Ok(WorkDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// One CSV file per section, in `sections/`.
pub struct CsvFiles {
    dir: PathBuf,
    current: Option<BufWriter<File>>,
    pub files: Vec<String>,
}

impl CsvFiles {
    pub fn new(work: &Path) -> io::Result<CsvFiles> {
        let dir = work.join("sections");
        fs::create_dir(&dir)?;
        Ok(CsvFiles {
            dir,
            current: None,
            files: Vec::new(),
        })
    }
}

impl Writer for CsvFiles {
    fn begin(&mut self, _head: &Head) -> io::Result<()> {
        Ok(())
    }

    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()> {
        // Section ids are identifiers from the data map; numbered so a file browser keeps their order.
        let name = format!("{:02}-{}.csv", self.files.len() + 1, section.id);
        let mut out = BufWriter::new(File::create(self.dir.join(&name))?);
        csv::write_header(&mut out, columns)?;
        self.current = Some(out);
        self.files.push(format!("sections/{name}"));
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        match &mut self.current {
            Some(out) => csv::write_row(out, cells),
            None => Ok(()),
        }
    }

    fn section_end(&mut self, _error: Option<&str>) -> io::Result<()> {
        if let Some(mut out) = self.current.take() {
            out.flush()?;
        }
        Ok(())
    }

    fn end(&mut self, _skipped: &[Skipped]) -> io::Result<()> {
        Ok(())
    }
}

/// A file of the package with its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// `{name: {sha256, bytes}}` in package order, as manifest.json and exportTo() show it.
pub fn files_json(files: &[Packed]) -> serde_json::Value {
    files
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                serde_json::json!({ "sha256": f.sha256, "bytes": f.bytes }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Copies `source` into the open ZIP entry (or any writer), hashing as it goes.
fn copy_hashed(source: &Path, into: &mut impl Write) -> io::Result<(String, u64)> {
    let mut file = File::open(source)?;
    let mut sha = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        sha.update(&buffer[..n]);
        into.write_all(&buffer[..n])?;
        total += n as u64;
    }
    Ok((hex(&sha.finalize()), total))
}

/// Packs the work directory's files (in this order) and a manifest.json into a ZIP at `zip_path`.
pub fn zip(
    work: &Path,
    names: &[String],
    zip_path: &Path,
    generated_at: &str,
) -> io::Result<Vec<Packed>> {
    let file = File::create(zip_path)?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    let mut packed = Vec::with_capacity(names.len() + 1);
    for name in names {
        zip.start_file(name.as_str(), options)
            .map_err(io::Error::other)?;
        let (sha256, bytes) = copy_hashed(&work.join(name), &mut zip)?;
        packed.push(Packed {
            name: name.clone(),
            sha256,
            bytes,
        });
    }
    let files = files_json(&packed);
    let manifest = serde_json::json!({
        "format": FORMAT,
        "generated_at": generated_at,
        "generator": format!("dsgvo {}", crate::build_info::VERSION),
        "hash": "sha256",
        "files": files,
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    zip.start_file("manifest.json", options)
        .map_err(io::Error::other)?;
    zip.write_all(&manifest)?;
    packed.push(Packed {
        name: "manifest.json".into(),
        sha256: hex(&Sha256::digest(&manifest)),
        bytes: manifest.len() as u64,
    });
    let out = zip.finish().map_err(io::Error::other)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(packed)
}

/// Moves the finished file onto the target: refused if the target exists unless `overwrite`.
pub fn publish(finished: &Path, target: &Path, overwrite: bool) -> io::Result<()> {
    if !overwrite && target.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the target exists",
        ));
    }
    File::open(finished)?.sync_all()?;
    fs::rename(finished, target)
}

/// SHA-256 of a whole file.
pub fn sha256_of(path: &Path) -> io::Result<(String, u64)> {
    copy_hashed(path, &mut io::sink())
}
