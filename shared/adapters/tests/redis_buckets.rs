//! One activity spread over several stock buckets (`docs/scale.md`) on the private
//! three-node Redis Cluster: the buckets land in different slots and nodes, the bucket
//! count is checked by the draw script, a transfer left half-done by a crashed mover is
//! delivered exactly once, the odds are the same in every bucket (chi-square, seeded
//! rolls), and a storm of draws with quotas sells out exactly, audited afterwards, then
//! survives releases and a flush-and-restore.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use redis::{AsyncCommands, Script};

use luckydraw_adapters::redis::{RedisConnection, RedisKeys, RedisMode, RedisStock};
use luckydraw_core::domain::{DrawMode, DrawOutcome, DrawRecord, UserId};
use luckydraw_core::lottery::{DrawTicket, ROLL_BOUND};
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore};
use luckydraw_testing::START;
use luckydraw_testing::conformance::stock::{activity, counts, ticket, user, wheel};
use luckydraw_testing::services;

/// A stock store on the test cluster under a fresh prefix, with a raw connection beside it.
async fn cluster() -> (Arc<RedisStock>, RedisConnection, String) {
    let prefix = services::redis_prefix();
    let connection = RedisConnection::connect(services::redis_cluster_url(), RedisMode::Cluster)
        .await
        .expect("the test cluster answers");
    (Arc::new(RedisStock::new(connection.clone(), RedisKeys::new(prefix.clone()))), connection, prefix)
}

/// Bucket `index`'s key `part` of activity `id`, as `docs/redis.md` lays them out.
fn key(prefix: &str, id: &str, index: u16, part: &str) -> String {
    match index {
        0 => format!("{prefix}:{{act:{id}}}:{part}"),
        _ => format!("{prefix}:{{act:{id}#{index}}}:{part}"),
    }
}

async fn total(store: &RedisStock, id: &str) -> u64 {
    store.remaining(&activity(id)).await.unwrap().expect("loaded").values().sum()
}

#[tokio::test]
async fn buckets_have_slots_of_their_own_on_several_nodes() {
    let (_, mut connection, prefix) = cluster().await;
    let mut slots = HashSet::new();
    for index in 0..8 {
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key(&prefix, "hot", index, "stock"))
            .query_async(&mut connection)
            .await
            .unwrap();
        slots.insert(slot);
    }
    assert_eq!(slots.len(), 8, "{slots:?}");
    // The three nodes split the 16384 slots in three ranges.
    let nodes: HashSet<u16> = slots.iter().map(|slot| slot / 5_462).collect();
    assert!(nodes.len() >= 2, "eight buckets on one node: {slots:?}");
    let one = key(&prefix, "hot", 0, "stock");
    assert_eq!(one, format!("{prefix}:{{act:hot}}:stock"), "bucket 0 keeps the one-bucket layout");
}

#[tokio::test]
async fn the_bucket_count_changes_only_while_unloaded_and_stale_routes_heal() {
    let (store, connection, prefix) = cluster().await;
    let other = Arc::new(RedisStock::new(connection.clone(), RedisKeys::new(prefix.clone())));
    let hot = activity("hot");
    store.spread(&hot, 8).await.unwrap();
    store.load(&hot, &counts(&[("cup", 80)])).await.unwrap();
    assert!(store.spread(&hot, 4).await.is_err(), "loaded in 8 buckets");
    store.spread(&hot, 8).await.expect("the same count is fine");
    let cup = wheel(&[("cup", 1, false)]);
    other.draw(&ticket(&hot, user(1), DrawMode::RemainingStock, 0, &cup, 1)).await.unwrap();
    let stock: Option<String> = connection.clone().hget(key(&prefix, "hot", 0, "stock"), ".loaded").await.unwrap();
    assert_eq!(stock.as_deref(), Some("8"), "every bucket says how many there are");

    store.flush(&hot).await.unwrap();
    store.spread(&hot, 3).await.unwrap();
    store.load(&hot, &counts(&[("cup", 30)])).await.unwrap();
    for n in 2..32 {
        // `other` routed by 8 buckets: the draw script tells it 3.
        other.draw(&ticket(&hot, user(n), DrawMode::RemainingStock, 0, &cup, 1)).await.unwrap();
    }
    let last = other.draw(&ticket(&hot, user(40), DrawMode::RemainingStock, 0, &cup, 1)).await;
    assert!(matches!(last, Err(StockError::SoldOut)), "{last:?}");
    assert_eq!(total(&store, "hot").await, 0, "30 units in 3 buckets, all sold");
    let gone: u64 = connection.clone().exists(key(&prefix, "hot", 5, "stock")).await.unwrap();
    assert_eq!(gone, 0, "the flush took bucket 5 away");
    store.flush(&hot).await.unwrap();
    store.spread(&hot, 1).await.unwrap();
    let count: Option<String> = connection.clone().get(key(&prefix, "hot", 0, "buckets")).await.unwrap();
    assert_eq!(count, None, "one bucket writes no count: the layout of before");
}

#[tokio::test]
async fn a_transfer_a_crashed_mover_left_is_counted_and_delivered_once() {
    let (store, connection, prefix) = cluster().await;
    let hot = activity("hot");
    store.spread(&hot, 4).await.unwrap();
    store.load(&hot, &counts(&[("cup", 8), ("tea", 4)])).await.unwrap();
    let stock = |index| key(&prefix, "hot", index, "stock");
    let donate = Script::new(include_str!("../../../infra/redis/donate.lua"));
    let receive = Script::new(include_str!("../../../infra/redis/receive.lua"));
    // The mover's first step only: bucket 1 gives half of its units to bucket 0, then "crashes".
    let (moved, pending, record): (u64, u64, String) = donate
        .key(stock(1))
        .key(key(&prefix, "hot", 1, "outbox"))
        .arg("t1")
        .arg(0)
        .invoke_async(&mut connection.clone())
        .await
        .unwrap();
    assert_eq!((moved, pending), (2, 1), "half of 2 cups and 1 tea, rounded up: {record}");
    assert_eq!(store.remaining(&hot).await.unwrap(), Some(counts(&[("cup", 8), ("tea", 4)])), "in transit counts");
    let before: u64 = connection.clone().hget(stock(0), "cup").await.unwrap();

    // Settlement's sweep delivers it, once.
    store.unsettled(&hot, START, 10).await.unwrap();
    store.unsettled(&hot, START, 10).await.unwrap();
    let after: u64 = connection.clone().hget(stock(0), "cup").await.unwrap();
    assert_eq!(after, before + 1, "one cup arrived");
    let outbox: u64 = connection.clone().hlen(key(&prefix, "hot", 1, "outbox")).await.unwrap();
    assert_eq!(outbox, 0);
    let again: i64 = receive
        .key(stock(0))
        .key(key(&prefix, "hot", 0, "inbox"))
        .arg("t1")
        .arg("cup 1 tea 1")
        .invoke_async(&mut connection.clone())
        .await
        .unwrap();
    assert_eq!(again, 0, "a delivered transfer never applies twice");
    assert_eq!(store.remaining(&hot).await.unwrap(), Some(counts(&[("cup", 8), ("tea", 4)])));
    store.flush(&hot).await.unwrap();
}

/// Pearson's chi-square of `observed` against `expected` proportions.
fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
    let n: u64 = observed.iter().sum();
    observed.iter().zip(expected).map(|(&o, &p)| (o as f64 - n as f64 * p).powi(2) / (n as f64 * p)).sum()
}

/// Each bucket's draw log: outcomes per prize.
async fn per_bucket(connection: &RedisConnection, prefix: &str, id: &str, count: u16) -> Vec<HashMap<String, u64>> {
    let mut buckets = Vec::new();
    for index in 0..count {
        let log: HashMap<String, String> = connection.clone().hgetall(key(prefix, id, index, "log")).await.unwrap();
        let mut prizes = HashMap::new();
        for record in log.values() {
            let prize = record.split(' ').nth(2).expect("a log entry names its prize");
            *prizes.entry(prize.to_owned()).or_default() += 1;
        }
        buckets.push(prizes);
    }
    buckets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_odds_are_the_same_in_every_bucket() {
    // Critical values at p = 0.001: 2 degrees of freedom 13.82, 7 degrees 24.32.
    let (store, connection, prefix) = cluster().await;
    let prizes = wheel(&[("cup", 5, false), ("tea", 3, false), ("pen", 2, false)]);
    let odds = [0.5, 0.3, 0.2];
    for (id, mode) in [("kept", DrawMode::WeightKeep), ("stock", DrawMode::RemainingStock)] {
        let hot = activity(id);
        store.spread(&hot, 8).await.unwrap();
        store.load(&hot, &counts(&[("cup", 500_000), ("tea", 300_000), ("pen", 200_000)])).await.unwrap();
        let mut random = StdRng::seed_from_u64(20_261_124);
        let tickets: Vec<DrawTicket> = (0..8_000)
            .map(|_| {
                let someone = UserId::generate(START, random.random());
                ticket(&hot, someone, mode, 0, &prizes, random.random_range(0..ROLL_BOUND))
            })
            .collect();
        let draws = tickets.into_iter().map(|ticket| {
            let store = store.clone();
            tokio::spawn(async move { store.draw(&ticket).await.unwrap() })
        });
        for draw in draws {
            draw.await.unwrap();
        }
        let buckets = per_bucket(&connection, &prefix, id, 8).await;
        let sizes: Vec<u64> = buckets.iter().map(|prizes| prizes.values().sum()).collect();
        let spread = chi_square(&sizes, &[1.0 / 8.0; 8]);
        assert!(spread < 24.32, "{id}: draws per bucket {sizes:?}, chi-square {spread:.2}");
        for (index, prizes) in buckets.iter().enumerate() {
            let observed: Vec<u64> =
                ["cup", "tea", "pen"].iter().map(|prize| prizes.get(*prize).copied().unwrap_or(0)).collect();
            let fit = chi_square(&observed, &odds);
            assert!(fit < 13.82, "{id}: bucket {index} won {observed:?}, chi-square {fit:.2}");
        }
        store.flush(&hot).await.unwrap();
    }
}

/// What one storm draw answered, and when it started and ended (since the storm began).
struct Answer {
    user: u64,
    result: Result<DrawRecord, StockError>,
    started: Duration,
    ended: Duration,
}

/// `per_user` tickets for each of `players` players (one player's tickets one after
/// another, so they run at once), limit `limit`, from 64 concurrent workers on the
/// bucketed activity `id`.
async fn storm(store: &Arc<RedisStock>, id: &str, players: u64, per_user: u64, limit: u32) -> Vec<Answer> {
    let hot = activity(id);
    let prizes = wheel(&[("cup", 6, false), ("tea", 3, false), ("thanks", 1, true)]);
    let mut random = StdRng::seed_from_u64(players * 31 + per_user);
    let mut tickets: Vec<(u64, DrawTicket)> = (0..players * per_user)
        .map(|n| {
            let number = 1_000 + n / per_user;
            (
                number,
                ticket(
                    &hot,
                    user(number),
                    DrawMode::RemainingStock,
                    limit,
                    &prizes,
                    random.random_range(0..ROLL_BOUND),
                ),
            )
        })
        .collect();
    tickets.reverse();
    let queue = Arc::new(std::sync::Mutex::new(tickets));
    let began = Instant::now();
    let workers = (0..64).map(|_| {
        let (store, queue) = (store.clone(), queue.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            loop {
                let Some((player, ticket)) = queue.lock().unwrap().pop() else { return answers };
                let started = began.elapsed();
                let result = store.draw(&ticket).await;
                answers.push(Answer { user: player, result, started, ended: began.elapsed() });
            }
        })
    });
    let mut answers = Vec::new();
    for worker in workers {
        answers.extend(worker.await.unwrap());
    }
    answers
}

/// The storm's audit: no oversell and conservation (units won + left = loaded), quotas
/// exact (nobody above the limit; a quota refusal only for a player at it), the draw log
/// equal to the granted draws, and every sold-out answer given when no later draw won.
/// Returns how long after a sold-out answer a draw still took a unit (the window while
/// units move between buckets; zero when none did).
async fn audit(store: &RedisStock, id: &str, loaded: u64, limit: u32, answers: &[Answer]) -> Duration {
    let granted: Vec<&DrawRecord> = answers.iter().filter_map(|answer| answer.result.as_ref().ok()).collect();
    let taken = granted.iter().filter(|draw| draw.outcome != DrawOutcome::Missed).count() as u64;
    let left = total(store, id).await;
    assert_eq!(taken + left, loaded, "conservation: {taken} taken + {left} left");
    let mut per_user: HashMap<u64, u32> = HashMap::new();
    for answer in answers.iter().filter(|answer| answer.result.is_ok()) {
        *per_user.entry(answer.user).or_default() += 1;
    }
    assert!(per_user.values().all(|&n| n <= limit), "a player above the limit of {limit}");
    for answer in answers.iter().filter(|answer| matches!(answer.result, Err(StockError::QuotaExceeded))) {
        assert_eq!(per_user.get(&answer.user), Some(&limit), "refused before the limit");
    }
    let logged: HashSet<_> = store.draws(&activity(id)).await.unwrap().into_iter().map(|draw| draw.id).collect();
    let answered: HashSet<_> = granted.iter().map(|draw| draw.id.clone()).collect();
    assert!(answered.is_subset(&logged), "every granted draw is in a bucket's log");
    let mut window = Duration::ZERO;
    for refusal in answers.iter().filter(|answer| matches!(answer.result, Err(StockError::SoldOut))) {
        let later = answers.iter().filter(|answer| answer.result.is_ok() && answer.started > refusal.ended);
        if let Some(last) = later.map(|answer| answer.started).max() {
            window = window.max(last - refusal.ended);
        }
    }
    window
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_sells_a_bucketed_activity_out_exactly_then_releases_and_restores() {
    let (store, connection, prefix) = cluster().await;
    let hot = activity("storm");
    let loaded = counts(&[("cup", 1_200), ("tea", 600), ("thanks", 200)]);
    store.spread(&hot, 8).await.unwrap();
    store.load(&hot, &loaded).await.unwrap();

    // 600 players × 6 tickets, 5 draws each at most: 3,000 draws may run for 2,000 units;
    // the first ~400 players reach their limit, the others find the activity sold out.
    let answers = storm(&store, "storm", 600, 6, 5).await;
    let sold_out = answers.iter().filter(|answer| matches!(answer.result, Err(StockError::SoldOut))).count();
    let refused_quota = answers.iter().filter(|answer| matches!(answer.result, Err(StockError::QuotaExceeded))).count();
    let window = audit(&store, "storm", 2_000, 5, &answers).await;
    assert_eq!(total(&store, "storm").await, 0, "sold out");
    assert!(sold_out > 0 && refused_quota > 0, "{sold_out} sold out, {refused_quota} over quota");
    let mut transfers = 0;
    for index in 0..8 {
        let applied: u64 = connection.clone().scard(key(&prefix, "storm", index, "inbox")).await.unwrap();
        transfers += applied;
    }
    assert!(transfers > 0, "buckets ran dry unevenly, so units moved");
    eprintln!(
        "storm: {} draws, {sold_out} sold out, {refused_quota} over quota, {transfers} transfers, window {window:?}",
        answers.len()
    );
    assert!(window < Duration::from_secs(1), "units moved for {window:?} after a sold-out answer");

    // Give 100 won units back (each once), then rebuild the activity from its draws.
    let won: Vec<DrawRecord> = answers
        .iter()
        .filter_map(|answer| answer.result.as_ref().ok())
        .filter(|draw| draw.outcome == DrawOutcome::Won)
        .take(100)
        .cloned()
        .collect();
    for draw in &won {
        assert!(store.release(&draw.id, Release::Unit).await.unwrap());
        assert!(!store.release(&draw.id, Release::Unit).await.unwrap());
    }
    assert_eq!(total(&store, "storm").await, 100);
    let draws = store.draws(&hot).await.unwrap();
    let mut draws_per_user: HashMap<UserId, u64> = HashMap::new();
    let mut held: StockCounts = HashMap::new();
    for draw in &draws {
        *draws_per_user.entry(draw.user_id).or_default() += 1;
        if !draw.released && draw.outcome != DrawOutcome::Missed {
            *held.entry(draw.prize_id.clone()).or_default() += 1;
        }
    }
    let remaining =
        loaded.iter().map(|(prize, units)| (prize.clone(), units - held.get(prize).unwrap_or(&0))).collect();
    let restoration =
        Restoration { remaining, draws_per_user, draws: draws.clone(), holding: Vec::new(), limits: HashMap::new() };
    store.flush(&hot).await.unwrap();
    store.spread(&hot, 8).await.unwrap();
    store.restore(&hot, &restoration).await.unwrap();
    assert_eq!(total(&store, "storm").await, 100, "restored from the draws");
    assert_eq!(store.draws(&hot).await.unwrap().len(), draws.len());

    // A second storm sells the 100 exactly; the restored counts keep the quotas.
    let again = storm(&store, "storm", 600, 2, 5).await;
    let won_again = again.iter().filter(|answer| answer.result.is_ok()).count();
    assert_eq!(won_again, 100, "the released units, each once");
    let at_limit: HashSet<u64> = answers
        .iter()
        .filter(|answer| matches!(answer.result, Err(StockError::QuotaExceeded)))
        .map(|answer| answer.user)
        .collect();
    for answer in again.iter().filter(|answer| at_limit.contains(&answer.user)) {
        assert!(matches!(answer.result, Err(StockError::QuotaExceeded)), "a restored count forgot the limit");
    }
    store.flush(&hot).await.unwrap();
}
