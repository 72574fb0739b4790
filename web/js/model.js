// Pure rules of the page: which state an activity is in, the wheel's slice order, and
// which slice sits under the pointer for a given rotation. No DOM, unit-tested in Node.

/** `loading`, `upcoming`, `open`, `sold_out` or `closed` for an activity at `now` (ms). */
export function phaseOf(activity, now) {
  if (!activity) return "loading";
  if (activity.status !== "online") return "closed";
  if (now < Date.parse(activity.starts_at)) return "upcoming";
  if (now >= Date.parse(activity.ends_at)) return "closed";
  const winnable = activity.prizes.filter((prize) => !prize.consolation);
  return winnable.every((prize) => prize.remaining === 0) ? "sold_out" : "open";
}

/** The prizes in wheel order (the API sends them so; sorting keeps the page honest). */
export function wheelOrder(prizes) {
  return [...prizes].sort((a, b) => a.wheel_index - b.wheel_index);
}

/** The slice (position in `slices`) showing the prize with this `wheel_index`, or -1. */
export function sliceOf(slices, wheelIndex) {
  return slices.findIndex((prize) => prize.wheel_index === wheelIndex);
}

/**
 * The slice under the pointer (at 12 o'clock) when lucky-canvas's wheel has turned by
 * `rotationDeg`: slice k spans [k·w, (k+1)·w) measured back from the pointer, w = 360/n.
 */
export function sliceUnderPointer(rotationDeg, sliceCount, offsetDeg = 0) {
  const width = 360 / sliceCount;
  const turned = (((-rotationDeg - offsetDeg) % 360) + 360) % 360;
  return Math.floor(turned / width) % sliceCount;
}

/** Order statuses that can still change without the player (the page keeps polling them). */
export const OPEN_STATUSES = new Set(["queued", "pending_payment"]);
