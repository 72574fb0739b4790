// A fix for lucky-canvas 1.7.27 (the latest release), applied to its LuckyWheel.
//
// When the wheel is told where to stop, lucky-canvas searches for how far to turn
// (`endDeg`) so that the slowing-down starts at the cruising speed. Two cases make it
// never stop: (1) if the very first candidate already needs a faster first step, it takes
// the "previous" candidate, which is still its initial 0, and with `endDeg` 0 it searches
// again on every frame, forever; this happens on slow frames (a busy phone, a throttled
// tab), short decelerations, or a wheel that has barely turned; (2) if no acceleration
// frame ran since play() (a background tab), its frame time is NaN and the search loops
// forever, freezing the page. This is the same search with both holes closed.

/** lucky-canvas's "quad" ease-out: where a turn of `distance` over `duration` ms is after `t` ms. */
function easeOut(t, from, distance, duration) {
  const x = Math.min(t, duration) / duration;
  return -distance * x * (x - 2) + from;
}

/** Chooses how far the wheel turns to stop on slice `prizeFlag`; sets stopDeg, endDeg, endTime. */
export function carveOnGunwaleOfAMovingBoat() {
  const { _defaultConfig: config, prizeFlag, prizeDeg, rotateDeg } = this;
  const frame = Number.isFinite(this.FPS) && this.FPS > 0 ? this.FPS : 1000 / 60;
  this.endTime = Date.now();
  this.stopDeg = rotateDeg;
  const jitter = (Math.random() * prizeDeg - prizeDeg / 2) * this.getLength(config.stopRange);
  let previous = 0;
  let previousStep = 0;
  for (let turns = 1; ; turns += 1) {
    const distance = 360 * turns - prizeFlag * prizeDeg - rotateDeg - config.offsetDegree + jitter - prizeDeg / 2;
    const step = easeOut(frame, rotateDeg, distance, config.decelerationTime) - rotateDeg;
    if (step > config.speed) {
      const previousIsCloser = config.speed - previousStep <= step - config.speed;
      this.endDeg = previous > 0 && previousIsCloser ? previous : distance;
      return;
    }
    previous = distance;
    previousStep = step;
  }
}

/** Installs the fix on lucky-canvas's LuckyWheel (idempotent). */
export function patchLuckyWheel(LuckyWheel) {
  LuckyWheel.prototype.carveOnGunwaleOfAMovingBoat = carveOnGunwaleOfAMovingBoat;
}
