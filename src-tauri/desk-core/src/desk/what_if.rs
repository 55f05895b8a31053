//! What-if: another policy (a changed or an unsaved version) applied to past decisions over
//! their input snapshots, without calling Flinks.
//!
//! Reading the stored rows, decoding each snapshot and deciding cost about the same, so the three
//! run at once: the store is read on one thread, in batches, while two deciders share the
//! batches (the machine the desk is measured on has two cores; see the README's policy_replay
//! figures). The changes are put back in run order at the end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

use desk_policy::policy::Policy;
use flinks_client::Package;
use serde_json::Value;

use super::decisions::{lookup, stored_json};
use super::Desk;
use crate::snapshot;
use crate::store::ReplayInput;
use crate::view::{DecisionChange, WhatIf};
use crate::DeskError;

/// Rows per message from the reader: few enough locks, small enough that deciding starts early.
const BATCH: usize = 128;

/// Deciding threads besides the reader.
const DECIDERS: usize = 2;

impl Desk {
    /// Another policy applied to the past decisions — all, or one package's — over their input
    /// snapshots: which decisions would change, and why.
    pub fn what_if(&self, document: &[u8], package: Option<Package>) -> Result<WhatIf, DeskError> {
        let policy = Policy::from_json(document)?;
        let replay = Replay::new(&policy);
        let stop = AtomicBool::new(false);
        let (rows, received) = sync_channel::<Vec<ReplayInput>>(DECIDERS * 2);
        // In an Option so that it can be dropped once the deciders are done: a reader waiting to
        // send into a full channel after deciding failed then finds no one and ends.
        let received = Mutex::new(Some(received));
        let (read, decided) = std::thread::scope(|scope| {
            let stop = &stop;
            let reader = scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let read = self
                    .store
                    .each_replay_input(package.map(Package::slug), |d| {
                        batch.push(d);
                        if batch.len() < BATCH {
                            return true;
                        }
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        !stop.load(Ordering::Relaxed) && rows.send(full).is_ok()
                    });
                if !batch.is_empty() && !stop.load(Ordering::Relaxed) {
                    // Nobody left to receive only when deciding has already failed.
                    let _ = rows.send(batch);
                }
                read
            });
            let deciders: Vec<_> = (0..DECIDERS)
                .map(|_| scope.spawn(|| replay.decide_all(&received, stop)))
                .collect();
            let decided: Vec<_> = deciders
                .into_iter()
                .map(|d| d.join().expect("a what-if decider does not panic"))
                .collect();
            drop(
                received
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take(),
            );
            let read = reader.join().expect("the store reader does not panic");
            (read, decided)
        });
        // A store error first: deciding only stopped because the rows did.
        read?;
        let mut evaluated = 0;
        let mut changes = Vec::new();
        for part in decided {
            let part = part?;
            evaluated += part.evaluated;
            changes.extend(part.changes);
        }
        changes.sort_by_key(|c| c.run_id);
        Ok(WhatIf {
            policy_sha256: policy.sha256().to_owned(),
            evaluated,
            changed: changes.len(),
            changes,
        })
    }
}

/// One policy over stored decisions, shared by the deciders.
struct Replay<'p> {
    policy: &'p Policy,
    /// The input keys the policy reads; `None` when it reads the input whole.
    keys: Option<std::collections::BTreeSet<String>>,
}

/// What one decider made of the batches it took.
#[derive(Default)]
struct Part {
    evaluated: usize,
    changes: Vec<DecisionChange>,
}

impl<'p> Replay<'p> {
    fn new(policy: &'p Policy) -> Self {
        // A snapshot holds every attribute of its package (hundreds); a policy reads a few.
        // Decoding only those is most of what-if's time saved, and decides the same.
        Replay {
            policy,
            keys: policy.input_keys(),
        }
    }

    /// Takes batches until there are none (or another decider failed), deciding each row.
    fn decide_all(
        &self,
        received: &Mutex<Option<Receiver<Vec<ReplayInput>>>>,
        stop: &AtomicBool,
    ) -> Result<Part, DeskError> {
        let mut part = Part::default();
        loop {
            // The lock is held only to take one batch.
            let next = match &*received
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
            {
                Some(rows) => rows.recv(),
                None => break,
            };
            let Ok(batch) = next else { break };
            for d in batch {
                if let Err(e) = self.decide(d, &mut part) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
        Ok(part)
    }

    fn decide(&self, d: ReplayInput, part: &mut Part) -> Result<(), DeskError> {
        let input: Value = match &self.keys {
            Some(keys) => snapshot::decode_keys(&d.input, keys),
            None => serde_json::from_str(&d.input),
        }
        .map_err(stored_json)?;
        // A past file this policy cannot read (another package's attributes) is not counted as
        // changed: it is left out, and counted as such.
        if self
            .policy
            .check_attributes(|path| lookup(&input, path).is_some())
            .is_err()
        {
            return Ok(());
        }
        let (mut decision, mut reasons) = self.policy.decide(&input)?;
        // A reason naming a field no cell reads takes its value from the input: that file is
        // read whole.
        if self.keys.is_some()
            && reasons
                .iter()
                .any(|r| r.value.is_null() && lookup(&input, &r.attribute).is_none())
        {
            let whole: Value = serde_json::from_str(&d.input).map_err(stored_json)?;
            (decision, reasons) = self.policy.decide(&whole)?;
        }
        part.evaluated += 1;
        if decision.as_str() != d.decision {
            part.changes.push(DecisionChange {
                run_id: d.run_id,
                customer_label: d.customer_label,
                package: d.package,
                before: d.decision,
                after: decision.as_str().to_owned(),
                before_reasons: serde_json::from_str(&d.reasons).map_err(stored_json)?,
                after_reasons: reasons,
            });
        }
        Ok(())
    }
}
