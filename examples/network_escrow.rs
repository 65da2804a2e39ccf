//! A token and an escrow on a local network: the token credits the escrow, which pays on to
//! a beneficiary; prints every delivery with its cause, then the balances and the network's
//! state hash (the same on every run).
//!
//!     cargo run --example network_escrow

use aolite::{Message, Network, ProcessOptions, Tag};

fn main() -> Result<(), aolite::Error> {
    let mut net = Network::default();
    let spawn = |net: &mut Network, name: &str| {
        net.spawn(ProcessOptions {
            tags: vec![Tag::new("Name", name)],
            ..ProcessOptions::default()
        })
    };
    let token = spawn(&mut net, "token")?;
    net.eval(&token, include_str!("token.lua"))?;
    let escrow = spawn(&mut net, "escrow")?;
    net.eval(&escrow, include_str!("escrow.lua"))?;
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = 'beneficiary-wallet'"),
    )?;
    let first = net.trace().len();
    let transfer = net.message(
        &token,
        Message::default()
            .with_tag("Action", "Transfer")
            .with_tag("Recipient", escrow.clone())
            .with_tag("Quantity", "1000"),
    )?;
    println!("transfer {transfer}");
    let name = |id: &str| {
        if id == token {
            "token".to_owned()
        } else if id == escrow {
            "escrow".to_owned()
        } else {
            id.chars().take(12).collect()
        }
    };
    for e in &net.trace()[first..] {
        println!(
            "{:>3}  {:<12} -> {:<12} {:<14} {}{}",
            e.step,
            name(&e.from),
            name(&e.target),
            e.action.as_deref().unwrap_or("-"),
            e.cause
                .as_deref()
                .map(|c| format!("caused by {}", &c[..8]))
                .unwrap_or_default(),
            if e.ok { "" } else { "  FAILED" }
        );
    }
    for m in net.outbox() {
        println!(
            "out  {:<12} -> {:<12} {}",
            name(&m.from),
            m.target().map(name).unwrap_or_default(),
            m.tag("Action").unwrap_or("-")
        );
    }
    let balances = net
        .process_mut(&token)
        .map(|p| p.global_json("Balances"))
        .transpose()?;
    println!("balances {}", balances.unwrap_or_default());
    println!("network hash {}", net.state_hash()?);
    Ok(())
}
