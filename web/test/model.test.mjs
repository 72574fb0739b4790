// The page's rules: an activity's phase, the wheel's order, and the slice under the pointer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { phaseOf, sliceOf, sliceUnderPointer, wheelOrder } from "../js/model.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const prize = (id, wheelIndex, remaining, consolation = false) => ({ id, wheel_index: wheelIndex, remaining, consolation });
const activity = (overrides = {}) => ({
  status: "online",
  starts_at: "2026-01-01T00:00:00Z",
  ends_at: "2027-01-01T00:00:00Z",
  prizes: [prize("thanks", 0, 10, true), prize("cup", 1, 3), prize("tea", 2, 0)],
  ...overrides,
});

test("an online activity between its start and end with stock left is open", () => {
  assert.equal(phaseOf(activity(), NOW), "open");
});

test("before its start an activity is upcoming, at its end it is closed", () => {
  assert.equal(phaseOf(activity({ starts_at: "2026-06-01T12:00:01Z" }), NOW), "upcoming");
  assert.equal(phaseOf(activity({ starts_at: "2026-06-01T12:00:00Z" }), NOW), "open");
  assert.equal(phaseOf(activity({ ends_at: "2026-06-01T12:00:00Z" }), NOW), "closed");
});

test("an offline or draft activity is closed whatever its times", () => {
  assert.equal(phaseOf(activity({ status: "offline" }), NOW), "closed");
  assert.equal(phaseOf(activity({ status: "draft" }), NOW), "closed");
});

test("an activity whose only stock left is the consolation slot is sold out", () => {
  const prizes = [prize("thanks", 0, 10, true), prize("cup", 1, 0), prize("tea", 2, 0)];
  assert.equal(phaseOf(activity({ prizes }), NOW), "sold_out");
});

test("no activity yet is loading", () => {
  assert.equal(phaseOf(null, NOW), "loading");
});

test("slices follow wheel_index, and a wheel index maps to its slice", () => {
  const slices = wheelOrder([prize("b", 2, 1), prize("a", 0, 1), prize("c", 1, 1)]);
  assert.deepEqual(slices.map((slice) => slice.id), ["a", "c", "b"]);
  assert.equal(sliceOf(slices, 2), 2);
  assert.equal(sliceOf(slices, 7), -1);
});

test("the slice under the pointer follows lucky-canvas's rotation", () => {
  // lucky-canvas stops slice i at rotation 360k − (i + ½)·w + jitter, |jitter| < w/2.
  const width = 36;
  for (let slice = 0; slice < 10; slice += 1) {
    for (const jitter of [-17.9, 0, 17.9]) {
      const rotation = 360 * 5 - (slice + 0.5) * width + jitter;
      assert.equal(sliceUnderPointer(rotation, 10), slice, `slice ${slice}, jitter ${jitter}`);
    }
  }
  assert.equal(sliceUnderPointer(989.118, 10), 2);
  assert.equal(sliceUnderPointer(0, 10), 0);
});
