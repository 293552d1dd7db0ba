//! Rules on the freshness checks: thresholds that could never fire or would fire on a
//! healthy system, and a check period a calendar timer can keep.

use crate::diagnostic::Problem;
use crate::facts::{freshness, Facts, Freshness, Side};
use crate::model::{Pair, Policy};

/// sanoid warns about a pool only while it is below the critical level, so the warning
/// must come first; each percent is read in range (1–100) with the block.
pub fn capacity_is_ordered(policy: &Policy) -> Vec<Problem> {
    let Some(capacity) = &policy.monitoring.capacity else {
        return Vec::new();
    };
    let (warn, critical) = (capacity.value.warn, capacity.value.critical);
    if warn < critical {
        return Vec::new();
    }
    let help = format!(
        "the warning comes first: warn below critical, such as `capacity warn {}% critical {critical}%`",
        critical.saturating_sub(10).max(1)
    );
    vec![Problem::CapacityUnordered { span: capacity.span.into(), warn, critical, help }]
}

/// The freshness checks run on a calendar timer (`OnCalendar=`), which repeats within an
/// hour or a day: minutes below an hour, hours below a day, or daily.
pub fn check_every_fits_a_calendar(policy: &Policy) -> Vec<Problem> {
    let every = &policy.monitoring.check_every;
    let seconds = every.value.seconds();
    let fits = match seconds {
        0 => false,
        s if s < 3_600 => s % 60 == 0,
        s if s < 86_400 => s % 3_600 == 0,
        s => s == 86_400,
    };
    if fits {
        return Vec::new();
    }
    vec![Problem::CheckEveryOffCalendar { span: every.span.into(), every: every.value.to_string() }]
}

/// `alert-after` below a copy's proved worst case fires on a healthy system; at or past the
/// pair's outage it fires too late to act before a full resend.
pub fn alert_after_holds(facts: &Facts<'_>) -> Vec<Problem> {
    let bounds = freshness(facts);
    facts
        .policy
        .pairs
        .iter()
        .enumerate()
        .flat_map(|(index, pair)| alert_after_problems(pair, received(&bounds, index)))
        .collect()
}

/// The largest receiving bound of one pair: the copy that is allowed to be oldest.
fn received(bounds: &[Freshness], index: usize) -> Option<&Freshness> {
    bounds
        .iter()
        .filter(|fresh| fresh.pair == Some(index) && matches!(fresh.side, Side::Receives { .. }))
        .max_by_key(|fresh| fresh.bound)
}

fn alert_after_problems(pair: &Pair, oldest: Option<&Freshness>) -> Vec<Problem> {
    let Some(after) = &pair.alert_after else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    if let Some(oldest) = oldest.filter(|oldest| after.value < oldest.bound) {
        problems.push(Problem::AlertBeforeBound {
            span: after.span.into(),
            pair: pair.label(),
            after: after.value.to_string(),
            dataset: oldest.dataset.clone(),
            bound: oldest.bound.to_string(),
            help: format!(
                "on a healthy system the newest copy is up to {}: set `alert-after {}` or more, or leave it out to alert at exactly that bound",
                oldest.arithmetic,
                writable_at_least(oldest.bound)
            ),
        });
    }
    if let Some(outage) = pair.outage.as_ref().filter(|outage| after.value >= outage.value) {
        problems.push(Problem::AlertAfterOutage {
            span: after.span.into(),
            outage_span: outage.span.into(),
            pair: pair.label(),
            after: after.value.to_string(),
            outage: outage.value.to_string(),
        });
    }
    problems
}

/// The shortest duration a policy can write in one number and unit that is at least
/// `bound`: whole minutes below an hour, whole hours beyond.
fn writable_at_least(bound: crate::model::Duration) -> String {
    let seconds = bound.seconds();
    let (size, unit) = if seconds <= 3_600 { (60, "m") } else { (3_600, "h") };
    format!("{}{unit}", seconds.div_ceil(size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Duration;

    #[test]
    fn a_check_period_fits_a_calendar_only_in_whole_minutes_hours_or_one_day() {
        let fits = |seconds| {
            let mut policy = crate::model::Policy::default();
            policy.monitoring.check_every.value = Duration(seconds);
            check_every_fits_a_calendar(&policy).is_empty()
        };
        assert!(fits(60) && fits(900) && fits(3_600) && fits(7_200) && fits(86_400));
        assert!(!fits(0) && !fits(90) && !fits(5_400) && !fits(2 * 86_400));
    }

    #[test]
    fn a_suggested_alert_after_is_writable_and_never_below_the_bound() {
        assert_eq!(writable_at_least(Duration(9 * 60 + 2)), "10m");
        assert_eq!(writable_at_least(Duration(3_600)), "60m");
        assert_eq!(writable_at_least(Duration(86_400 + 16 * 60 + 2)), "25h");
    }
}
