// The lucky-canvas fix: wherever the wheel is and however slow its frames, the turn it
// chooses is positive and finite and ends with the chosen slice under the pointer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { carveOnGunwaleOfAMovingBoat } from "../js/lucky-patch.js";
import { sliceUnderPointer } from "../js/model.js";

/** A LuckyWheel's state as lucky-canvas keeps it, with 10 slices. */
function wheel({ rotateDeg, fps, prizeFlag, speed = 10, decelerationTime = 900, stopRange = 0.6 }) {
  return {
    _defaultConfig: { speed, decelerationTime, stopRange, offsetDegree: 0 },
    getLength: (value) => Number(value),
    prizeDeg: 36,
    prizeFlag,
    rotateDeg,
    FPS: fps,
  };
}

test("the turn is positive and lands on the chosen slice, even where lucky-canvas got stuck", () => {
  // Seen stuck in Chromium under load: rotateDeg ≈ 22–40°, 64–334 ms frames, speed 10, 900 ms.
  const frames = [16.7, 64.25, 154, 334, 2000, Number.NaN, Number.POSITIVE_INFINITY, 0];
  for (const fps of frames) {
    for (const rotateDeg of [0, 21.9, 31.3, 359, 4000.5]) {
      for (let prizeFlag = 0; prizeFlag < 10; prizeFlag += 1) {
        for (const [speed, decelerationTime] of [[10, 900], [22, 3200]]) {
          const state = wheel({ rotateDeg, fps, prizeFlag, speed, decelerationTime });
          carveOnGunwaleOfAMovingBoat.call(state);
          const where = `fps ${fps}, at ${rotateDeg}°, slice ${prizeFlag}, speed ${speed}`;
          assert.ok(Number.isFinite(state.endDeg) && state.endDeg > 0, `${where}: endDeg ${state.endDeg}`);
          assert.equal(state.stopDeg, rotateDeg);
          assert.equal(sliceUnderPointer(state.stopDeg + state.endDeg, 10), prizeFlag, where);
        }
      }
    }
  }
});

test("with ordinary frames it picks the turn whose first step is nearest the cruising speed", () => {
  const state = wheel({ rotateDeg: 1000, fps: 16.7, prizeFlag: 3, speed: 22, decelerationTime: 3200, stopRange: 0 });
  carveOnGunwaleOfAMovingBoat.call(state);
  const firstStep = (distance) => distance * (16.7 / 3200) * (2 - 16.7 / 3200);
  const chosen = firstStep(state.endDeg);
  for (const other of [state.endDeg - 360, state.endDeg + 360]) {
    if (other > 0) assert.ok(Math.abs(chosen - 22) <= Math.abs(firstStep(other) - 22));
  }
});
