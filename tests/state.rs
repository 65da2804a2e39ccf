use aolite::ao::process::{Process, ProcessOptions};

#[test]
fn export_smoke() {
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.eval("X = {1, 2.5, [3.5] = 'f', s = '\\255'}; X.self = X; print(X)")
        .unwrap();
    let doc = p.export_state().unwrap();
    std::fs::write("/tmp/st/doc.json", &doc).unwrap();
    let mut q = Process::import_state(&doc).unwrap();
    let doc2 = q.export_state().unwrap();
    std::fs::write("/tmp/st/doc2.json", &doc2).unwrap();
    assert_eq!(doc, doc2);
    let a = p
        .eval("print(tostring(X), X.self == X, math.random(100), {}, os.clock())")
        .unwrap();
    let b = q
        .eval("print(tostring(X), X.self == X, math.random(100), {}, os.clock())")
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
}
