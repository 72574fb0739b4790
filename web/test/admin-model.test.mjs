// The admin page's rules: schedule phases, money and times between form and API, the
// activity form to an ActivityInput and an edit to its requests, where errors land.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  activityInput,
  editRequests,
  fieldMessage,
  formField,
  formValues,
  fromLocalInput,
  ordersQuery,
  parseTags,
  parseWhole,
  parseYuan,
  schedule,
  shortId,
  stockSummary,
  toLocalInput,
  validTag,
  yuanText,
} from "../js/admin/model.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");

const prize = (id, index, overrides = {}) => ({
  id,
  name: id,
  description: "",
  picture: "/prizes/cup.svg",
  price_fen: 1990,
  initial: 10,
  remaining: 10,
  wheel_index: index,
  weight: 5,
  consolation: false,
  ...overrides,
});

const activity = (overrides = {}) => ({
  id: "spring",
  name: "Spring",
  description: "",
  status: "draft",
  starts_at: "2026-06-01T10:00:00Z",
  ends_at: "2026-06-08T10:00:00Z",
  draw_mode: "remaining_stock",
  per_user_limit: 3,
  pay_window_secs: 900,
  max_unpaid_per_user: 3,
  eligibility: {},
  loaded: false,
  prizes: [prize("bear", 0), prize("cup", 1)],
  ...overrides,
});

test("the schedule: drafts and offline activities have none, online ones count down to start or end", () => {
  assert.deepEqual(schedule(activity(), NOW), { phase: "draft", at: null });
  assert.deepEqual(schedule(activity({ status: "offline" }), NOW), { phase: "offline", at: null });
  assert.deepEqual(schedule(activity({ status: "online" }), NOW), { phase: "running", at: Date.parse("2026-06-08T10:00:00Z") });
  assert.deepEqual(schedule(activity({ status: "online", starts_at: "2026-06-02T00:00:00Z" }), NOW), {
    phase: "upcoming",
    at: Date.parse("2026-06-02T00:00:00Z"),
  });
  assert.equal(schedule(activity({ status: "online", ends_at: "2026-06-01T12:00:00Z" }), NOW).phase, "ended");
});

test("prices are typed in yuan and sent in fen without floating point", () => {
  assert.equal(parseYuan("19.9"), 1990);
  assert.equal(parseYuan("19.90"), 1990);
  assert.equal(parseYuan(" ¥1,990 "), 199000);
  assert.equal(parseYuan("0.07"), 7);
  assert.equal(parseYuan("0"), 0);
  assert.equal(parseYuan("1."), 100);
  assert.equal(parseYuan("0.1"), 10);
  for (const bad of ["", "abc", "-1", "1.234", "1e3", "1.2.3"]) assert.equal(parseYuan(bad), null, bad);
  assert.equal(yuanText(1990), "19.90");
  assert.equal(yuanText(7), "0.07");
  assert.equal(yuanText(600000), "6000.00");
});

test("whole numbers: digits with an optional minus, nothing else", () => {
  assert.equal(parseWhole("12"), 12);
  assert.equal(parseWhole(" -3 "), -3);
  assert.equal(parseWhole("0"), 0);
  for (const bad of ["", "1.5", "x", "1e2"]) assert.equal(parseWhole(bad), null, bad);
});

test("times go from the form's local time to RFC 3339 UTC and back", () => {
  const iso = "2026-11-24T10:00:00Z";
  const local = toLocalInput(iso);
  assert.match(local, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  assert.equal(fromLocalInput(local), iso);
  assert.equal(toLocalInput(null), "");
  assert.equal(fromLocalInput(""), null);
  assert.equal(fromLocalInput("tomorrow"), null);
});

test("tags: separated by commas or spaces, lower case, once each; the API's tag rule", () => {
  assert.deepEqual(parseTags(" Beta, vip-2026  beta，x_1 "), ["beta", "vip-2026", "x_1"]);
  assert.deepEqual(parseTags(""), []);
  assert.ok(validTag("vip-2026"));
  assert.ok(!validTag("ünï"));
  assert.ok(!validTag("a".repeat(33)));
});

test("a new activity's form starts now (to the minute), runs a week, with one blank prize", () => {
  const values = formValues(null, NOW + 42_000);
  assert.equal(fromLocalInput(values.starts_at), "2026-06-01T12:00:00Z");
  assert.equal(fromLocalInput(values.ends_at), "2026-06-08T12:00:00Z");
  assert.equal(values.prizes.length, 1);
  assert.equal(values.draw_mode, "remaining_stock");
  assert.equal(values.entry, "instant");
});

test("the entry mode: an activity without one is instant; a changed one is sent, never while online", () => {
  const saved = activity();
  assert.equal(formValues(saved).entry, "instant");
  assert.deepEqual(editRequests(saved, activityInput(formValues(saved)).input), [], "instant is the default: nothing to send");
  const values = formValues(saved);
  values.entry = "queued";
  assert.deepEqual(editRequests(saved, activityInput(values).input), [{ method: "PATCH", path: "/admin/activities/spring", body: { entry: "queued" } }]);
  assert.equal(formValues(activity({ entry: "queued" })).entry, "queued");
  const online = activity({ status: "online" });
  const onlineValues = formValues(online);
  onlineValues.entry = "queued";
  assert.deepEqual(editRequests(online, activityInput(onlineValues).input), []);
});

test("the form of an activity reads back into the same ActivityInput", () => {
  const saved = activity({ eligibility: { kinds: ["vip"], tags_any: ["beta"] }, vip_per_user_limit: 10 });
  const { input, errors } = activityInput(formValues(saved));
  assert.equal(errors, undefined);
  assert.equal(input.id, "spring");
  assert.equal(input.starts_at, saved.starts_at);
  assert.equal(input.vip_per_user_limit, 10);
  assert.deepEqual(input.eligibility, { kinds: ["vip"], tags_any: ["beta"] });
  assert.deepEqual(input.prizes[1], {
    id: "cup",
    name: "cup",
    description: "",
    picture: "/prizes/cup.svg",
    price_fen: 1990,
    initial: 10,
    weight: 5,
    consolation: false,
  });
  assert.deepEqual(editRequests(saved, input), [], "nothing changed, nothing sent");
});

test("what cannot be read is reported against the API's field name", () => {
  const values = formValues(activity());
  values.prizes[1].price = "cheap";
  values.per_user_limit = "";
  values.ends_at = "";
  values.kinds = { normal: false, vip: false };
  values.tags_none = "ok, NOT OK!";
  const { input, errors } = activityInput(values);
  assert.equal(input, undefined);
  assert.deepEqual(
    errors.map((error) => [error.field, error.key]),
    [
      ["ends_at", "admin.invalid.time"],
      ["per_user_limit", "admin.invalid.whole"],
      ["eligibility.kinds", "admin.invalid.kinds"],
      ["eligibility.tags_none", "admin.invalid.tag"],
      ["prizes[1].price_fen", "admin.invalid.price"],
    ],
  );
});

test("optional numbers left empty are left out; a blank weight is no weight", () => {
  const values = formValues(null, NOW);
  Object.assign(values.prizes[0], { name: "Bear", weight: "" });
  values.vip_per_user_limit = "";
  values.max_unpaid_per_user = "";
  const { input } = activityInput(values);
  assert.ok(!("vip_per_user_limit" in input));
  assert.ok(!("max_unpaid_per_user" in input));
  assert.ok(!("weight" in input.prizes[0]));
  assert.ok(!("id" in input), "ids are made by the API from names");
  assert.deepEqual(input.eligibility, {}, "both kinds, no tags: everyone");
});

test("an edit is sent as the activity's changed fields, then changed, new and removed prizes", () => {
  const saved = activity();
  const values = formValues(saved);
  values.name = "Spring sale";
  values.prizes[0].initial = "20";
  values.prizes.splice(1, 1);
  values.prizes.push({ ...values.prizes[0], id: "", name: "Tea" });
  const { input } = activityInput(values);
  const requests = editRequests(saved, input);
  assert.deepEqual(
    requests.map(({ method, path, body, prizeIndex }) => [method, path, body, prizeIndex]),
    [
      ["PATCH", "/admin/activities/spring", { name: "Spring sale" }, undefined],
      ["PATCH", "/admin/activities/spring/prizes/bear", { initial: 20 }, 0],
      ["POST", "/admin/activities/spring/prizes", { name: "Tea", description: "", picture: "/prizes/cup.svg", price_fen: 1990, initial: 20, weight: 5, consolation: false }, 1],
      ["DELETE", "/admin/activities/spring/prizes/cup", undefined, undefined],
    ],
  );
});

test("an emptied VIP limit is sent as null, which removes it", () => {
  const saved = activity({ vip_per_user_limit: 10 });
  const values = formValues(saved);
  values.vip_per_user_limit = "";
  assert.deepEqual(editRequests(saved, activityInput(values).input), [
    { method: "PATCH", path: "/admin/activities/spring", body: { vip_per_user_limit: null } },
  ]);
  const unset = activity({ vip_per_user_limit: null });
  assert.deepEqual(editRequests(unset, activityInput(formValues(unset)).input), []);
});

test("while online an edit sends only what may change then", () => {
  const saved = activity({ status: "online" });
  const values = formValues(saved);
  values.draw_mode = "weight_keep";
  values.prizes[0].name = "Big bear";
  values.prizes[0].initial = "99";
  values.prizes.pop();
  const requests = editRequests(saved, activityInput(values).input);
  assert.deepEqual(
    requests.map(({ method, path, body }) => [method, path, body]),
    [["PATCH", "/admin/activities/spring/prizes/bear", { name: "Big bear" }]],
  );
});

test("an error's field is found in the form: a prize request's fields belong to its row", () => {
  assert.equal(formField("ends_at"), "ends_at");
  assert.equal(formField("prizes[1].weight"), "prizes[1].weight");
  assert.equal(formField("prizes[1].weight", 3), "prizes[1].weight");
  assert.equal(formField("weight", 2), "prizes[2].weight");
  assert.equal(formField(undefined, 2), null);
});

test("beside its field, an error's message leaves out the field's name", () => {
  assert.equal(fieldMessage("prizes[1].weight: needs a weight above zero", "prizes[1].weight"), "needs a weight above zero");
  assert.equal(fieldMessage("ends the activity before it starts", "ends_at"), "ends the activity before it starts");
  assert.equal(fieldMessage("name: too long", null), "name: too long");
});

test("stock answers are summed up in a line", () => {
  const ui = { t: (key, values) => `${key} ${JSON.stringify(values)}`, count: (n) => String(n) };
  const line = stockSummary({ remaining: { bear: 100, cup: 3 }, held: {}, draws: 0 }, ui);
  assert.equal(line, 'admin.stock.summary {"remaining":"bear 100, cup 3","held":"—","draws":"0"}');
});

test("orders queries leave empty filters out", () => {
  assert.equal(ordersQuery({}), "");
  assert.equal(ordersQuery({ activity: "spring", status: "", cursor: "abc=", limit: 20 }), "?activity=spring&cursor=abc%3D&limit=20");
  assert.equal(shortId("0123456789abcdef"), "01234567…");
  assert.equal(shortId("short"), "short");
});
