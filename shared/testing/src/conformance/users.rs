//! The [`Users`] and [`Activities`] contracts, check by check.

use std::sync::Arc;

use crate::conformance::stock::{activity, user};
use crate::{START, activity_spec, prizes};
use luckydraw_core::domain::{Activity, DrawMode, PasswordHash, User, UserKind, UserStatus, Username};
use luckydraw_core::ports::{Activities, Users};

/// Records that keep both users and activities (every records adapter does).
pub trait UserRecords: Users + Activities {}
impl<T: Users + Activities> UserRecords for T {}

fn account(n: u64, name: &str) -> User {
    User {
        id: user(n),
        username: Username::parse(name).expect("valid test username"),
        password_hash: PasswordHash::from_phc("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA".into()),
        kind: UserKind::Vip,
        status: UserStatus::Active,
        created_at: START,
    }
}

/// A user is found by id and by name; a second user with a taken name or id is refused.
pub async fn users_are_found_by_id_and_name_and_names_are_unique(records: Arc<dyn UserRecords>) {
    let alice = account(1, "alice");
    assert!(records.insert(&alice).await.unwrap());
    assert_eq!(records.by_id(&alice.id).await.unwrap(), Some(alice.clone()));
    assert_eq!(records.by_username(&alice.username).await.unwrap(), Some(alice.clone()));
    assert!(!records.insert(&account(2, "alice")).await.unwrap(), "the name is taken");
    assert!(!records.insert(&account(1, "alice2")).await.unwrap(), "the id is taken");
    assert_eq!(records.by_id(&user(2)).await.unwrap(), None, "a refused insert leaves nothing");
    assert_eq!(records.by_username(&Username::parse("alice2").unwrap()).await.unwrap(), None);
    assert_eq!(records.by_username(&Username::parse("bob").unwrap()).await.unwrap(), None);
}

/// `put` creates or replaces; `list` returns every activity by id.
pub async fn activities_are_put_replaced_and_listed_by_id(records: Arc<dyn UserRecords>) {
    let make = |id: &str, name: &str| {
        let mut spec = activity_spec(id, DrawMode::WeightKeep, prizes(&[("thanks", 10, 5, 0), ("cup", 3, 2, 8000)]));
        spec.name = name.into();
        Activity::new(spec).expect("valid test activity")
    };
    assert_eq!(records.get(&activity("spring")).await.unwrap(), None);
    records.put(&make("spring", "Spring")).await.unwrap();
    records.put(&make("autumn", "Autumn")).await.unwrap();
    records.put(&make("spring", "Spring, again")).await.unwrap();
    let spring = records.get(&activity("spring")).await.unwrap().expect("stored");
    assert_eq!(spring, make("spring", "Spring, again"), "replaced, prizes and all");
    let listed: Vec<String> = records.list().await.unwrap().iter().map(|a| a.name.clone()).collect();
    assert_eq!(listed, ["Autumn", "Spring, again"]);
}
