// Money, countdowns and picture addresses: the pure formatting the page relies on.
import assert from "node:assert/strict";
import { test } from "node:test";

import { count, countdownParts, money, pictureUrl } from "../js/format.js";

test("money formats integer fen exactly, with grouping and two decimals", () => {
  assert.equal(money(0), "¥0.00");
  assert.equal(money(5), "¥0.05");
  assert.equal(money(990), "¥9.90");
  assert.equal(money(600000), "¥6,000.00");
  assert.equal(money(123456789), "¥1,234,567.89");
  assert.equal(money(-150), "-¥1.50");
  // 0.1 + 0.2 style drift cannot happen: 1 fen steps stay exact far beyond any price.
  assert.equal(money(9007199254740), "¥90,071,992,547.40");
});

test("count groups digits by locale", () => {
  assert.equal(count(6500, "en"), "6,500");
  assert.equal(count(6500, "zh-CN"), "6,500");
});

test("countdowns show mm:ss, then hours, then days, and never go negative", () => {
  assert.deepEqual(countdownParts(59_001), { days: 0, clock: "01:00" });
  assert.deepEqual(countdownParts(14 * 60_000 + 59_000), { days: 0, clock: "14:59" });
  assert.deepEqual(countdownParts(3_600_000), { days: 0, clock: "01:00:00" });
  assert.deepEqual(countdownParts(2 * 86_400_000 + 3_723_000), { days: 2, clock: "01:02:03" });
  assert.deepEqual(countdownParts(-5_000), { days: 0, clock: "00:00" });
});

test("pictures resolve against the page's folder and only as web addresses", () => {
  assert.equal(pictureUrl("/prizes/cup.svg", "http://127.0.0.1:3000/"), "http://127.0.0.1:3000/prizes/cup.svg");
  assert.equal(pictureUrl("/prizes/cup.svg", "https://cdn.example/game/index.html"), "https://cdn.example/game/prizes/cup.svg");
  assert.equal(pictureUrl("https://img.example/a.png", "http://x/"), "https://img.example/a.png");
  assert.equal(pictureUrl("javascript:alert(1)", "http://x/"), null);
  assert.equal(pictureUrl("", "http://x/"), null);
});
