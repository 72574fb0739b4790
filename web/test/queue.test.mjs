// The queued mode's rules: reading the server's answers, the place in line and its words,
// and the polling state machine (positions only go down, the pace, the ends of a wait).
import assert from "node:assert/strict";
import { test } from "node:test";

import { translate } from "../js/i18n.js";
import { PACE, afterPoll, isQueued, placeInLine, readDraw, startWaiting } from "../js/queue.js";
import { queueText } from "../js/views.js";

const SLICES = [
  { id: "thanks", name: "Thank you", picture: "/prizes/thanks.svg", price_fen: 0, wheel_index: 0, consolation: true },
  { id: "cup", name: "Cup", picture: "/prizes/cup.svg", price_fen: 1990, wheel_index: 1 },
];
const TICKET = { draw_id: "d1", status: "queued", position: 5 };
const waiting = (position) => ({ reading: { kind: "waiting", drawId: "d1", position } });
const failure = (code, retryAfterSecs = null) => ({ error: { code, message: code, retryAfterSecs } });

/** The ui helpers the views get, in `language`. */
const ui = (language = "en") => ({
  t: (key, values) => translate(language, key, values),
  count: (n) => new Intl.NumberFormat(language === "zh" ? "zh-CN" : "en").format(n),
  error: (error) => translate(language, `error.${error.code}`),
});

test("only an activity with entry \"queued\" queues its draws", () => {
  assert.equal(isQueued({ entry: "queued" }), true);
  assert.equal(isQueued({ entry: "instant" }), false);
  assert.equal(isQueued({}), false);
  assert.equal(isQueued(null), false);
});

test("a 202 ticket and a waiting draw read as waiting, with their position", () => {
  assert.deepEqual(readDraw(TICKET), { kind: "waiting", drawId: "d1", position: 5 });
  assert.deepEqual(readDraw({ status: "queued", position: 0 }), { kind: "waiting", drawId: undefined, position: 0 });
});

test("a drawn answer is the instant draw's answer; one naming only prize_id gets its prize from the wheel", () => {
  const full = { draw_id: "d1", won: true, outcome: "won", prize: { id: "cup", name: "Cup", picture: "/p", price_fen: 1990 }, wheel_index: 1, order_id: "o1" };
  assert.deepEqual(readDraw(full, SLICES), { kind: "drawn", answer: full });
  const bare = { draw_id: "d1", won: false, outcome: "consolation", prize_id: "thanks", order_id: null };
  const { kind, answer } = readDraw(bare, SLICES);
  assert.equal(kind, "drawn");
  assert.equal(answer.wheel_index, 0);
  assert.deepEqual(answer.prize, { id: "thanks", name: "Thank you", picture: "/prizes/thanks.svg", price_fen: 0 });
  assert.equal(readDraw({ ...bare, prize_id: "gone" }, SLICES).kind, "unknown", "a prize the wheel lacks cannot be shown");
});

test("a ticket resolved by a sell-out or a close reads as resolved with that code", () => {
  assert.deepEqual(readDraw({ draw_id: "d1", status: "sold_out" }), { kind: "resolved", code: "sold_out" });
  assert.deepEqual(readDraw({ draw_id: "d1", status: "activity_not_open" }), { kind: "resolved", code: "activity_not_open" });
  assert.deepEqual(readDraw({ status: "resolved", outcome: "sold_out" }), { kind: "resolved", code: "sold_out" });
  assert.deepEqual(readDraw({ error: { code: "activity_not_open" } }), { kind: "resolved", code: "activity_not_open" });
  assert.deepEqual(readDraw({ status: "refused", refusal: "quota_exceeded" }), { kind: "resolved", code: "quota_exceeded" });
  assert.equal(readDraw({}).kind, "unknown");
  assert.equal(readDraw(null).kind, "unknown");
});

test("the place in line counts the player: nobody ahead is number 1", () => {
  assert.equal(placeInLine(0), 1);
  assert.equal(placeInLine(41), 42);
});

test("the queue line: the hint, joining, the place in both languages, next, and a retry", () => {
  assert.equal(queueText(null, ui()), translate("en", "queue.hint"));
  assert.equal(queueText({ joining: true }, ui()), "Taking your place in the queue…");
  const wait = startWaiting(readDraw({ ...TICKET, position: 1233 }));
  assert.equal(queueText(wait, ui()), "You are number 1,234 in the queue.");
  assert.equal(queueText(wait, ui("zh")), "你排在第 1,234 位。");
  assert.equal(queueText({ ...wait, position: 0 }, ui()), "You are next in the queue — your draw is coming up.");
  const retrying = afterPoll(wait, failure("network"));
  assert.equal(queueText(retrying, ui()), "You are number 1,234 in the queue. Cannot reach the server — check your connection and try again. You keep your place in the queue.");
});

test("positions only go down: a stale, higher answer does not move the player back", () => {
  let wait = startWaiting(readDraw(TICKET));
  wait = afterPoll(wait, waiting(3));
  assert.equal(wait.position, 3);
  wait = afterPoll(wait, waiting(4));
  assert.equal(wait.position, 3);
  assert.equal(wait.status, "waiting");
  wait = afterPoll(wait, waiting(0));
  assert.equal(wait.position, 0);
});

test("the pace: fast while the line moves, slower up to a cap while it stands still", () => {
  let wait = startWaiting(readDraw(TICKET));
  assert.equal(wait.delayMs, PACE.firstMs);
  const delays = [];
  for (let poll = 0; poll < 10; poll += 1) {
    wait = afterPoll(wait, waiting(5));
    delays.push(wait.delayMs);
  }
  assert.equal(delays[0], PACE.firstMs * PACE.growth);
  for (let i = 1; i < delays.length; i += 1) assert.ok(delays[i] >= delays[i - 1], `delays never shrink while nothing moves: ${delays}`);
  assert.equal(delays.at(-1), PACE.idleMaxMs);
  wait = afterPoll(wait, waiting(4));
  assert.equal(wait.delayMs, PACE.firstMs, "a move brings the first pace back");
});

test("failures back off (to the server's Retry-After if longer), and an answer resets them", () => {
  let wait = startWaiting(readDraw(TICKET));
  wait = afterPoll(wait, failure("network"));
  assert.equal(wait.status, "waiting");
  assert.equal(wait.failures, 1);
  assert.equal(wait.delayMs, PACE.firstMs * 2);
  for (let i = 0; i < 10; i += 1) wait = afterPoll(wait, failure("unavailable"));
  assert.equal(wait.delayMs, PACE.failureMaxMs);
  wait = afterPoll(startWaiting(readDraw(TICKET)), failure("rate_limited", 30));
  assert.equal(wait.delayMs, 30_000);
  wait = afterPoll(wait, waiting(5));
  assert.equal(wait.failures, 0);
  assert.equal(wait.error, null);
  assert.equal(wait.status, "waiting");
});

test("the wait ends drawn, resolved, or failed on an ended session or a lost ticket", () => {
  const wait = startWaiting(readDraw(TICKET));
  const answer = { draw_id: "d1", won: true, outcome: "won", prize: { id: "cup" }, wheel_index: 1 };
  const drawn = afterPoll(wait, { reading: { kind: "drawn", answer } });
  assert.equal(drawn.status, "drawn");
  assert.equal(drawn.answer, answer);
  assert.equal(afterPoll(drawn, waiting(3)), drawn, "an ended wait stays ended");
  assert.deepEqual(
    [afterPoll(wait, { reading: { kind: "resolved", code: "sold_out" } }).status, afterPoll(wait, failure("activity_not_open")).code],
    ["resolved", "activity_not_open"],
  );
  for (const code of ["unauthenticated", "not_found", "forbidden"]) assert.equal(afterPoll(wait, failure(code)).status, "failed", code);
  assert.equal(afterPoll(wait, failure("unavailable")).status, "waiting", "a poll's 503 passes; the ticket still waits");
  assert.equal(afterPoll(wait, { reading: { kind: "unknown" } }).status, "waiting", "an answer it cannot read is retried");
});
