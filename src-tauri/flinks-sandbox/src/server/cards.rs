//! Attribute cards a session has already been served, kept with the session so that asking
//! again for the same package over the same accounts and days answers the JSON computed the
//! first time. The engine was under a tenth of a call's time (perf, release): the rest went to
//! building, serializing and freeing the JSON of thousands of `AttributesDetail` rows, so the
//! card is kept serialized, not as attributes.
//!
//! A card depends only on the session's login (fixed for the session), the sandbox's `as_of`
//! and personas (fixed for the instance) and the [`CardKey`]; nothing in it expires while the
//! session lives. Memory stays bounded twice over: a session keeps at most
//! [`CARDS_PER_SESSION`] cards, and all sessions together at most [`BUDGET_BYTES`], past which
//! a call is computed as if nothing were kept. Cards go with their session: whatever removes a
//! session (idle expiry, DeleteCard, an `expired-session` fault) drops them and gives their
//! bytes back to the budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;

use crate::catalog::Package;
use crate::engine::Scope;

/// A desk asks one or two packages per session; a few more cover a user clicking through
/// every package of one customer without letting one session hoard the budget.
pub(super) const CARDS_PER_SESSION: usize = 4;

/// About a hundred Credit Risk cards of the cast (35–370 KB each) or a dozen All cards (up to
/// 2.6 MB): small next to the app. A portfolio of more customers fills it, and its later sessions compute
/// every call as before, which a portfolio (one call per session) does anyway.
pub(super) const BUDGET_BYTES: usize = 32 << 20;

/// What a package's card depends on within a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CardKey {
    pub(super) package: Package,
    /// The session's accounts and days narrowed by the call's `limitDays`: a later
    /// GetAccountsDetail with other options, or another limit, is another card.
    pub(super) scope: Scope,
}

/// The bytes every session's cards hold together, shared by one sandbox instance.
#[derive(Debug, Default)]
pub(crate) struct CardBudget {
    held: AtomicUsize,
}

impl CardBudget {
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Takes `bytes` from the budget if they fit.
    fn reserve(&self, bytes: usize) -> bool {
        self.held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                held.checked_add(bytes)
                    .filter(|&total| total <= BUDGET_BYTES)
            })
            .is_ok()
    }
}

/// A serialized card, whose bytes return to the budget when it is dropped.
struct Card {
    key: CardKey,
    json: Bytes,
    budget: Arc<CardBudget>,
}

impl Drop for Card {
    fn drop(&mut self) {
        self.budget
            .held
            .fetch_sub(self.json.len(), Ordering::Relaxed);
    }
}

/// One session's cards, oldest first.
#[derive(Default)]
pub(crate) struct Cards {
    cards: Vec<Card>,
}

impl Cards {
    /// The card kept for `key`; cloning `Bytes` shares it rather than copying it.
    pub(super) fn get(&self, key: &CardKey) -> Option<Bytes> {
        self.cards
            .iter()
            .find(|c| c.key == *key)
            .map(|c| c.json.clone())
    }

    /// Keeps `json` as the card of `key`, unless one is kept already (two first calls raced)
    /// or the budget has no room for it.
    pub(super) fn keep(&mut self, key: CardKey, json: Bytes, budget: &Arc<CardBudget>) {
        if self.cards.iter().any(|c| c.key == key) {
            return;
        }
        if self.cards.len() >= CARDS_PER_SESSION {
            self.cards.remove(0);
        }
        if budget.reserve(json.len()) {
            self.cards.push(Card {
                key,
                json,
                budget: Arc::clone(budget),
            });
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cards.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(days: Option<i64>) -> CardKey {
        CardKey {
            package: Package::CreditRisk,
            scope: Scope {
                days,
                ..Scope::default()
            },
        }
    }

    #[test]
    fn cards_are_found_by_package_and_scope_only() {
        let budget = Arc::new(CardBudget::default());
        let mut cards = Cards::default();
        cards.keep(key(None), Bytes::from_static(b"{\"all\":1}"), &budget);
        cards.keep(key(Some(30)), Bytes::from_static(b"{\"d30\":1}"), &budget);
        assert_eq!(cards.get(&key(None)).as_deref(), Some(&b"{\"all\":1}"[..]));
        assert_eq!(
            cards.get(&key(Some(30))).as_deref(),
            Some(&b"{\"d30\":1}"[..])
        );
        assert_eq!(cards.get(&key(Some(31))), None);
        let income = CardKey {
            package: Package::Income,
            ..key(None)
        };
        assert_eq!(cards.get(&income), None);
        // A second keep of the same key (two first calls in a race) keeps the first.
        cards.keep(key(None), Bytes::from_static(b"{\"other\":1}"), &budget);
        assert_eq!(cards.get(&key(None)).as_deref(), Some(&b"{\"all\":1}"[..]));
        assert_eq!(budget.held(), 18);
    }

    #[test]
    fn a_session_keeps_its_latest_cards_and_gives_bytes_back_when_dropped() {
        let budget = Arc::new(CardBudget::default());
        let mut cards = Cards::default();
        for days in 1..=(CARDS_PER_SESSION as i64 + 2) {
            cards.keep(key(Some(days)), Bytes::from(vec![b' '; 10]), &budget);
        }
        assert_eq!(cards.len(), CARDS_PER_SESSION);
        assert_eq!(budget.held(), 10 * CARDS_PER_SESSION);
        assert_eq!(cards.get(&key(Some(1))), None, "the oldest went first");
        assert!(cards
            .get(&key(Some(CARDS_PER_SESSION as i64 + 2)))
            .is_some());
        drop(cards);
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn a_card_past_the_budget_is_not_kept() {
        let budget = Arc::new(CardBudget::default());
        let mut cards = Cards::default();
        cards.keep(
            key(None),
            Bytes::from(vec![b' '; BUDGET_BYTES - 5]),
            &budget,
        );
        cards.keep(key(Some(7)), Bytes::from(vec![b' '; 6]), &budget);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards.get(&key(Some(7))), None);
        assert_eq!(budget.held(), BUDGET_BYTES - 5);
    }
}
