//! What build this is, stamped by `build.rs`.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GIT_REVISION: &str = env!("DSGVO_GIT_REVISION");
pub const PROFILE: &str = env!("DSGVO_BUILD_PROFILE");
pub const TARGET: &str = env!("DSGVO_BUILD_TARGET");
pub const RUSTC: &str = env!("DSGVO_RUSTC_VERSION");

/// One line, e.g. `0.1.0 (git 1a2b3c4d5e6f, release, rustc 1.95.0, x86_64-unknown-linux-gnu)`.
pub fn stamp() -> String {
    format!("{VERSION} (git {GIT_REVISION}, {PROFILE}, {RUSTC}, {TARGET})")
}
