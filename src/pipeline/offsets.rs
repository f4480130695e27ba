//! Which offsets may be committed: the highest contiguous finished position
//! per partition.
//!
//! Workers finish out of order; a partition's commit position only moves past
//! an offset once it and every earlier tracked offset are done (delivered to
//! the output or dead-letter topic and acknowledged). A crash therefore
//! replays unfinished work and never skips it.
//!
//! Each assignment of a partition gets a new epoch, so completions of work
//! taken before a revocation cannot move the position of a later assignment.

use std::collections::{BTreeMap, HashMap};

/// A topic and partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

/// A tracked message: enough to report its completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub tp: TopicPartition,
    pub epoch: u64,
    pub offset: i64,
}

#[derive(Debug, Default)]
struct PartitionState {
    epoch: u64,
    /// Tracked offsets not yet released, and whether each is done.
    pending: BTreeMap<i64, bool>,
    /// Next offset to consume after the contiguous done prefix.
    commit_position: Option<i64>,
    /// One past the highest offset whose record went to the producer
    /// (exactly-once mode).
    enqueued_high: Option<i64>,
    paused: bool,
}

impl PartitionState {
    fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

/// Offset bookkeeping for every assigned partition.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: HashMap<TopicPartition, PartitionState>,
    next_epoch: u64,
}

impl OffsetTracker {
    pub fn new() -> Self {
        OffsetTracker::default()
    }

    /// Starts tracking a newly assigned partition (a fresh epoch).
    pub fn assign(&mut self, tp: TopicPartition) {
        self.next_epoch += 1;
        let state = PartitionState {
            epoch: self.next_epoch,
            ..PartitionState::default()
        };
        self.partitions.insert(tp, state);
    }

    /// Stops tracking a revoked partition; returns its final commit position.
    pub fn revoke(&mut self, tp: &TopicPartition) -> Option<i64> {
        self.partitions.remove(tp)?.commit_position
    }

    /// Registers a message taken from `tp`. Unassigned partitions are
    /// assigned implicitly (a message can only come from an assignment).
    pub fn track(&mut self, tp: &TopicPartition, offset: i64) -> Ticket {
        if !self.partitions.contains_key(tp) {
            self.assign(tp.clone());
        }
        let state = self
            .partitions
            .get_mut(tp)
            .unwrap_or_else(|| unreachable!("assigned above"));
        state.pending.entry(offset).or_insert(false);
        Ticket {
            tp: tp.clone(),
            epoch: state.epoch,
            offset,
        }
    }

    /// Marks a message done. Returns the new commit position of its partition
    /// when it advanced; `None` when it did not or the ticket is stale.
    pub fn complete(&mut self, ticket: &Ticket) -> Option<i64> {
        let state = self.partitions.get_mut(&ticket.tp)?;
        if state.epoch != ticket.epoch {
            return None;
        }
        *state.pending.get_mut(&ticket.offset)? = true;
        let mut advanced = None;
        while let Some(entry) = state.pending.first_entry() {
            if !*entry.get() {
                break;
            }
            let (offset, _) = entry.remove_entry();
            advanced = Some(offset + 1);
        }
        if let Some(position) = advanced {
            state.commit_position = Some(position);
        }
        advanced
    }

    /// Whether `ticket` belongs to its partition's current assignment.
    pub fn is_current(&self, ticket: &Ticket) -> bool {
        self.partitions
            .get(&ticket.tp)
            .is_some_and(|state| state.epoch == ticket.epoch)
    }

    /// Exactly-once: notes that `ticket`'s record goes to the producer.
    pub fn mark_enqueued(&mut self, ticket: &Ticket) {
        if let Some(state) = self.partitions.get_mut(&ticket.tp) {
            if state.epoch == ticket.epoch {
                let high = state.enqueued_high.get_or_insert(ticket.offset + 1);
                *high = (*high).max(ticket.offset + 1);
            }
        }
    }

    /// Exactly-once: per partition, one past the highest offset whose
    /// record went to the producer.
    pub fn enqueued_highs(&self) -> HashMap<TopicPartition, i64> {
        self.partitions
            .iter()
            .filter_map(|(tp, state)| state.enqueued_high.map(|high| (tp.clone(), high)))
            .collect()
    }

    /// Whether every message taken below each partition's fence is done.
    pub fn finished_below(&self, fences: &HashMap<TopicPartition, i64>) -> bool {
        fences.iter().all(|(tp, fence)| {
            self.partitions.get(tp).is_none_or(|state| {
                state
                    .pending
                    .first_key_value()
                    .is_none_or(|(offset, _)| offset >= fence)
            })
        })
    }

    /// Disowns all work in flight and every uncommitted position (an aborted
    /// transaction): each partition gets a fresh epoch, as if newly assigned.
    pub fn disown_all(&mut self) {
        let assigned: Vec<TopicPartition> = self.partitions.keys().cloned().collect();
        for tp in assigned {
            self.assign(tp);
        }
    }

    /// Messages of `tp` taken and not finished.
    pub fn in_flight(&self, tp: &TopicPartition) -> usize {
        self.partitions.get(tp).map_or(0, PartitionState::in_flight)
    }

    /// Messages taken and not finished over all partitions.
    pub fn total_in_flight(&self) -> usize {
        self.partitions
            .values()
            .map(PartitionState::in_flight)
            .sum()
    }

    /// The current commit position of every partition that has one.
    pub fn positions(&self) -> Vec<(TopicPartition, i64)> {
        let mut out: Vec<_> = self
            .partitions
            .iter()
            .filter_map(|(tp, s)| s.commit_position.map(|p| (tp.clone(), p)))
            .collect();
        out.sort();
        out
    }

    /// Assigned partitions.
    pub fn assigned(&self) -> Vec<TopicPartition> {
        let mut out: Vec<_> = self.partitions.keys().cloned().collect();
        out.sort();
        out
    }

    /// Records whether `tp` is paused; returns the previous state.
    pub fn set_paused(&mut self, tp: &TopicPartition, paused: bool) -> bool {
        match self.partitions.get_mut(tp) {
            Some(state) => std::mem::replace(&mut state.paused, paused),
            None => paused,
        }
    }

    /// Partitions currently paused.
    pub fn paused(&self) -> Vec<TopicPartition> {
        let mut out: Vec<_> = self
            .partitions
            .iter()
            .filter(|(_, s)| s.paused)
            .map(|(tp, _)| tp.clone())
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("in", p)
    }

    #[test]
    fn completing_in_order_advances_one_by_one() {
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 0);
        let b = t.track(&tp(0), 1);
        assert_eq!(t.complete(&a), Some(1));
        assert_eq!(t.complete(&b), Some(2));
        assert_eq!(t.in_flight(&tp(0)), 0);
    }

    #[test]
    fn out_of_order_completion_never_commits_past_a_gap() {
        let mut t = OffsetTracker::new();
        let tickets: Vec<_> = (10..15).map(|o| t.track(&tp(0), o)).collect();
        assert_eq!(t.complete(&tickets[4]), None);
        assert_eq!(t.complete(&tickets[2]), None);
        assert_eq!(t.complete(&tickets[1]), None);
        assert!(t.positions().is_empty(), "offset 10 is unfinished");
        assert_eq!(t.complete(&tickets[0]), Some(13));
        assert_eq!(t.complete(&tickets[3]), Some(15));
        assert_eq!(t.positions(), vec![(tp(0), 15)]);
    }

    #[test]
    fn gaps_in_the_log_itself_do_not_block() {
        // Offsets skip (compaction, transaction markers): 5 then 9.
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 5);
        let b = t.track(&tp(0), 9);
        t.complete(&b);
        assert_eq!(t.complete(&a), Some(10));
    }

    #[test]
    fn partitions_are_independent() {
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 0);
        let _b = t.track(&tp(1), 0);
        assert_eq!(t.complete(&a), Some(1));
        assert_eq!(t.in_flight(&tp(1)), 1);
        assert_eq!(t.total_in_flight(), 1);
    }

    #[test]
    fn revocation_returns_the_finished_position_and_forgets_the_partition() {
        let mut t = OffsetTracker::new();
        t.assign(tp(0));
        let a = t.track(&tp(0), 0);
        let _unfinished = t.track(&tp(0), 1);
        t.complete(&a);
        assert_eq!(t.revoke(&tp(0)), Some(1));
        assert_eq!(t.in_flight(&tp(0)), 0);
        assert!(t.assigned().is_empty());
    }

    #[test]
    fn completions_from_before_a_revocation_do_not_touch_the_next_assignment() {
        let mut t = OffsetTracker::new();
        t.assign(tp(0));
        let old = t.track(&tp(0), 7);
        t.revoke(&tp(0));
        t.assign(tp(0));
        let new = t.track(&tp(0), 7);
        assert_eq!(t.complete(&old), None, "stale epoch");
        assert_eq!(t.in_flight(&tp(0)), 1);
        assert_eq!(t.complete(&new), Some(8));
    }

    #[test]
    fn a_completion_for_an_unknown_offset_is_ignored() {
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 3);
        let bogus = Ticket {
            offset: 99,
            ..a.clone()
        };
        assert_eq!(t.complete(&bogus), None);
        assert_eq!(t.complete(&a), Some(4));
    }

    #[test]
    fn redelivered_offsets_are_tracked_once() {
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 3);
        let again = t.track(&tp(0), 3);
        assert_eq!(t.in_flight(&tp(0)), 1);
        assert_eq!(t.complete(&a), Some(4));
        assert_eq!(t.complete(&again), None);
    }

    #[test]
    fn paused_state_is_kept_per_partition_and_dropped_on_revocation() {
        let mut t = OffsetTracker::new();
        t.assign(tp(0));
        t.assign(tp(1));
        assert!(!t.set_paused(&tp(0), true));
        assert_eq!(t.paused(), vec![tp(0)]);
        t.revoke(&tp(0));
        assert!(t.paused().is_empty());
    }

    #[test]
    fn disowning_drops_work_in_flight_and_uncommitted_positions() {
        let mut t = OffsetTracker::new();
        let a = t.track(&tp(0), 0);
        let b = t.track(&tp(0), 1);
        assert_eq!(t.complete(&a), Some(1));
        t.disown_all();
        assert_eq!(t.total_in_flight(), 0);
        assert!(t.positions().is_empty(), "the aborted position is gone");
        assert!(!t.is_current(&b), "late completions are ignored");
        assert_eq!(t.complete(&b), None);
        assert_eq!(t.assigned(), vec![tp(0)], "the partition stays assigned");
    }

    #[test]
    fn a_fence_is_reached_when_everything_below_it_is_done() {
        let mut t = OffsetTracker::new();
        let tickets: Vec<_> = (0..4).map(|o| t.track(&tp(0), o)).collect();
        t.complete(&tickets[2]);
        t.mark_enqueued(&tickets[2]);
        let fences = t.enqueued_highs();
        assert_eq!(fences.get(&tp(0)), Some(&3));
        assert!(!t.finished_below(&fences), "0 and 1 are unfinished");
        t.complete(&tickets[0]);
        t.complete(&tickets[1]);
        assert!(t.finished_below(&fences), "3 is above the fence");
    }
}
