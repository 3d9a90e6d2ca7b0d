//! Stamps the build so `php --ri dsgvo` can tell which code a shop runs: crate version, git revision
//! (when built from a checkout), profile, compiler and target. Also keeps the extension mapped after
//! PHP's dlclose (`-z nodelete`): a runtime thread still winding down must never run unmapped code.

use std::path::Path;
use std::process::Command;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let revision = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "rustc (unknown)".into());

    println!("cargo:rustc-env=DSGVO_GIT_REVISION={revision}");
    println!("cargo:rustc-env=DSGVO_BUILD_PROFILE={profile}");
    println!("cargo:rustc-env=DSGVO_BUILD_TARGET={target}");
    println!("cargo:rustc-env=DSGVO_RUSTC_VERSION={rustc_version}");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");

    // Re-stamp when HEAD moves (commit, checkout), not on every build. Cargo takes a watched path that does
    // not exist as changed and rebuilds every time, so only existing paths are named: HEAD lives in the
    // checkout's git dir, but branch refs and packed-refs in the common one (they differ in a `git worktree`),
    // and a ref git keeps only in packed-refs has no file: then the nearest existing folder above it is
    // watched, where the next commit writes the file.
    if let (Some(git_dir), Some(common_dir)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) {
        let common = Path::new(&common_dir);
        let mut watched = vec![Path::new(&git_dir).join("HEAD"), common.join("packed-refs")];
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let loose = common.join(head_ref);
            if let Some(existing) = loose.ancestors().find(|p| p.exists()) {
                watched.push(existing.to_path_buf());
            }
        }
        for path in watched.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
