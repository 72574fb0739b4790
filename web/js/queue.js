// The queued entry mode's rules: what an answer about a queued draw means, the place in
// line a position stands for, and when to ask again (a small state machine). No DOM, no
// timers: app.js runs the loop, Node's test runner checks the rules.

/** True if the activity queues its draws (`"entry": "queued"`) instead of drawing at once. */
export function isQueued(activity) {
  return activity?.entry === "queued";
}

/**
 * Codes that end a waiting ticket without a draw, the same as an instant draw's refusals:
 * the activity sold out or closed meanwhile, the player's limits at their turn, or a
 * backend failure that voided the draw (`unavailable`: press again).
 */
const REFUSALS = new Set(["sold_out", "activity_not_open", "quota_exceeded", "unpaid_limit", "unavailable"]);

/** Refusals that a failed poll itself may answer with; `unavailable` there is a passing failure, retried. */
const FINAL_ERRORS = new Set(["sold_out", "activity_not_open", "quota_exceeded", "unpaid_limit"]);

/**
 * What an answer of `POST …/draw` or `GET /draws/{id}` says about a draw:
 * `{ kind: "waiting", drawId, position }` while its ticket waits, `{ kind: "drawn", answer }`
 * once drawn (`answer` shaped as the instant draw's, its prize and wheel index taken from
 * `slices` if the answer names only `prize_id`), or `{ kind: "resolved", code }` when it
 * ended without a draw (the activity sold out or closed before its turn, ...).
 */
export function readDraw(body, slices = []) {
  const status = body?.status;
  if (status === "queued") return { kind: "waiting", drawId: body.draw_id, position: Math.max(0, Number(body.position) || 0) };
  const named = [status, body?.outcome, body?.refusal, body?.reason, body?.code, body?.error?.code];
  const code = named.find((value) => REFUSALS.has(value));
  if (code) return { kind: "resolved", code };
  if (typeof body?.won !== "boolean") return { kind: "unknown" };
  if (body.prize && Number.isInteger(body.wheel_index)) return { kind: "drawn", answer: body };
  const slice = slices.find((prize) => prize.id === (body.prize?.id ?? body.prize_id));
  if (!slice) return { kind: "unknown" };
  const prize = { id: slice.id, name: slice.name, picture: slice.picture, price_fen: slice.price_fen };
  return { kind: "drawn", answer: { ...body, prize, wheel_index: slice.wheel_index } };
}

/** The place in line for `position` tickets ahead: 1 for the next draw. */
export function placeInLine(position) {
  return position + 1;
}

/** Polling pace: the first wait, the growth while nothing moves, and the longest waits. */
export const PACE = { firstMs: 400, growth: 1.5, idleMaxMs: 4000, failureMaxMs: 15_000 };

/** A ticket just taken (a `waiting` reading): poll again after the first wait. */
export function startWaiting(reading) {
  return { status: "waiting", drawId: reading.drawId, position: reading.position, delayMs: PACE.firstMs, failures: 0 };
}

/**
 * The wait after one poll. `outcome` is `{ reading }` (from `readDraw`) or `{ error }` (an
 * ApiError). The shown position only goes down (a late answer never moves the player back);
 * while it moves the page polls at the first pace, while it stands still the pace slows to
 * `idleMaxMs`; failures back off to `failureMaxMs` (or the server's Retry-After). A drawn or
 * resolved reading ends the wait; so does an ended session or a ticket the server lost.
 */
export function afterPoll(wait, outcome) {
  if (wait.status !== "waiting") return wait;
  if (outcome.error) {
    const code = outcome.error.code;
    if (code === "unauthenticated" || code === "not_found" || code === "forbidden") return { ...wait, status: "failed", error: outcome.error };
    if (FINAL_ERRORS.has(code)) return { ...wait, status: "resolved", code };
    const failures = wait.failures + 1;
    const backoff = Math.min(PACE.firstMs * 2 ** failures, PACE.failureMaxMs);
    const retryAfterMs = (outcome.error.retryAfterSecs ?? 0) * 1000;
    return { ...wait, failures, error: outcome.error, delayMs: Math.max(backoff, retryAfterMs) };
  }
  const { reading } = outcome;
  if (reading.kind === "drawn") return { ...wait, status: "drawn", answer: reading.answer, error: null };
  if (reading.kind === "resolved") return { ...wait, status: "resolved", code: reading.code, error: null };
  if (reading.kind !== "waiting") return { ...wait, failures: wait.failures + 1, delayMs: Math.min(wait.delayMs * PACE.growth, PACE.idleMaxMs) };
  const moved = reading.position < wait.position;
  const delayMs = moved ? PACE.firstMs : Math.min(wait.delayMs * PACE.growth, PACE.idleMaxMs);
  return { ...wait, position: Math.min(wait.position, reading.position), delayMs, failures: 0, error: null };
}
