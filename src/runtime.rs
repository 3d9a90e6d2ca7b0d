//! The per-process I/O state: one tokio `current_thread` runtime and the connections it owns.
//!
//! PHP-FPM loads the extension in the master and forks the workers after MINIT; threads and epoll
//! descriptors do not survive a fork intact. So nothing here exists until the first database call of a
//! process, the state remembers the pid that built it, and a process that finds another pid's state
//! (an FPM worker, a `pcntl_fork()` child) forgets it without touching it (closing it would send QUIT on
//! the parent's sockets) and builds its own.
//!
//! One connection is held per DSN and timeout between calls and requests: a held connection answers a
//! prepared statement in about 15 µs, a checkout from a pool costs about 125 µs. A PHP worker runs one
//! call at a time, so a worker never needs more than one connection per database; a mysql_async `Pool`
//! would add a recycler task and a checkout per call for nothing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use tokio::runtime::Runtime;

use crate::core::config::Config;
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::session::{Connection, Reach, Session, Tables, connect};

/// A held connection unused for longer than this is pinged before use, so a connection the server
/// dropped (restart, `wait_timeout`) is replaced instead of failing the caller's statement.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);
/// Connections one process holds at most; more databases than this take turns.
const MAX_HELD: usize = 8;
/// Bound of the clean-up in MSHUTDOWN: a worker must exit even if the database hangs.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

struct Process {
    pid: u32,
    runtime: Runtime,
    connections: HashMap<HeldKey, Held>,
}

/// Held connections differ by database and by the session settings that follow from the config.
type HeldKey = (String, Duration, bool);

struct Held {
    connection: Connection,
    last_used: Instant,
}

thread_local! {
    // ManuallyDrop: the thread-local destructor must never drop the state (it may run after the
    // extension is unloaded, or in a forked child); MSHUTDOWN tears it down explicitly.
    static PROCESS: RefCell<ManuallyDrop<Option<Process>>> =
        const { RefCell::new(ManuallyDrop::new(None)) };
}

/// Runs `work` on this process's connection to `config`'s database, connecting first if needed.
/// The connection is kept for the next call unless a statement timed out or the socket broke.
pub fn with_session<T>(
    config: &Config,
    work: impl AsyncFnOnce(&mut Session<'_>) -> Result<T>,
) -> Result<T> {
    PROCESS
        .try_with(|cell| {
            let mut state = cell.try_borrow_mut().map_err(|_| {
                Error::database(
                    DatabaseErrorKind::Io,
                    "a dsgvo call was made while another one of this process was still running",
                    0,
                )
            })?;
            let Process {
                runtime,
                connections,
                ..
            } = current_process(&mut state)?;
            let key = (
                config.database.key().to_owned(),
                config.query_timeout,
                config.read_your_writes,
            );
            let held = connections.remove(&key);
            runtime.block_on(async {
                let mut connection = match checked(held, config).await {
                    Ok(connection) => connection,
                    Err(e) => return Err(e),
                };
                let mut session = Session::new(
                    &mut connection,
                    &config.database,
                    config.query_timeout,
                    Tables::of(config),
                    Reach {
                        connect_timeout: config.connect_timeout,
                        read_your_writes: config.read_your_writes,
                    },
                );
                let result = work(&mut session).await;
                if session.reusable() {
                    if connections.len() >= MAX_HELD {
                        close_least_recently_used(connections).await;
                    }
                    connections.insert(
                        key,
                        Held {
                            connection,
                            last_used: Instant::now(),
                        },
                    );
                }
                result
            })
        })
        .unwrap_or_else(|_| {
            Err(Error::database(
                DatabaseErrorKind::Io,
                "the process is shutting down; no database call is possible",
                0,
            ))
        })
}

/// Closes the connection unused for longest (a process that talks to many databases, e.g. a
/// multi-shop worker, must not pile up connections until the server refuses new ones).
async fn close_least_recently_used(connections: &mut HashMap<HeldKey, Held>) {
    let oldest = connections
        .iter()
        .min_by_key(|(_, held)| held.last_used)
        .map(|(key, _)| key.clone());
    if let Some(held) = oldest.and_then(|key| connections.remove(&key)) {
        held.connection.close().await;
    }
}

/// The held connection if it is fresh or still answers, else a new one.
async fn checked(held: Option<Held>, config: &Config) -> Result<Connection> {
    if let Some(Held {
        mut connection,
        last_used,
    }) = held
    {
        if last_used.elapsed() < CHECK_AFTER_IDLE {
            return Ok(connection);
        }
        match tokio::time::timeout(config.connect_timeout, connection.conn.ping()).await {
            Ok(Ok(())) => return Ok(connection),
            // The server closed it: connect anew below.
            Ok(Err(_)) => drop(connection),
            // No answer at all: the host is gone; a new connection would wait as long again.
            Err(_) => {
                return Err(Error::database(
                    DatabaseErrorKind::Connect,
                    format!(
                        "the database at {} stopped answering (no reply within connect_timeout_ms, {} ms)",
                        config.database.address,
                        config.connect_timeout.as_millis()
                    ),
                    0,
                ));
            }
        }
    }
    connect::open(
        &config.database,
        config.connect_timeout,
        config.query_timeout,
        config.read_your_writes,
    )
    .await
}

/// This process's state, built on first use and rebuilt after a fork.
fn current_process(state: &mut Option<Process>) -> Result<&mut Process> {
    let pid = std::process::id();
    if state.as_ref().is_some_and(|p| p.pid != pid) {
        // Inherited from the parent: its sockets and epoll descriptor are shared with the parent.
        std::mem::forget(state.take());
    }
    if state.is_none() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            // Only host name lookups use the blocking pool; one short-lived thread is enough.
            .max_blocking_threads(1)
            .thread_keep_alive(Duration::from_secs(2))
            .build()
            .map_err(|e| {
                Error::database(
                    DatabaseErrorKind::Connect,
                    format!("cannot start the I/O runtime: {e}"),
                    0,
                )
            })?;
        *state = Some(Process {
            pid,
            runtime,
            connections: HashMap::new(),
        });
    }
    state.as_mut().ok_or_else(|| {
        Error::database(
            DatabaseErrorKind::Connect,
            "the I/O runtime is not available",
            0,
        )
    })
}

/// Closes this process's connections (QUIT, bounded by a short grace) and stops its runtime.
/// State inherited from another process is forgotten, never closed. Called from MSHUTDOWN.
pub fn shutdown() {
    let _ = PROCESS.try_with(|cell| {
        let Ok(mut state) = cell.try_borrow_mut() else {
            return;
        };
        let Some(process) = state.take() else {
            return;
        };
        if process.pid != std::process::id() {
            std::mem::forget(process);
            return;
        }
        let Process {
            runtime,
            connections,
            ..
        } = process;
        runtime.block_on(async {
            let quit_all = async {
                for held in connections.into_values() {
                    let _ = held.connection.conn.disconnect().await;
                }
            };
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, quit_all).await;
        });
        runtime.shutdown_timeout(SHUTDOWN_GRACE);
    });
}

/// Number of connections this process holds (for tests and `php --ri`).
pub fn held_connections() -> usize {
    PROCESS
        .try_with(|cell| {
            cell.try_borrow()
                .ok()
                .and_then(|state| {
                    state
                        .as_ref()
                        .filter(|p| p.pid == std::process::id())
                        .map(|p| p.connections.len())
                })
                .unwrap_or(0)
        })
        .unwrap_or(0)
}
