//! Runs a message plan (`{ids, env, steps: [msg...]}`, as the oracle expands scenarios)
//! through `handle_raw`, printing each outcome: for debugging oracle differences natively.
fn main() {
    let path = std::env::args().nth(1).expect("plan file");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let ids = &plan["ids"];
    let options = aolite::ProcessOptions {
        id: ids["PROCESS"].as_str().map(str::to_owned),
        owner: ids["OWNER"].as_str().map(str::to_owned),
        module: ids["MODULE"].as_str().map(str::to_owned),
        no_spawn: true,
        ..Default::default()
    };
    let mut p = aolite::Process::new(options).expect("process");
    for msg in plan["steps"].as_array().expect("steps") {
        match p.handle_raw(msg, &plan["env"]) {
            Ok(o) => println!("{}", serde_json::to_string(&o).expect("json")),
            Err(e) => println!("ERR {e}"),
        }
    }
}
