//! Writes a synthetic fleet policy to standard output, for benchmarks and load tests:
//! `zplan-fleet 10000 --seed 1 > fleet.zplan`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Write a valid zplan policy of N pairs with realistic variety, the same for the same seed.
#[derive(Debug, Parser)]
#[command(name = "zplan-fleet", version, about)]
struct Args {
    /// How many pairs (each with two nodes, and often an NFS server and clients).
    pairs: usize,
    /// The seed; the same seed and size always give the same policy.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many sites whose nodes snapshot by their own policy to add (snapshot-only NASes
    /// and 3-2-1 sites with fan-out and a cascade); none by default.
    #[arg(long, default_value_t = 0)]
    local: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let policy = zplan::fleet::fleet_blocks_with_local_snapshots(args.pairs, args.local, args.seed).concat();
    match std::io::stdout().lock().write_all(policy.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("zplan-fleet: cannot write the policy: {error}");
            ExitCode::from(4)
        }
    }
}
