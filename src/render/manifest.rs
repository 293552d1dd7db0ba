//! `manifest.json`: the deploy contract. Every file with its host, path, mode and sha256
//! (or link target), and the commands a deployer runs when it changes.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Body, OutputFile};

#[derive(Serialize)]
struct Manifest<'a> {
    generated_by: &'static str,
    policy: &'a str,
    files: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    host: &'a str,
    path: String,
    mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    actions: &'a [String],
}

/// The manifest for a set of rendered files, as pretty JSON with a final newline.
pub fn manifest(policy_name: &str, files: &BTreeMap<(String, String), OutputFile>) -> Vec<u8> {
    let entries = files
        .iter()
        .map(|((host, path), file)| {
            let (sha256, link) = match &file.body {
                Body::Bytes(bytes) => (Some(hex(&Sha256::digest(bytes))), None),
                Body::Link(target) => (None, Some(target.as_str())),
            };
            Entry {
                host,
                path: format!("/{path}"),
                mode: format!("{:04o}", file.mode),
                sha256,
                link,
                actions: &file.actions,
            }
        })
        .collect();
    let manifest = Manifest { generated_by: "zplan", policy: policy_name, files: entries };
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    bytes.push(b'\n');
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
