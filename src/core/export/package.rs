//! Writing an export to a file: everything goes to a private temporary directory next to the target,
//! is packed (ZIP with manifest.json) or moved (JSON), and only then renamed onto the target path, so
//! no partial file is ever visible and a failure leaves nothing behind.
//!
//! An export is personal data: the working directory is 0700 and every file in it, the published one
//! included, is 0600, whatever the umask. The target is created exclusively (a hard link from the
//! finished file, which fails on any existing entry, a dangling symlink included), so of several
//! concurrent exports to one path without `overwrite` exactly one succeeds; with `overwrite` the file
//! is renamed over the target, which replaces a symlink itself and never writes through it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::core::export::cell::Cell;
use crate::core::export::compressor::{Compressor, Part, PartWriter};
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
        private_dir(&dir)?;
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

/// A new directory only its owner can enter (0700, whatever the umask).
pub fn private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().mode(0o700).create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}

/// A new file only its owner can read (0600, whatever the umask); fails if `path` exists.
pub fn private_file(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// One CSV file per section, in `sections/`, compressed as it is written.
pub struct CsvFiles<'a> {
    compressor: &'a Compressor,
    current: Option<PartWriter>,
    /// Scratch text for the cells that are not text already.
    scratch: String,
    pub files: Vec<String>,
}

impl<'a> CsvFiles<'a> {
    pub fn new(compressor: &'a Compressor) -> CsvFiles<'a> {
        CsvFiles {
            compressor,
            current: None,
            scratch: String::new(),
            files: Vec::new(),
        }
    }
}

impl Writer for CsvFiles<'_> {
    fn begin(&mut self, _head: &Head) -> io::Result<()> {
        Ok(())
    }

    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()> {
        // Section ids are identifiers from the data map; numbered so a file browser keeps their order.
        let name = format!("sections/{:02}-{}.csv", self.files.len() + 1, section.id);
        let mut out = self.compressor.file(&name)?;
        csv::write_header(&mut out, columns)?;
        self.current = Some(out);
        self.files.push(name);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        match &mut self.current {
            Some(out) => csv::write_row(out, cells, &mut self.scratch),
            None => Ok(()),
        }
    }

    fn section_end(&mut self, _error: Option<&str>) -> io::Result<()> {
        match self.current.take() {
            Some(out) => out.close(),
            None => Ok(()),
        }
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

/// Packs the compressed files (in this order, copied as they are) and a manifest.json into a ZIP at
/// `zip_path`.
pub fn zip(
    parts: &[Part],
    zip_path: &Path,
    generated_at: &str,
    information: &serde_json::Value,
) -> io::Result<Vec<Packed>> {
    let file = private_file(zip_path)?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    let mut packed = Vec::with_capacity(parts.len() + 1);
    for part in parts {
        let mut archive = ZipArchive::new(File::open(&part.zip)?).map_err(io::Error::other)?;
        let entry = archive.by_index_raw(0).map_err(io::Error::other)?;
        zip.raw_copy_file(entry).map_err(io::Error::other)?;
        packed.push(Packed {
            name: part.name.clone(),
            sha256: part.sha256.clone(),
            bytes: part.bytes,
        });
    }
    let files = files_json(&packed);
    let manifest = serde_json::json!({
        "format": FORMAT,
        "generated_at": generated_at,
        "generator": format!("dsgvo {}", crate::build_info::VERSION),
        "hash": "sha256",
        "files": files,
        // Art. 15(1) GDPR: the same information as in export.json and index.html.
        "information": information,
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

/// Puts the finished file at the target. Without `overwrite` the target is created exclusively: a
/// hard link, which fails with `AlreadyExists` on any entry there (a file, a directory, a symlink,
/// dangling or not) and leaves it as it was; where the file system has no hard links, the name is
/// claimed with `O_CREAT|O_EXCL` and the file renamed over the claim. With `overwrite` the file is
/// renamed onto the target, atomically, replacing a symlink rather than writing through it.
pub fn publish(finished: &Path, target: &Path, overwrite: bool) -> io::Result<()> {
    File::open(finished)?.sync_all()?;
    if overwrite {
        return fs::rename(finished, target);
    }
    match fs::hard_link(finished, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            drop(private_file(target)?);
            fs::rename(finished, target).inspect_err(|_| {
                let _ = fs::remove_file(target);
            })
        }
    }
}

/// Whether anything is at `path`, a dangling symlink included (`Path::exists` follows links).
pub fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// SHA-256 of a whole file.
pub fn sha256_of(path: &Path) -> io::Result<(String, u64)> {
    copy_hashed(path, &mut io::sink())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(name: &str) -> PathBuf {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).unwrap();
        let dir = std::env::temp_dir().join(format!("dsgvo-package-{name}-{}", hex(&random)));
        fs::create_dir(&dir).unwrap();
        dir
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn finished_file(dir: &Path, content: &str) -> PathBuf {
        let work = dir.join(format!(".work-{content}"));
        private_dir(&work).unwrap();
        let path = work.join("export.zip");
        private_file(&path)
            .unwrap()
            .write_all(content.as_bytes())
            .unwrap();
        path
    }

    #[test]
    fn work_dir_and_files_are_private() {
        let dir = scratch("private");
        let work = WorkDir::beside(&dir.join("out.zip")).unwrap();
        assert_eq!(mode(work.path()), 0o700);
        let file = work.path().join("export.json");
        drop(private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        assert!(
            private_file(&file).is_err(),
            "private_file must not reuse a file"
        );
        drop(work);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn publish_creates_the_target_exclusively() {
        let dir = scratch("publish");
        let target = dir.join("out.zip");
        publish(&finished_file(&dir, "first"), &target, false).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "first");
        assert_eq!(mode(&target), 0o600);
        let refused = publish(&finished_file(&dir, "second"), &target, false).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&target).unwrap(), "first");
        publish(&finished_file(&dir, "third"), &target, true).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "third");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_symlink_at_the_target_is_refused_or_replaced_never_followed() {
        let dir = scratch("symlink");
        let elsewhere = dir.join("elsewhere.txt");
        let target = dir.join("out.zip");
        symlink(&elsewhere, &target).unwrap();
        assert!(occupied(&target) && !target.exists());
        let refused = publish(&finished_file(&dir, "a"), &target, false).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_link(&target).unwrap(), elsewhere);
        assert!(!elsewhere.exists());
        publish(&finished_file(&dir, "b"), &target, true).unwrap();
        assert!(
            !fs::symlink_metadata(&target)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "b");
        assert!(!elsewhere.exists(), "overwrite wrote through the symlink");
        fs::remove_dir_all(dir).unwrap();
    }
}
