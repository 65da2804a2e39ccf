use aolite::ao::process::{Process, ProcessOptions};

#[test]
fn export_smoke() {
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.eval("X = {1, 2.5, [3.5] = 'f', s = '\\255'}; X.self = X")
        .unwrap();
    let doc = p.export_state().unwrap();
    std::fs::write("/tmp/st/doc.json", &doc).unwrap();
    let doc2 = p.export_state().unwrap();
    assert_eq!(doc, doc2);
}
