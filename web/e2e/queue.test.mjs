// The queued entry mode in Chromium against the local runner: a player on `queue-demo`
// sees their place in the queue count down while the draw worker works through the
// tickets ahead of theirs, then the wheel spins to the drawn prize; a second press while
// waiting takes no second ticket; a ticket the activity's sell-out resolves shows the
// sold-out message. The runner's worker draws at a set pace (a documented setting) so
// that other players' tickets are still waiting when the page's player presses.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ADMIN_PASSWORD, PASSWORD, openPage, registerPlayer, uniqueName, withRunnerAndBrowser } from "./harness.mjs";

const QUEUE_PACE = { LUCKYDRAW_QUEUE_PACE_MS: "400" };
const started = withRunnerAndBrowser({ env: QUEUE_PACE });

/** A client of the API as a logged-in user (a new player, or `username`/`password`). */
async function apiUser(baseUrl, { username = uniqueName("queue"), password = PASSWORD, action = "register" } = {}) {
  const response = await fetch(`${baseUrl}/${action}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
  if (!response.ok) throw new Error(`${action} ${username}: ${response.status} ${await response.text()}`);
  const { token } = await response.json();
  return async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const answer = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: answer.status, body: answer.status === 204 ? null : await answer.json() };
  };
}

/** Takes a ticket for each of `count` new players on `activity`; resolves to their 202 answers. */
async function ticketsAhead(baseUrl, activity, count) {
  const players = await Promise.all(Array.from({ length: count }, () => apiUser(baseUrl)));
  const tickets = [];
  for (const call of players) {
    const { status, body } = await call("POST", `/activities/${activity}/draw`);
    assert.equal(status, 202, JSON.stringify(body));
    tickets.push(body);
  }
  return tickets;
}

/**
 * A page (short spins) on `activity` that records every place in line it shows
 * (`window.seenPositions`, from the queue line's data-position) and every draw it posts.
 */
async function queuePage(activity) {
  const page = await openPage(started.browser, null, { reducedMotion: "reduce" });
  await page.addInitScript(() => {
    window.seenPositions = [];
    document.addEventListener("DOMContentLoaded", () => {
      const line = document.querySelector("#queue");
      new MutationObserver(() => {
        const position = line.dataset.position;
        if (position !== undefined && window.seenPositions.at(-1) !== Number(position)) window.seenPositions.push(Number(position));
      }).observe(line, { attributes: true, attributeFilter: ["data-position"] });
    });
  });
  page.drawPosts = [];
  page.on("request", (request) => request.method() === "POST" && request.url().endsWith("/draw") && page.drawPosts.push(request.url()));
  await page.goto(`${started.runner.url}/?activity=${activity}`);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

/** Presses Spin on a queued activity; resolves to the 202 ticket the page got. */
async function takeTicket(page) {
  const answered = page.waitForResponse((response) => response.request().method() === "POST" && response.url().endsWith("/draw"));
  await page.click("#spin");
  const response = await answered;
  assert.equal(response.status(), 202, await response.text());
  return response.json();
}

/** Waits until the wheel rests on a slice; resolves to its data attributes. */
async function restedWheel(page) {
  await page.waitForSelector("#wheel[data-state=idle][data-landed-index]", { timeout: 60_000 });
  return page.$eval("#wheel", (wheel) => ({ ...wheel.dataset }));
}

/** The draw as the API reports it to the page's player (same origin: the page's cookie). */
function drawSeenByPage(page, drawId) {
  return page.evaluate(async (id) => (await fetch(`/draws/${id}`)).json(), drawId);
}

test("queue-demo is offered next to the demo; a player sees their place, then the wheel spins to the drawn prize", async () => {
  const page = await queuePage("queue-demo");
  assert.equal(await page.getAttribute("#picker a[aria-current=page]", "data-activity"), "queue-demo");
  assert.equal(await page.textContent("#picker a[data-activity=queue-demo] .tag"), "queue");
  assert.equal(await page.getAttribute("#picker a[data-activity=demo]", "href"), "?activity=demo");
  assert.equal(await page.locator("#picker a[data-activity=demo] .tag").count(), 0, "the demo draws at once");
  assert.match(await page.textContent("#queue"), /^First come, first drawn/);

  await registerPlayer(page);
  const ticket = await takeTicket(page);
  assert.equal(ticket.status, "queued");
  assert.ok(Number.isInteger(ticket.position) && ticket.position >= 0, JSON.stringify(ticket));
  const wheel = await restedWheel(page);

  const draw = await drawSeenByPage(page, ticket.draw_id);
  const activity = await (await fetch(`${started.runner.url}/activities/queue-demo`)).json();
  const prize = activity.prizes.find((candidate) => candidate.id === (draw.prize?.id ?? draw.prize_id));
  assert.ok(prize, JSON.stringify(draw));
  assert.equal(Number(wheel.landedIndex), prize.wheel_index, "the wheel landed on the drawn prize");
  assert.equal(await page.getAttribute("#result", "data-draw-id"), ticket.draw_id);
  assert.match(await page.textContent("#result .result-title"), new RegExp(prize.name));
  assert.equal(await page.evaluate(() => window.seenPositions[0]), ticket.position, "the ticket's place was shown first");
  assert.equal(await page.getAttribute("#queue", "class"), "queue", "the queue line is back to its hint");
  assert.equal(await page.textContent("#spin"), "Spin");
  assert.deepEqual(page.problems, []);
});

test("with players ahead the place counts down to the front; a second press takes no second ticket", async () => {
  const page = await queuePage("queue-demo");
  await registerPlayer(page);
  const ahead = await ticketsAhead(started.runner.url, "queue-demo", 4);
  const ticket = await takeTicket(page);
  assert.ok(ticket.position > 0, `players ahead: ${JSON.stringify({ ticket, ahead })}`);

  // While waiting, Spin says so and neither it nor the wheel's own button posts again.
  await page.waitForSelector("#queue.waiting[data-position]");
  assert.match(await page.textContent("#queue"), /^You are (number \d+|next) in the queue/);
  assert.equal(await page.textContent("#spin"), "In the queue…");
  assert.equal(await page.getAttribute("#spin", "aria-disabled"), "true");
  await page.click("#spin");
  const box = await page.locator("#wheel canvas").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);

  await restedWheel(page);
  const seen = await page.evaluate(() => window.seenPositions);
  assert.equal(seen[0], ticket.position);
  assert.ok(seen.length >= 2, `the place moved while waiting: ${seen}`);
  for (let i = 1; i < seen.length; i += 1) assert.ok(seen[i] < seen[i - 1], `places only go down: ${seen}`);
  assert.deepEqual(page.drawPosts.length, 1, "one ticket only");
  assert.equal(await page.getAttribute("#result", "data-draw-id"), ticket.draw_id);
  assert.deepEqual(page.problems, []);
});

test("a ticket still waiting when the activity sells out shows the sold-out message", async () => {
  // A queued activity with a single unit: the ticket ahead takes it, the page's ticket is
  // resolved by the sell-out.
  const admin = await apiUser(started.runner.url, { username: "admin", password: ADMIN_PASSWORD, action: "login" });
  const id = uniqueName("last-unit").replaceAll("_", "-");
  const now = Date.now();
  const created = await admin("POST", "/admin/activities", {
    id,
    name: "Last unit",
    starts_at: new Date(now - 60_000).toISOString(),
    ends_at: new Date(now + 3_600_000).toISOString(),
    draw_mode: "remaining_stock",
    entry: "queued",
    per_user_limit: 0,
    pay_window_secs: 900,
    prizes: [{ name: "Cup", picture: "/prizes/cup.svg", price_fen: 0, initial: 1, weight: 1 }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const online = await admin("PATCH", `/admin/activities/${id}`, { status: "online" });
  assert.equal(online.status, 200, JSON.stringify(online.body));

  const page = await queuePage(id);
  await registerPlayer(page);
  await ticketsAhead(started.runner.url, id, 2);
  const ticket = await takeTicket(page);
  assert.ok(ticket.position > 0, JSON.stringify(ticket));
  await page.waitForFunction(() => document.querySelector("#message").textContent === "Sold out — every prize has been won.", null, { timeout: 30_000 });
  await page.waitForSelector("body[data-phase=sold_out]");
  assert.equal(await page.textContent("#phase"), "Sold out — every prize has found a home.");
  assert.equal(await page.isHidden("#result"), true, "no result card for a ticket that drew nothing");
  assert.equal(await page.getAttribute("#wheel", "data-stop-index"), null, "the wheel never stopped on a prize");
  assert.equal(await page.getAttribute("#queue", "class"), "queue");
  assert.deepEqual(page.problems, []);
});
