//! Work split over the machine's cores, in order: a fleet's hundreds of thousands of files
//! render independently, and the result must not depend on how the work was split.

use std::num::NonZeroUsize;

/// Below this many items, one thread does the work: spawning costs more than it saves.
const MIN_ITEMS_PER_THREAD: usize = 2_048;

/// At most this many threads, however many cores the machine has.
const MAX_THREADS: usize = 8;

/// Maps `work` over consecutive chunks of `items` on several threads and concatenates the
/// results in the order of the items.
pub(crate) fn map_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| scope.spawn(move || work(part))).collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

fn threads_for(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores.min(MAX_THREADS).min(items / MIN_ITEMS_PER_THREAD).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<usize> = (0..50_000).collect();
        let doubled = map_chunks(&items, |part| part.iter().map(|n| n * 2).collect());
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(map_chunks(&[] as &[u8], |part| part.to_vec()).is_empty());
    }
}
