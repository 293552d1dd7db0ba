//! Reading syncoid's own pair statements: `compress`, `preserve-properties`,
//! `delete-target-snapshots` and `mbuffer-size`.

use super::settings::{single_value, wrong_count, Settings};
use super::types::{Compression, Spanned, SyncoidOptions};
use super::values::{self, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::Span;

/// The syncoid statements of a pair, read together; `None` when one of them is wrong.
pub fn options(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Option<SyncoidOptions> {
    let compress = compress(settings, problems);
    let preserve_properties = bare(settings, "preserve-properties", problems);
    let delete_target_snapshots = bare(settings, "delete-target-snapshots", problems);
    let mbuffer_size = mbuffer_size(settings, problems);
    Some(SyncoidOptions {
        compress: compress?,
        preserve_properties: preserve_properties?,
        delete_target_snapshots: delete_target_snapshots?,
        mbuffer_size: mbuffer_size?,
    })
}

/// A statement that takes no value, such as `preserve-properties`: where it is written.
fn bare(settings: &Settings<'_>, keyword: &'static str, problems: &mut Vec<Problem>) -> Option<Option<Span>> {
    let Some(statement) = settings.get(keyword) else {
        return Some(None);
    };
    if !statement.values.is_empty() {
        problems.push(wrong_count(statement, "no value", keyword));
        return None;
    }
    Some(Some(statement.head_span()))
}

/// `compress METHOD`: one of the methods syncoid knows.
fn compress(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Option<Option<Spanned<Compression>>> {
    let Some(statement) = settings.get("compress") else {
        return Some(None);
    };
    let value = single_value(statement, "one compression method", "compress zstd-fast", problems)?;
    match Compression::ALL.into_iter().find(|method| method.keyword() == value.text) {
        Some(method) => Some(Some(Spanned::new(method, value.span))),
        None => {
            problems.push(Problem::UnknownCompression {
                span: value.span.into(),
                method: value.text.clone(),
                help: did_you_mean(&value.text, Compression::ALL.map(Compression::keyword)).unwrap_or_else(|| {
                    let all: Vec<&str> = Compression::ALL.map(Compression::keyword).to_vec();
                    format!("syncoid compresses with {}", all.join(", "))
                }),
            });
            None
        }
    }
}

/// `mbuffer-size SIZE`: the buffer mbuffer uses on each side.
fn mbuffer_size(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Option<Option<Spanned<crate::model::Size>>> {
    let Some(statement) = settings.get("mbuffer-size") else {
        return Some(None);
    };
    let value = single_value(statement, "one size", "mbuffer-size 128M", problems)?;
    values::size(value).map(Some).map_err(|p| problems.push(p)).ok()
}
