//! Writes a synthetic fleet policy to standard output, for benchmarks and load tests:
//! `zplan-fleet 10000 --seed 1 > fleet.zplan`; `--backups`, `--identities`,
//! `--moved-addresses` and `--zrepl-fan-out` write those shapes instead; `--backup-boxes N`,
//! `--local N` and `--file-servers N` add backup boxes, snapshot-only or 3-2-1 sites, and
//! file servers on their nodes; `--pattern-servers N` adds plain file servers whose exports
//! name clients by patterns, netgroups and `*`, `--mounting-clients N` file servers and their
//! clients, and `--nfsv4-servers N` plain NFSv4 file servers.

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
    /// Name the syncoid sites' nodes by DNS names and replicate as a `zfsbackup` account.
    #[arg(long)]
    identities: bool,
    /// Move each followed site's NFS service address: by keepalived or by its container.
    #[arg(long)]
    moved_addresses: bool,
    /// Write N one-way backups (hourly, nightly, weekly; pushed and pulled) instead of pairs.
    #[arg(long)]
    backups: bool,
    /// Write N zrepl fan-out sites instead: a source, a rack box and an offsite server each.
    #[arg(long)]
    zrepl_fan_out: bool,
    /// Also this many backup boxes: static syncoid pairs with named copies and syncoid's options.
    #[arg(long, default_value_t = 0)]
    backup_boxes: usize,
    /// How many sites whose nodes snapshot by their own policy to add (snapshot-only NASes
    /// and 3-2-1 sites with fan-out and a cascade); none by default.
    #[arg(long, default_value_t = 0)]
    local: usize,
    /// Also this many file-server sites: a NAS and a backup box, each with its own NFS
    /// server on the node (`nfs … { on node … }`), and a desktop mounting from both.
    #[arg(long, default_value_t = 0)]
    file_servers: usize,
    /// Also this many plain file servers, exporting to networks, host names, patterns,
    /// netgroups and everyone.
    #[arg(long, default_value_t = 0)]
    pattern_servers: usize,
    /// Also this many sites of a plain file server and the Linux and FreeBSD clients that
    /// mount it with the nfs(5) and systemd options people write.
    #[arg(long, default_value_t = 0)]
    mounting_clients: usize,
    /// Also this many plain NFSv4 file servers, each with a pseudo-root, bind-mounted
    /// datasets and a client that mounts relative to the root.
    #[arg(long, default_value_t = 0)]
    nfsv4_servers: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut policy = if args.identities {
        zplan::fleet::fleet_policy_with_identities(args.pairs, args.seed)
    } else if args.moved_addresses {
        zplan::fleet::fleet_policy_with_moved_addresses(args.pairs, args.seed)
    } else if args.backups {
        zplan::fleet::backup_fleet_policy(args.pairs, args.seed)
    } else if args.zrepl_fan_out {
        zplan::fleet::zrepl_fan_out_fleet(args.pairs, args.seed)
    } else {
        zplan::fleet::fleet_blocks_with_local_snapshots(args.pairs, args.local, args.seed).concat()
    };
    if args.backup_boxes > 0 {
        policy.push_str(&zplan::fleet::backup_box_blocks(args.backup_boxes, args.seed).concat());
    }
    if args.file_servers > 0 {
        policy.push_str(&zplan::fleet::file_server_blocks(args.file_servers, args.seed).concat());
    }
    if args.pattern_servers > 0 {
        policy.push_str(&zplan::fleet::client_pattern_server_blocks(args.pattern_servers, args.seed).concat());
    }
    if args.mounting_clients > 0 {
        policy.push_str(&zplan::fleet::mounting_client_blocks(args.mounting_clients, args.seed).concat());
    }
    if args.nfsv4_servers > 0 {
        policy.push_str(&zplan::fleet::nfsv4_server_blocks(args.nfsv4_servers, args.seed).concat());
    }
    match std::io::stdout().lock().write_all(policy.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("zplan-fleet: cannot write the policy: {error}");
            ExitCode::from(4)
        }
    }
}
