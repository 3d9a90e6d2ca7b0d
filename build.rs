//! Stamps the build so `php --ri dsgvo` can tell which code a shop runs: crate version, git revision
//! (when built from a checkout), profile, compiler and target. Also keeps the extension mapped after
//! PHP's dlclose (`-z nodelete`): a runtime thread still winding down must never run unmapped code.

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

    // Re-stamp when HEAD moves (commit, checkout), not on every build. Only existing paths are watched:
    // cargo takes a missing one as changed and rebuilds every time (a worktree keeps its branch refs in
    // the common git dir; a repository may have no packed-refs). `--git-path` finds each where it is.
    let watch = |path: &str| {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
            true
        } else {
            false
        }
    };
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        watch(&head);
        let branch = git(&["symbolic-ref", "-q", "HEAD"]);
        if let Some(ref_path) = branch.and_then(|b| git(&["rev-parse", "--git-path", &b])) {
            if !watch(&ref_path) {
                // A packed branch: its loose ref file appears with the next commit, in this folder.
                if let Some(folder) = std::path::Path::new(&ref_path).parent() {
                    watch(&folder.to_string_lossy());
                }
            }
        }
        if let Some(packed) = git(&["rev-parse", "--git-path", "packed-refs"]) {
            watch(&packed);
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
