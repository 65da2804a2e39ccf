//! Every bundled example (`examples/NAME.lua` with `examples/NAME.messages.json`) runs through
//! `aolite run` and prints exactly its recorded outcomes (`tests/data/examples/NAME.jsonl`).
//! The JS tests check the Node CLI against the same files.

use std::path::Path;
use std::process::Command;

#[test]
fn examples_print_their_recorded_outcomes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".messages.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 10, "examples missing: {names:?}");
    for name in names {
        let out = Command::new(env!("CARGO_BIN_EXE_aolite"))
            .args([
                "run",
                &format!("examples/{name}.lua"),
                "--messages",
                &format!("examples/{name}.messages.json"),
            ])
            .current_dir(root)
            .output()
            .expect("aolite runs");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected =
            std::fs::read_to_string(root.join(format!("tests/data/examples/{name}.jsonl")))
                .expect("recorded outcomes");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{name}");
    }
}
