//! The build script's change triggers. Cargo takes a watched path that does not exist as changed, so one
//! such path rebuilt the crate on every `cargo build` (in a `git worktree` the branch ref was looked for in
//! the worktree's own git dir; `packed-refs` is absent until git packs refs): every `scripts/demo` and
//! `scripts/test` then spent minutes compiling nothing new.

use std::path::Path;

#[test]
fn the_build_script_watches_only_paths_that_exist() {
    // OUT_DIR is the build script's output folder; cargo keeps what the script printed beside it.
    let run = Path::new(env!("OUT_DIR"))
        .parent()
        .expect("OUT_DIR has a parent");
    let output = std::fs::read_to_string(run.join("output")).expect("the build script's output");
    let watched: Vec<&str> = output
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert!(watched.contains(&"build.rs"), "{output}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in watched {
        assert!(
            root.join(path).exists(),
            "the build script watches {path}, which does not exist: cargo rebuilds every time"
        );
    }
    if root.join(".git").exists() {
        assert!(
            output.contains("HEAD\n"),
            "built from a checkout: HEAD is watched\n{output}"
        );
    }
}
