//! The [`Ledger`] contract: one entry per draw id, the first write wins, both writers learn
//! which.

use std::sync::Arc;

use luckydraw_core::domain::{DrawOutcome, DrawRecord, LedgerEntry, PrizeId};
use luckydraw_core::ports::Ledger;

use super::stock::{activity, cup_wheel_ticket, user};
use crate::START;

fn won(activity_id: &str, n: u64) -> DrawRecord {
    let ticket = cup_wheel_ticket(&activity(activity_id), user(n));
    DrawRecord {
        id: ticket.draw_id,
        user_id: user(n),
        prize_id: PrizeId::parse("cup").unwrap(),
        outcome: DrawOutcome::Won,
        drawn_at: START,
        released: false,
    }
}

/// A record after a void reads the void, a void after a record reads the record, and a
/// repeated write returns what is there.
pub async fn the_first_write_of_a_draw_id_wins(ledger: Arc<dyn Ledger>) {
    let (recorded, voided) = (won("spring", 1), won("spring", 2));
    assert_eq!(ledger.get(&recorded.id).await.unwrap(), None);
    assert_eq!(ledger.record(&recorded).await.unwrap(), LedgerEntry::Recorded(recorded.clone()));
    assert_eq!(ledger.record(&recorded).await.unwrap(), LedgerEntry::Recorded(recorded.clone()), "a duplicate");
    assert_eq!(ledger.void(&recorded.id, &user(1), START).await.unwrap(), LedgerEntry::Recorded(recorded.clone()));
    let void = LedgerEntry::Voided { id: voided.id.clone(), user_id: user(2), voided_at: START };
    assert_eq!(ledger.void(&voided.id, &user(2), START).await.unwrap(), void);
    assert_eq!(ledger.record(&voided).await.unwrap(), void, "a late message finds the void");
    assert_eq!(ledger.get(&voided.id).await.unwrap(), Some(void));
    assert_eq!(ledger.get(&recorded.id).await.unwrap(), Some(LedgerEntry::Recorded(recorded)));
}

/// A record and a void racing on each of many draw ids agree on one entry per id.
pub async fn concurrent_record_and_void_agree(ledger: Arc<dyn Ledger>) {
    let mut races = Vec::new();
    for n in 0..24 {
        let draw = won("spring", 100 + n);
        let (to_record, to_void) = (ledger.clone(), ledger.clone());
        let recorded = draw.clone();
        let record = tokio::spawn(async move { to_record.record(&recorded).await.unwrap() });
        let void = tokio::spawn(async move { to_void.void(&draw.id, &draw.user_id, START).await.unwrap() });
        races.push((record, void));
    }
    for (record, void) in races {
        let (record, void) = (record.await.unwrap(), void.await.unwrap());
        assert_eq!(record, void, "both writers read the one entry");
    }
}

/// `entries` and `any` see an activity's entries only.
pub async fn entries_are_listed_per_activity(ledger: Arc<dyn Ledger>) {
    assert!(!ledger.any(&activity("spring")).await.unwrap());
    let (a, b) = (won("spring", 1), won("spring", 2));
    ledger.record(&a).await.unwrap();
    ledger.void(&b.id, &b.user_id, START).await.unwrap();
    ledger.record(&won("autumn", 3)).await.unwrap();
    assert!(ledger.any(&activity("spring")).await.unwrap());
    assert!(!ledger.any(&activity("winter")).await.unwrap());
    let mut ids: Vec<_> =
        ledger.entries(&activity("spring")).await.unwrap().iter().map(|e| e.draw_id().clone()).collect();
    ids.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    assert_eq!(ids, expected);
}
