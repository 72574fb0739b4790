//! `apply`: a campaign file (TOML or JSON) read into an [`ActivityInput`], compared with the
//! activity the API holds into a [`Plan`] (create, or the fields and prizes that differ),
//! and the plan carried out as API calls.

use std::collections::HashSet;
use std::fmt::Debug;
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::{ActivityBody, ActivityInput, Eligibility, PrizeBody, PrizeInput, Status};
use crate::client::Client;
use crate::error::Error;

/// Reads and checks a campaign file; the format follows the extension (`.toml`, `.json`).
pub fn read(path: &Path) -> Result<ActivityInput, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile { path: path.into(), source })?;
    parse(path, &text)
}

/// Parses and checks a campaign file's text.
pub fn parse(path: &Path, text: &str) -> Result<ActivityInput, Error> {
    let bad = |reason: String| Error::BadFile { path: path.into(), reason };
    let input: ActivityInput = match path.extension().and_then(|extension| extension.to_str()) {
        Some("json") => {
            let mut json = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(&mut json).map_err(|error| bad(describe(&error)))?
        }
        Some("toml") => {
            let table: toml::Table = toml::from_str(text).map_err(|error| bad(format!("not valid TOML: {error}")))?;
            let json = toml_to_json(toml::Value::Table(table));
            serde_path_to_error::deserialize(json).map_err(|error| bad(describe(&error)))?
        }
        _ => return Err(bad("a campaign file ends in .toml or .json".into())),
    };
    check(&input).map_err(bad)?;
    Ok(input)
}

/// `prizes[1].weight: invalid type ...`: the failing field's path, then serde's message.
fn describe<E: std::fmt::Display>(error: &serde_path_to_error::Error<E>) -> String {
    match error.path().to_string().as_str() {
        "." => error.inner().to_string(),
        path => format!("{path}: {}", error.inner()),
    }
}

/// TOML's values as JSON, date-times as their RFC 3339 text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text),
        toml::Value::Integer(number) => Value::from(number),
        toml::Value::Float(number) => Value::from(number),
        toml::Value::Boolean(flag) => Value::Bool(flag),
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.into_iter().map(|(key, value)| (key, toml_to_json(value))).collect())
        }
    }
}

/// What `apply` needs beyond the field types: an id to find the activity by, times in
/// order, prizes that can be told apart.
fn check(input: &ActivityInput) -> Result<(), String> {
    if input.id.as_deref().is_none_or(|id| id.trim().is_empty()) {
        return Err("the file needs an `id`: apply finds the activity by it (and updates it next time)".into());
    }
    if input.name.trim().is_empty() {
        return Err("name: must not be empty".into());
    }
    if input.starts_at >= input.ends_at {
        return Err(format!("ends_at ({}) must come after starts_at ({})", input.ends_at, input.starts_at));
    }
    if input.prizes.is_empty() {
        return Err("prizes: an activity needs at least one prize".into());
    }
    let mut seen = HashSet::new();
    for (index, prize) in input.prizes.iter().enumerate() {
        let key = prize.id.clone().unwrap_or_else(|| prize.name.clone());
        if !seen.insert(key.clone()) {
            return Err(format!("prizes[{index}]: `{key}` appears twice (prizes are matched by id, or by name)"));
        }
    }
    Ok(())
}

/// One field's change, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field.
    pub field: &'static str,
    /// Its value now (JSON).
    pub from: String,
    /// Its value after (JSON).
    pub to: String,
}

/// A change to one prize.
#[derive(Clone, Debug, PartialEq)]
pub enum PrizeStep {
    /// Delete a prize the file no longer lists.
    Remove {
        /// Its id.
        id: String,
    },
    /// Change the fields that differ.
    Update {
        /// Its id.
        id: String,
        /// What changes.
        changes: Vec<Change>,
        /// The PATCH body.
        patch: Map<String, Value>,
    },
    /// Change a loaded prize's units by a delta (`POST .../stock`): the stock store and
    /// `initial` move together, online or not.
    Stock {
        /// Its id.
        id: String,
        /// Units listed now.
        from: u64,
        /// Units the file lists.
        to: u64,
    },
    /// Add a prize the activity lacks.
    Add(PrizeInput),
}

impl PrizeStep {
    /// The units to add (negative: to remove) for a [`PrizeStep::Stock`].
    fn delta(from: u64, to: u64) -> i64 {
        i64::try_from(to).unwrap_or(i64::MAX).saturating_sub(i64::try_from(from).unwrap_or(i64::MAX))
    }
}

/// The calls that make the activity what the file says.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// No activity has the id: create it.
    Create(ActivityInput),
    /// It exists: change what differs.
    Update(Update),
}

/// The changes to an existing activity, in the order they are made.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// The activity.
    pub id: String,
    /// Its activity fields that differ.
    pub changes: Vec<Change>,
    /// The PATCH body for them.
    pub patch: Map<String, Value>,
    /// Its prizes' changes: removals, updates, stock deltas, additions.
    pub prizes: Vec<PrizeStep>,
    /// A status change (from, to), made last, or first when it leaves `online`.
    pub status: Option<(Status, Status)>,
}

impl Update {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.prizes.is_empty() && self.status.is_none()
    }

    /// Whether the status change is made before the other changes (it takes the activity offline).
    fn status_first(&self) -> bool {
        matches!(self.status, Some((Status::Online, _)))
    }
}

impl Plan {
    /// What the plan does, one line per change.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Plan::Create(input) => {
                let prizes: Vec<&str> =
                    input.prizes.iter().map(|prize| prize.id.as_deref().unwrap_or(&prize.name)).collect();
                let status = input.status.unwrap_or(Status::Draft);
                let id = input.id.as_deref().unwrap_or_default();
                vec![format!("create activity {id} ({status}) with prizes {}", prizes.join(", "))]
            }
            Plan::Update(update) if update.is_empty() => vec![format!("{}: up to date, nothing to change", update.id)],
            Plan::Update(update) => update_lines(update),
        }
    }
}

/// The lines of an update, in the order its calls are made.
fn update_lines(update: &Update) -> Vec<String> {
    let mut lines = Vec::new();
    let status = update.status.map(|(from, to)| format!("{}: status {from} → {to}", update.id));
    if update.status_first() {
        lines.extend(status.clone());
    }
    lines.extend(update.changes.iter().map(|change| format!("{}: {}", update.id, show(change))));
    for step in &update.prizes {
        lines.push(match step {
            PrizeStep::Remove { id } => format!("prize {id}: delete"),
            PrizeStep::Add(prize) => format!("prize {}: add", prize.id.as_deref().unwrap_or(&prize.name)),
            PrizeStep::Update { id, changes, .. } => {
                format!("prize {id}: {}", changes.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            PrizeStep::Stock { id, from, to } => {
                format!("prize {id}: initial {from} → {to} (stock {:+})", PrizeStep::delta(*from, *to))
            }
        });
    }
    if !update.status_first() {
        lines.extend(status);
    }
    lines
}

fn show(change: &Change) -> String {
    format!("{} {} → {}", change.field, change.from, change.to)
}

/// Compares the file with the activity the API holds (`None`: there is none).
pub fn plan(input: &ActivityInput, current: Option<&ActivityBody>) -> Result<Plan, Error> {
    let Some(current) = current else { return Ok(Plan::Create(input.clone())) };
    let mut fields = Fields::default();
    fields.diff("name", &current.name, Some(&input.name));
    fields.diff("description", &current.description, input.description.as_ref());
    fields.diff("starts_at", &current.starts_at, Some(&input.starts_at));
    fields.diff("ends_at", &current.ends_at, Some(&input.ends_at));
    fields.diff("draw_mode", &current.draw_mode, Some(&input.draw_mode));
    fields.diff("per_user_limit", &current.per_user_limit, Some(&input.per_user_limit));
    fields.diff("vip_per_user_limit", &current.vip_per_user_limit, input.vip_per_user_limit.map(Some).as_ref());
    fields.diff("pay_window_secs", &current.pay_window_secs, Some(&input.pay_window_secs));
    fields.diff("max_unpaid_per_user", &current.max_unpaid_per_user, input.max_unpaid_per_user.map(Some).as_ref());
    fields.diff("eligibility", &current_eligibility(current), input.eligibility.as_ref());
    fields.diff("entry", &current.entry, input.entry.as_ref());
    fields.diff("buckets", &current.buckets, input.buckets.as_ref());
    let status = input.status.filter(|status| *status != current.status).map(|status| (current.status, status));
    let update = Update {
        id: current.id.clone(),
        changes: fields.changes,
        patch: fields.patch,
        prizes: prize_steps(input, current),
        status,
    };
    refuse_while_online(&update, current)?;
    Ok(Plan::Update(update))
}

/// The activity's eligibility as the file's type (`{}` when absent or unreadable: then any
/// rule in the file differs and is sent).
fn current_eligibility(current: &ActivityBody) -> Eligibility {
    current.eligibility.clone().and_then(|value| serde_json::from_value(value).ok()).unwrap_or_default()
}

/// Changed fields and the PATCH body that makes them.
#[derive(Default)]
struct Fields {
    changes: Vec<Change>,
    patch: Map<String, Value>,
}

impl Fields {
    /// Records `field` when the file gives a value that differs from the current one.
    fn diff<T: PartialEq + Serialize + Debug>(&mut self, field: &'static str, current: &T, wanted: Option<&T>) {
        let Some(wanted) = wanted.filter(|wanted| *wanted != current) else { return };
        let (from, to) = (json(current), json(wanted));
        self.changes.push(Change { field, from: from.to_string(), to: to.to_string() });
        self.patch.insert(field.to_owned(), to);
    }
}

fn json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Removals, updates, additions: the file's prizes matched to the activity's by id, or by
/// name when the file gives no id.
fn prize_steps(input: &ActivityInput, current: &ActivityBody) -> Vec<PrizeStep> {
    let matched = |prize: &PrizeInput| -> Option<&PrizeBody> {
        current.prizes.iter().find(|existing| match &prize.id {
            Some(id) => existing.id == *id,
            None => existing.name == prize.name,
        })
    };
    let kept: HashSet<&str> = input.prizes.iter().filter_map(&matched).map(|p| p.id.as_str()).collect();
    let mut steps: Vec<PrizeStep> = current
        .prizes
        .iter()
        .filter(|existing| !kept.contains(existing.id.as_str()))
        .map(|existing| PrizeStep::Remove { id: existing.id.clone() })
        .collect();
    let (mut deltas, mut additions) = (Vec::new(), Vec::new());
    for prize in &input.prizes {
        let Some(existing) = matched(prize) else {
            additions.push(PrizeStep::Add(prize.clone()));
            continue;
        };
        // A loaded stock changes by delta (the API refuses `initial` then).
        let by_delta = current.loaded && prize.initial != existing.initial;
        if by_delta {
            deltas.push(PrizeStep::Stock { id: existing.id.clone(), from: existing.initial, to: prize.initial });
        }
        steps.extend(prize_update(prize, existing, !by_delta));
    }
    steps.extend(deltas);
    steps.extend(additions);
    steps
}

/// The fields of a matched prize that the file gives and that differ.
fn prize_update(prize: &PrizeInput, existing: &PrizeBody, with_initial: bool) -> Option<PrizeStep> {
    let mut fields = Fields::default();
    fields.diff("name", &existing.name, Some(&prize.name));
    fields.diff("description", &existing.description, prize.description.as_ref());
    fields.diff("picture", &existing.picture, prize.picture.clone().map(Some).as_ref());
    fields.diff("price_fen", &existing.price_fen, Some(&prize.price_fen));
    fields.diff("initial", &existing.initial, Some(&prize.initial).filter(|_| with_initial));
    fields.diff("weight", &existing.weight, prize.weight.as_ref());
    fields.diff("consolation", &existing.consolation, prize.consolation.as_ref());
    fields.diff("wheel_index", &existing.wheel_index, prize.wheel_index.as_ref());
    (!fields.changes.is_empty()).then(|| PrizeStep::Update {
        id: existing.id.clone(),
        changes: fields.changes,
        patch: fields.patch,
    })
}

/// The prize fields that may change while an activity is online.
const ONLINE_PRIZE_FIELDS: [&str; 3] = ["name", "description", "picture"];

/// Refuses, before any call, the changes the API refuses: while the activity stays online,
/// its draw mode, its entry mode and its prizes' odds, prices and units (but for deltas of
/// a loaded stock); while its stock is loaded, adding or deleting prizes and its buckets.
fn refuse_while_online(update: &Update, current: &ActivityBody) -> Result<(), Error> {
    let stays_online = current.status == Status::Online && update.status.is_none();
    let (mut online, mut loaded): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for field in ["draw_mode", "entry"].into_iter().filter(|field| stays_online && update.patch.contains_key(*field)) {
        online.push(field.into());
    }
    if current.loaded && update.patch.contains_key("buckets") {
        loaded.push("buckets".into());
    }
    for step in &update.prizes {
        let blocked = match step {
            PrizeStep::Remove { id } => Some(format!("deleting prize {id}")),
            PrizeStep::Add(prize) => Some(format!("adding prize {}", prize.id.as_deref().unwrap_or(&prize.name))),
            PrizeStep::Update { id, changes, .. } if stays_online => {
                let fields = changes.iter().filter(|change| !ONLINE_PRIZE_FIELDS.contains(&change.field));
                online.extend(fields.map(|change| format!("prize {id} {}", change.field)));
                None
            }
            PrizeStep::Update { .. } | PrizeStep::Stock { .. } => None,
        };
        match (blocked, stays_online) {
            (Some(what), true) => online.push(what),
            (Some(what), false) if current.loaded => loaded.push(what),
            _ => {}
        }
    }
    let id = &current.id;
    let mut reasons = Vec::new();
    if !online.is_empty() {
        reasons.push(format!(
            "{id} is online, and these changes are only allowed while it is not: {}. Take it offline first \
             (luckydraw-admin offline {id}), or apply them with `status = \"offline\"` in the file",
            online.join(", ")
        ));
    }
    if !loaded.is_empty() {
        reasons.push(format!(
            "{id}'s stock is loaded, and these changes are only made while it is not: {}. \
             `luckydraw-admin flush {id}` removes it (offline only; prizes with draws stay)",
            loaded.join(", ")
        ));
    }
    if reasons.is_empty() { Ok(()) } else { Err(Error::Refused(reasons.join("\n"))) }
}

/// Carries the plan out, calling `done` with each line of [`Plan::lines`] as its call
/// succeeds; answers the activity as it ends (raw JSON).
pub async fn execute(client: &Client, plan: &Plan, done: &mut dyn FnMut(String)) -> Result<Value, Error> {
    let mut lines = plan.lines().into_iter();
    let mut done = |_step: ()| done(lines.next().unwrap_or_default());
    let update = match plan {
        Plan::Create(input) => {
            let created = client.create_activity(input).await?;
            done(());
            return Ok(created.raw);
        }
        Plan::Update(update) if update.is_empty() => {
            done(());
            return Ok(client.activity(&update.id).await?.raw);
        }
        Plan::Update(update) => update,
    };
    let status = |to: Status| serde_json::json!({ "status": to });
    if let (true, Some((_, to))) = (update.status_first(), update.status) {
        client.patch_activity(&update.id, &status(to)).await?;
        done(());
    }
    if !update.patch.is_empty() {
        // One PATCH: fields that only make sense together (starts_at and ends_at) change at once.
        client.patch_activity(&update.id, &Value::Object(update.patch.clone())).await?;
        update.changes.iter().for_each(|_| done(()));
    }
    for step in &update.prizes {
        match step {
            PrizeStep::Remove { id } => client.delete_prize(&update.id, id).await?,
            PrizeStep::Update { id, patch, .. } => {
                drop(client.patch_prize(&update.id, id, &Value::Object(patch.clone())).await?)
            }
            PrizeStep::Add(prize) => drop(client.add_prize(&update.id, prize).await?),
            PrizeStep::Stock { id, from, to } => {
                drop(client.change_stock(&update.id, id, PrizeStep::delta(*from, *to)).await?)
            }
        }
        done(());
    }
    if let (false, Some((_, to))) = (update.status_first(), update.status) {
        client.patch_activity(&update.id, &status(to)).await?;
        done(());
    }
    Ok(client.activity(&update.id).await?.raw)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::Entry;
    use crate::api::Timestamp;

    const EXAMPLE: &str = include_str!("../../../docs/examples/campaign.toml");

    fn example() -> ActivityInput {
        parse(Path::new("campaign.toml"), EXAMPLE).expect("the example campaign parses")
    }

    /// The activity the API would answer after creating `input` (status as given, wheel in list order).
    fn body_of(input: &ActivityInput, status: Status) -> ActivityBody {
        let mut body = serde_json::to_value(input).expect("serialises");
        body["status"] = json!(status);
        body["loaded"] = json!(status == Status::Online);
        for (index, prize) in body["prizes"].as_array_mut().expect("prizes").iter_mut().enumerate() {
            prize["wheel_index"] = json!(index);
            prize["remaining"] = prize["initial"].clone();
            prize.as_object_mut().expect("a prize").entry("weight").or_insert(json!(1));
        }
        serde_json::from_value(body).expect("an activity body")
    }

    fn bad_file(name: &str, text: &str) -> String {
        match parse(Path::new(name), text) {
            Err(error @ Error::BadFile { .. }) => error.to_string(),
            other => panic!("expected a bad-file error, got {other:?}"),
        }
    }

    #[test]
    fn the_example_toml_campaign_reads_into_the_input_shape() {
        let input = example();
        assert_eq!(input.id.as_deref(), Some("tea-festival"));
        assert_eq!(input.starts_at, Timestamp::parse("2026-11-01T00:00:00Z").expect("a time"));
        assert_eq!(input.ends_at, Timestamp::parse("2027-06-30T16:00:00Z").expect("a time"));
        assert_eq!(input.status, Some(Status::Draft));
        assert_eq!(input.vip_per_user_limit, Some(10));
        assert_eq!(input.eligibility.as_ref().and_then(|rules| rules.tags_none.clone()), Some(vec!["banned".into()]));
        let prizes: Vec<_> = input.prizes.iter().map(|prize| (prize.id.as_deref(), prize.price_fen)).collect();
        assert_eq!(prizes, [(Some("thanks"), 0), (Some("tea"), 9000), (Some("cup"), 8000), (Some("drone"), 40000)]);
        assert_eq!(input.prizes[0].consolation, Some(true));
        for prize in &input.prizes {
            let picture = prize.picture.as_deref().expect("a picture").trim_start_matches('/');
            assert!(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web")).join(picture).is_file(), "{picture}");
        }
    }

    #[test]
    fn a_json_campaign_reads_into_the_same_input_as_its_toml_twin() {
        let json = serde_json::to_string(&example()).expect("serialises");
        assert!(json.contains("\"starts_at\":\"2026-11-01T00:00:00Z\""), "{json}");
        assert_eq!(parse(Path::new("campaign.json"), &json).expect("parses"), example());
    }

    #[test]
    fn a_misspelt_prize_field_is_rejected_naming_the_prize_and_the_field() {
        let text = EXAMPLE.replacen("price_fen = 9000", "prize_fen = 9000", 1);
        let message = bad_file("campaign.toml", &text);
        assert!(
            message.starts_with("campaign.toml: prizes[1].prize_fen: unknown field `prize_fen`, expected one of"),
            "{message}"
        );
    }

    #[test]
    fn a_json_file_with_a_wrong_type_is_rejected_with_its_path_and_line() {
        let text = "{\n\"id\": \"a\", \"name\": \"A\",\n\"per_user_limit\": \"three\"\n}";
        let message = bad_file("a.json", text);
        assert!(message.contains("per_user_limit: invalid type: string \"three\""), "{message}");
        assert!(message.contains("line 3"), "{message}");
    }

    #[test]
    fn bad_campaign_files_are_rejected_with_a_clear_message() {
        let cases = [
            ("campaign.toml", EXAMPLE.replacen("id = \"tea-festival\"", "", 1), "needs an `id`"),
            (
                "campaign.toml",
                EXAMPLE.replacen("2027-06-30T16:00:00Z", "2026-10-01T00:00:00Z", 1),
                "must come after starts_at",
            ),
            (
                "campaign.toml",
                EXAMPLE.replacen("\"2027-06-30T16:00:00Z\"", "\"30/06/2027\"", 1),
                "ends_at: `30/06/2027` is not an RFC 3339 time",
            ),
            ("campaign.toml", EXAMPLE.replacen("remaining_stock", "random", 1), "draw_mode: unknown variant `random`"),
            ("campaign.toml", EXAMPLE.replacen("id = \"cup\"", "id = \"tea\"", 1), "prizes[2]: `tea` appears twice"),
            ("campaign.toml", EXAMPLE.replacen("name = \"Tea Festival\"", "name = [", 1), "not valid TOML"),
            (
                "campaign.toml",
                EXAMPLE.replacen("price_fen = 0", "price_fen = -5", 1),
                "prizes[0].price_fen: invalid value",
            ),
            ("campaign.yaml", EXAMPLE.to_owned(), "ends in .toml or .json"),
        ];
        for (name, text, expected) in cases {
            let message = bad_file(name, &text);
            assert!(message.contains(expected), "{expected:?} not in {message:?}");
        }
        let no_prizes = r#"{"id":"a","name":"A","starts_at":"2026-01-01T00:00:00Z","ends_at":"2027-01-01T00:00:00Z",
            "draw_mode":"weight_keep","per_user_limit":0,"pay_window_secs":60,"prizes":[]}"#;
        assert!(bad_file("a.json", no_prizes).contains("at least one prize"));
    }

    #[test]
    fn an_absent_activity_is_created_as_the_file_says() {
        assert_eq!(plan(&example(), None).expect("a plan"), Plan::Create(example()));
        assert_eq!(
            plan(&example(), None).expect("a plan").lines(),
            ["create activity tea-festival (draft) with prizes thanks, tea, cup, drone"]
        );
    }

    #[test]
    fn an_activity_that_matches_the_file_is_left_alone() {
        let plan = plan(&example(), Some(&body_of(&example(), Status::Draft))).expect("a plan");
        assert!(matches!(&plan, Plan::Update(update) if update.is_empty()), "{plan:?}");
        assert_eq!(plan.lines(), ["tea-festival: up to date, nothing to change"]);
    }

    #[test]
    fn prizes_are_removed_updated_and_added_to_match_the_file() {
        let current = body_of(&example(), Status::Draft);
        let mut input = example();
        input.name = "Tea Festival 2".into();
        input.per_user_limit = 5;
        input.prizes.retain(|prize| prize.id.as_deref() != Some("cup"));
        input.prizes[1].price_fen = 9900;
        input.prizes.push(PrizeInput {
            id: Some("pot".into()),
            name: "Pot".into(),
            price_fen: 12000,
            initial: 10,
            ..input.prizes[1].clone()
        });
        let Plan::Update(update) = plan(&input, Some(&current)).expect("a plan") else { panic!("an update") };
        assert_eq!(Value::Object(update.patch.clone()), json!({"name": "Tea Festival 2", "per_user_limit": 5}));
        assert_eq!(update.prizes.len(), 3);
        assert_eq!(update.prizes[0], PrizeStep::Remove { id: "cup".into() });
        assert!(
            matches!(&update.prizes[1], PrizeStep::Update { id, patch, .. } if id == "tea" && Value::Object(patch.clone()) == json!({"price_fen": 9900}))
        );
        assert!(matches!(&update.prizes[2], PrizeStep::Add(prize) if prize.id.as_deref() == Some("pot")));
        assert_eq!(
            Plan::Update(update).lines(),
            [
                "tea-festival: name \"Tea Festival\" → \"Tea Festival 2\"",
                "tea-festival: per_user_limit 3 → 5",
                "prize cup: delete",
                "prize tea: price_fen 9000 → 9900",
                "prize pot: add",
            ]
        );
    }

    #[test]
    fn a_prize_without_an_id_is_matched_by_its_name() {
        let current = body_of(&example(), Status::Draft);
        let mut input = example();
        input.prizes[2].id = None;
        input.prizes[2].initial = 150;
        let Plan::Update(update) = plan(&input, Some(&current)).expect("a plan") else { panic!("an update") };
        assert!(
            matches!(update.prizes.as_slice(), [PrizeStep::Update { id, .. }] if id == "cup"),
            "{:?}",
            update.prizes
        );
    }

    #[test]
    fn times_are_compared_as_instants_not_as_text() {
        let mut current = body_of(&example(), Status::Draft);
        current.starts_at = Timestamp::parse("2026-11-01T08:00:00+08:00").expect("a time");
        let plan = plan(&example(), Some(&current)).expect("a plan");
        assert!(matches!(&plan, Plan::Update(update) if update.is_empty()), "{plan:?}");
    }

    #[test]
    fn prices_and_prize_lists_are_refused_while_online_but_names_may_change() {
        let current = body_of(&example(), Status::Online);
        let mut input = example();
        input.status = None;
        input.prizes[1].price_fen = 9900;
        input.prizes[2].name = "Cup".into();
        input.prizes.pop();
        let message = plan(&input, Some(&current)).expect_err("refused").to_string();
        assert!(message.contains("tea-festival is online"), "{message}");
        assert!(message.contains("deleting prize drone, prize tea price_fen"), "{message}");
        assert!(!message.contains("cup"), "{message}");
        input.prizes[1].price_fen = 9000;
        input.prizes.push(example().prizes[3].clone());
        let allowed = plan(&input, Some(&current)).expect("names change while online");
        assert_eq!(allowed.lines(), ["prize cup: name \"Travel cup\" → \"Cup\""]);
    }

    #[test]
    fn a_loaded_prize_s_units_change_by_stock_delta_even_while_online() {
        let current = body_of(&example(), Status::Online);
        let mut input = example();
        input.status = None;
        input.prizes[1].initial = 300;
        input.prizes[3].initial = 2;
        let Plan::Update(update) = plan(&input, Some(&current)).expect("deltas are allowed online") else {
            panic!("an update")
        };
        assert_eq!(
            update.prizes,
            [
                PrizeStep::Stock { id: "tea".into(), from: 200, to: 300 },
                PrizeStep::Stock { id: "drone".into(), from: 5, to: 2 }
            ]
        );
        assert_eq!(
            Plan::Update(update).lines(),
            ["prize tea: initial 200 → 300 (stock +100)", "prize drone: initial 5 → 2 (stock -3)"]
        );
    }

    #[test]
    fn adding_a_prize_to_a_loaded_stock_is_refused_with_the_way_out() {
        let mut current = body_of(&example(), Status::Offline);
        current.loaded = true;
        let mut input = example();
        input.status = None;
        input.prizes.push(PrizeInput { id: Some("pot".into()), ..example().prizes[1].clone() });
        let message = plan(&input, Some(&current)).expect_err("refused").to_string();
        assert!(message.contains("tea-festival's stock is loaded"), "{message}");
        assert!(
            message.contains("adding prize pot") && message.contains("luckydraw-admin flush tea-festival"),
            "{message}"
        );
        current.loaded = false;
        assert!(plan(&input, Some(&current)).is_ok(), "allowed once the stock is flushed");
    }

    #[test]
    fn entry_and_buckets_change_only_when_the_api_allows() {
        let mut current = body_of(&example(), Status::Online);
        let mut input = example();
        input.status = None;
        input.entry = Some(Entry::Queued);
        let message = plan(&input, Some(&current)).expect_err("no entry change online").to_string();
        assert!(message.contains("online") && message.contains("entry"), "{message}");
        input.entry = Some(Entry::Instant);
        input.buckets = Some(8);
        let message = plan(&input, Some(&current)).expect_err("no buckets change while loaded").to_string();
        assert!(message.contains("stock is loaded") && message.contains("buckets"), "{message}");
        current.loaded = false;
        assert_eq!(plan(&input, Some(&current)).expect("allowed").lines(), ["tea-festival: buckets 1 → 8"]);
    }

    #[test]
    fn going_offline_comes_first_and_going_online_last() {
        let mut input = example();
        input.prizes[1].initial = 300;
        input.status = Some(Status::Offline);
        let offline = plan(&input, Some(&body_of(&example(), Status::Online))).expect("allowed once offline");
        assert_eq!(
            offline.lines(),
            ["tea-festival: status online → offline", "prize tea: initial 200 → 300 (stock +100)"]
        );
        input.status = Some(Status::Online);
        let online = plan(&input, Some(&body_of(&example(), Status::Draft))).expect("a plan");
        assert_eq!(online.lines(), ["prize tea: initial 200 → 300", "tea-festival: status draft → online"]);
    }
}
