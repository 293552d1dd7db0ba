//! The facts of one policy, derived once per compile and handed to the checks and the plan:
//! each pair's schedule, the zrepl jobs of each host, the syncoid cascades and the zrepl
//! fan-outs.

use std::collections::BTreeMap;

use super::schedule::{self, Schedule};
use super::zrepl::{fan_outs, jobs_by_host, FanOut, Job};
use super::Cascades;
use crate::model::{Pair, Policy};

/// What every check and the plan would otherwise work out again, each for itself.
pub struct Facts<'p> {
    pub policy: &'p Policy,
    /// Each pair's schedule, by its index: the one that meets its rpo, or the fastest it
    /// could have when none does.
    schedules: Vec<Result<Schedule, Schedule>>,
    /// The zrepl jobs of each host, by node index.
    pub jobs: BTreeMap<usize, Vec<Job<'p>>>,
    pub cascades: Cascades,
    pub fan_outs: Vec<FanOut>,
}

impl<'p> Facts<'p> {
    /// Derives every fact of `policy` once.
    pub fn derive(policy: &'p Policy) -> Facts<'p> {
        Facts {
            policy,
            schedules: policy.pairs.iter().map(schedule::choose).collect(),
            jobs: jobs_by_host(policy),
            cascades: Cascades::of(policy),
            fan_outs: fan_outs(policy),
        }
    }

    /// The schedule of one of the policy's pairs, as derived.
    pub fn schedule(&self, pair: &Pair) -> Result<Schedule, Schedule> {
        match self.index_of(pair) {
            Some(index) => self.schedules[index],
            None => schedule::choose(pair),
        }
    }

    /// The schedule the plan writes for a pair: the chosen one. The checks refuse a policy
    /// with a pair whose rpo no schedule meets, so the plan never sees the other case; were
    /// it to, it writes the fastest schedule the pair could have, never none.
    pub fn planned(&self, pair: &Pair) -> Schedule {
        self.schedule(pair).unwrap_or_else(|fastest| fastest)
    }

    /// Where `pair` is in the policy's pairs: worked out from its address, and confirmed,
    /// so that a lookup costs the same for any number of pairs.
    fn index_of(&self, pair: &Pair) -> Option<usize> {
        let size = std::mem::size_of::<Pair>().max(1);
        let offset = (pair as *const Pair as usize).checked_sub(self.policy.pairs.as_ptr() as usize)?;
        let index = offset / size;
        self.policy.pairs.get(index).filter(|candidate| std::ptr::eq(*candidate, pair)).map(|_| index)
    }
}
