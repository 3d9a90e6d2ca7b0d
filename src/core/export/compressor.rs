//! The package's files, compressed while the export writes them: each file goes in chunks to a
//! worker thread, which hashes it (SHA-256) and deflates it into a one-entry ZIP in the work
//! directory; packing copies those entries into the package without deflating again. So the rows are
//! formatted (this thread) and compressed (the workers) side by side, and no uncompressed copy of an
//! export is written to disk or read back. The queue is bounded, so memory stays bounded.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::core::export::package::private_file;
use crate::core::ledger::hex;

/// Bytes a file collects before they go to the worker.
const CHUNK: usize = 256 * 1024;
/// Chunks waiting for a worker at most (a few MiB), so a slow disk cannot fill memory.
const QUEUE: usize = 8;
/// Worker threads: export.json and index.html, the two large files, are compressed side by side.
const WORKERS: usize = 2;
/// Deflate level: exports are repetitive text; the fastest level packs them within a few percent of
/// the default level at about half the time.
const LEVEL: i64 = 1;

/// A compressed file of the package.
#[derive(Debug)]
pub struct Part {
    /// Its name in the package.
    pub name: String,
    /// The one-entry ZIP that holds it.
    pub zip: PathBuf,
    /// SHA-256 and length of its uncompressed content.
    pub sha256: String,
    pub bytes: u64,
}

/// What a worker compressed, each file with the number it was opened under.
type Numbered = Vec<(usize, Part)>;

enum Message {
    Open { id: usize, name: String },
    Data { id: usize, chunk: Vec<u8> },
    Close { id: usize },
}

/// The workers and the ways to them. Dropping it waits for the workers, so nothing writes into the
/// work directory after its owner has gone on (e.g. to remove it).
pub struct Compressor {
    senders: Vec<SyncSender<Message>>,
    workers: Vec<JoinHandle<io::Result<Numbered>>>,
    next: AtomicUsize,
    /// Why a worker stopped, for the writers whose chunks it no longer takes.
    failure: Arc<Mutex<Option<String>>>,
}

impl Compressor {
    /// Starts the workers; their files go to `dir`.
    pub fn new(dir: &Path) -> io::Result<Compressor> {
        let failure = Arc::new(Mutex::new(None));
        let mut senders = Vec::with_capacity(WORKERS);
        let mut workers = Vec::with_capacity(WORKERS);
        for _ in 0..WORKERS {
            let (sender, receiver) = sync_channel(QUEUE);
            let dir = dir.to_owned();
            let seen = Arc::clone(&failure);
            let worker = std::thread::Builder::new()
                .name("dsgvo-export-zip".into())
                .spawn(move || {
                    work(&dir, receiver).inspect_err(|e| {
                        if let Ok(mut failure) = seen.lock() {
                            *failure = Some(e.to_string());
                        }
                    })
                });
            // On failure the ones started so far stop when `senders` is dropped.
            workers.push(worker?);
            senders.push(sender);
        }
        Ok(Compressor {
            senders,
            workers,
            next: AtomicUsize::new(0),
            failure,
        })
    }

    /// A new file of the package, named `name` in it. Files take turns among the workers.
    pub fn file(&self, name: &str) -> io::Result<PartWriter> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let sender = self
            .senders
            .get(id % WORKERS)
            .cloned()
            .ok_or_else(|| io::Error::other("the export's compressor has finished"))?;
        let writer = PartWriter {
            id,
            buffer: Vec::with_capacity(CHUNK),
            sender,
            failure: Arc::clone(&self.failure),
            closed: false,
        };
        writer.send(Message::Open {
            id,
            name: name.to_owned(),
        })?;
        Ok(writer)
    }

    /// Waits until every file is compressed (their writers must be gone); returns them in the order
    /// they were opened.
    pub fn finish(mut self) -> io::Result<Vec<Part>> {
        self.senders.clear();
        let mut parts = Vec::new();
        for worker in std::mem::take(&mut self.workers) {
            match worker.join() {
                Ok(done) => parts.extend(done?),
                Err(_) => return Err(io::Error::other("the export's compressor failed")),
            }
        }
        parts.sort_by_key(|(id, _)| *id);
        Ok(parts.into_iter().map(|(_, part)| part).collect())
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        self.senders.clear();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Writes one file of the package; closed when dropped.
pub struct PartWriter {
    id: usize,
    buffer: Vec<u8>,
    sender: SyncSender<Message>,
    failure: Arc<Mutex<Option<String>>>,
    closed: bool,
}

impl PartWriter {
    fn send(&self, message: Message) -> io::Result<()> {
        self.sender.send(message).map_err(|_| {
            let why = self.failure.lock().ok().and_then(|f| f.clone());
            io::Error::other(why.unwrap_or_else(|| "the export's compressor stopped".into()))
        })
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.send(Message::Data { id: self.id, chunk })
    }

    /// Hands the rest to the worker and ends the file.
    pub fn close(mut self) -> io::Result<()> {
        self.close_now()
    }

    fn close_now(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.send_buffer()?;
        self.send(Message::Close { id: self.id })
    }
}

impl Write for PartWriter {
    /// The writers make many small writes (a tag, a field): those only append.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.buffer.len() + bytes.len() <= CHUNK {
            self.buffer.extend_from_slice(bytes);
            return Ok(());
        }
        self.write(bytes).map(|_| ())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        // Sent before it would outgrow its allocation: no chunk is ever reallocated and copied.
        if self.buffer.len() + bytes.len() > CHUNK {
            self.send_buffer()?;
        }
        if bytes.len() >= CHUNK {
            self.send(Message::Data {
                id: self.id,
                chunk: bytes.to_vec(),
            })?;
        } else {
            self.buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffer()
    }
}

impl Drop for PartWriter {
    fn drop(&mut self) {
        let _ = self.close_now();
    }
}

/// A file the worker is compressing.
struct Open {
    name: String,
    path: PathBuf,
    zip: ZipWriter<BufWriter<File>>,
    sha: Sha256,
    bytes: u64,
}

fn work(dir: &Path, receiver: Receiver<Message>) -> io::Result<Numbered> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .large_file(false);
    let mut open: BTreeMap<usize, Open> = BTreeMap::new();
    let mut done: BTreeMap<usize, Part> = BTreeMap::new();
    for message in receiver {
        match message {
            Message::Open { id, name } => {
                let path = dir.join(format!("part-{id}.zip"));
                let mut zip = ZipWriter::new(BufWriter::new(private_file(&path)?));
                zip.start_file(name.as_str(), options)
                    .map_err(io::Error::other)?;
                let sha = Sha256::new();
                open.insert(
                    id,
                    Open {
                        name,
                        path,
                        zip,
                        sha,
                        bytes: 0,
                    },
                );
            }
            Message::Data { id, chunk } => {
                let file = open
                    .get_mut(&id)
                    .ok_or_else(|| io::Error::other("data for a file not open"))?;
                file.sha.update(&chunk);
                file.zip.write_all(&chunk)?;
                file.bytes += chunk.len() as u64;
            }
            Message::Close { id } => {
                let file = open
                    .remove(&id)
                    .ok_or_else(|| io::Error::other("closing a file not open"))?;
                file.zip
                    .finish()
                    .map_err(io::Error::other)?
                    .into_inner()
                    .map_err(|e| e.into_error())?;
                done.insert(
                    id,
                    Part {
                        name: file.name,
                        zip: file.path,
                        sha256: hex(&file.sha.finalize()),
                        bytes: file.bytes,
                    },
                );
            }
        }
    }
    if !open.is_empty() {
        return Err(io::Error::other("a file of the export was not finished"));
    }
    Ok(done.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn files_come_back_hashed_and_compressed_in_order() {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).unwrap();
        let dir = std::env::temp_dir().join(format!("dsgvo-compressor-{}", hex(&random)));
        std::fs::create_dir(&dir).unwrap();
        let compressor = Compressor::new(&dir).unwrap();
        let mut a = compressor.file("a.txt").unwrap();
        let mut b = compressor.file("sub/b.txt").unwrap();
        let big: Vec<u8> = (0..3 * CHUNK).map(|i| (i % 97) as u8).collect();
        a.write_all(&big).unwrap();
        b.write_all(b"hello").unwrap();
        a.write_all(b"tail").unwrap();
        drop(b);
        a.close().unwrap();
        let parts = compressor.finish().unwrap();
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "sub/b.txt"]);
        let mut expected = big.clone();
        expected.extend_from_slice(b"tail");
        assert_eq!(parts[0].bytes, expected.len() as u64);
        assert_eq!(parts[0].sha256, hex(&Sha256::digest(&expected)));
        assert_eq!(parts[1].sha256, hex(&Sha256::digest(b"hello")));
        let mut archive = zip::ZipArchive::new(File::open(&parts[0].zip).unwrap()).unwrap();
        let mut content = Vec::new();
        archive
            .by_name("a.txt")
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        assert_eq!(content, expected);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
