//! The [`Users`] and [`Activities`] contracts, check by check.

use std::sync::Arc;

use crate::conformance::stock::{activity, user};
use crate::{START, activity_spec, prizes};
use luckydraw_core::domain::{
    Activity, DrawLimit, DrawMode, PasswordHash, Tag, Timestamp, User, UserKind, UserStatus, Username,
};
use luckydraw_core::ports::{Activities, AuditEntry, AuditLog, Users};

/// Records that keep users, activities and the audit log (every records adapter does).
pub trait UserRecords: Users + Activities + AuditLog {}
impl<T: Users + Activities + AuditLog> UserRecords for T {}

fn account(n: u64, name: &str) -> User {
    User {
        id: user(n),
        username: Username::parse(name).expect("valid test username"),
        password_hash: PasswordHash::from_phc("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA".into()),
        kind: UserKind::Vip,
        status: UserStatus::Active,
        created_at: START,
        tags: Default::default(),
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
    assert_eq!(*spring, make("spring", "Spring, again"), "replaced, prizes and all");
    let listed: Vec<String> = records.list().await.unwrap().iter().map(|a| a.name.clone()).collect();
    assert_eq!(listed, ["Autumn", "Spring, again"]);
}

/// `set_tags` replaces a user's tags, seen by id and by name; an unknown user gets `None`.
pub async fn tags_are_replaced_and_read_back_by_id_and_name(records: Arc<dyn UserRecords>) {
    let alice = account(1, "alice");
    assert!(records.insert(&alice).await.unwrap());
    let tags: std::collections::BTreeSet<Tag> = ["beta", "vip-2026"].iter().map(|t| Tag::parse(t).unwrap()).collect();
    let tagged = records.set_tags(&alice.id, &tags).await.unwrap().expect("alice exists");
    assert_eq!(tagged.tags, tags);
    assert_eq!(records.by_id(&alice.id).await.unwrap().unwrap().tags, tags);
    assert_eq!(records.by_username(&alice.username).await.unwrap().unwrap().tags, tags);
    let none = Default::default();
    records.set_tags(&alice.id, &none).await.unwrap();
    assert!(records.by_username(&alice.username).await.unwrap().unwrap().tags.is_empty());
    assert_eq!(records.set_tags(&user(9), &tags).await.unwrap(), None, "unknown user");
    assert_eq!(records.by_id(&user(9)).await.unwrap(), None, "nothing created");
}

/// `insert` creates only; `delete` removes the activity and its users' limits; limits are
/// set, replaced, removed and listed per activity.
pub async fn activities_are_inserted_once_and_deleted_with_their_limits(records: Arc<dyn UserRecords>) {
    let spring =
        Activity::new(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 3, 0, 100)]))).unwrap();
    let autumn =
        Activity::new(activity_spec("autumn", DrawMode::RemainingStock, prizes(&[("cup", 3, 0, 100)]))).unwrap();
    assert!(records.create(&spring).await.unwrap());
    let renamed = Activity::new(activity_spec("spring", DrawMode::WeightKeep, prizes(&[("cup", 1, 1, 1)]))).unwrap();
    assert!(!records.create(&renamed).await.unwrap(), "the id is taken");
    assert_eq!(records.get(&spring.id).await.unwrap(), Some(spring.clone().into()), "unchanged");
    records.put(&autumn).await.unwrap();
    records.set_limit(&spring.id, &user(1), Some(DrawLimit::new(7))).await.unwrap();
    records.set_limit(&spring.id, &user(2), Some(DrawLimit::new(1))).await.unwrap();
    records.set_limit(&spring.id, &user(2), Some(DrawLimit::UNLIMITED)).await.unwrap();
    records.set_limit(&autumn.id, &user(1), Some(DrawLimit::new(3))).await.unwrap();
    let limits = records.limits(&spring.id).await.unwrap();
    assert_eq!(limits.len(), 2);
    assert_eq!((limits[&user(1)], limits[&user(2)]), (DrawLimit::new(7), DrawLimit::UNLIMITED));
    records.set_limit(&spring.id, &user(2), None).await.unwrap();
    assert_eq!(records.limits(&spring.id).await.unwrap().len(), 1);
    assert!(records.delete(&spring.id).await.unwrap());
    assert!(!records.delete(&spring.id).await.unwrap(), "gone already");
    assert_eq!(records.get(&spring.id).await.unwrap(), None);
    assert!(records.limits(&spring.id).await.unwrap().is_empty(), "its limits went with it");
    let ids: Vec<String> = records.list().await.unwrap().iter().map(|a| a.id.to_string()).collect();
    assert_eq!(ids, ["autumn"]);
    assert_eq!(records.limits(&autumn.id).await.unwrap()[&user(1)], DrawLimit::new(3), "others untouched");
}

/// The audit log gives back what was appended, newest first, at most `limit`.
pub async fn audit_entries_come_back_newest_first(records: Arc<dyn UserRecords>) {
    let entry = |second: i64, action: &str| AuditEntry {
        at: Timestamp::from_millis(START.as_millis() + second * 1_000),
        admin: Username::parse("admin").unwrap(),
        action: action.into(),
        status: 200,
    };
    for (second, action) in [(1, "POST /admin/activities"), (2, "PATCH /admin/activities/a"), (3, "GET /admin/audit")] {
        records.append(&entry(second, action)).await.unwrap();
    }
    let recent = records.recent(2).await.unwrap();
    assert_eq!(recent, [entry(3, "GET /admin/audit"), entry(2, "PATCH /admin/activities/a")]);
    assert_eq!(records.recent(10).await.unwrap().len(), 3);
}
