// The queued entry mode in Chromium against the local runner: a player on `queue-demo`
// sees their place in the queue, then the wheel spins to the drawn prize; players queueing
// at once get a ticket each; a second press or a reload while waiting takes no second
// ticket; a ticket the activity's sell-out ends shows the sold-out message. The runner's
// worker serves a line in microseconds and has no pace setting, so the countdown through
// several places is scripted by rewriting the waiting answers in the browser (as
// states.test.mjs does for states the demo never reaches), around a real ticket and draw.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ADMIN_PASSWORD, PASSWORD, openPage, registerPlayer, uniqueName, withRunnerAndBrowser } from "./harness.mjs";

const started = withRunnerAndBrowser();

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

test("the place counts down as the line moves, never back; a second press takes no second ticket", async () => {
  // The worker serves a line in microseconds here, so the waiting is scripted: the real
  // ticket's answers say 4 ahead, then 3, 2, a stale 3, 1, 0, then the server's own answer.
  const page = await queuePage("queue-demo");
  await registerPlayer(page);
  const script = [3, 2, 3, 1, 0];
  let polls = 0;
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await page.route(/\/activities\/queue-demo\/draw$/, async (route) => {
    const response = await route.fetch();
    const ticket = await response.json();
    await route.fulfill({ response, json: { ...ticket, position: 4 } });
  });
  await page.route(/\/draws\/[^/]+$/, async (route) => {
    const id = decodeURIComponent(new URL(route.request().url()).pathname.split("/").pop());
    if (polls === 1) await held;
    if (polls < script.length) return route.fulfill({ json: { draw_id: id, status: "queued", position: script[polls++] } });
    return route.fallback();
  });
  const ticket = await takeTicket(page);

  // While waiting, Spin says so and neither it nor the wheel's own button posts again.
  await page.waitForSelector("#queue.waiting[data-position='3']");
  assert.equal(await page.textContent("#queue"), "You are number 4 in the queue.");
  assert.equal(await page.textContent("#spin"), "In the queue…");
  assert.equal(await page.getAttribute("#spin", "aria-disabled"), "true");
  await page.focus("#spin");
  await page.keyboard.press("Enter"); // Playwright refuses to click an aria-disabled button; a key press is a press
  const box = await page.locator("#wheel canvas").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  assert.equal(await page.getAttribute("#wheel", "data-state"), "idle", "the wheel waits for the turn");
  release();

  await page.waitForSelector("#queue.waiting[data-position='0']");
  assert.equal(await page.textContent("#queue"), "You are next in the queue — your draw is coming up.");
  await restedWheel(page);
  assert.deepEqual(await page.evaluate(() => window.seenPositions), [4, 3, 2, 1, 0], "down one by one; the stale 3 was not shown");
  assert.deepEqual(page.drawPosts.length, 1, "one ticket only");
  assert.equal(await page.getAttribute("#result", "data-draw-id"), ticket.draw_id);
  const draw = await drawSeenByPage(page, ticket.draw_id);
  assert.equal(Number(await page.getAttribute("#wheel", "data-landed-index")), draw.wheel_index);
  assert.deepEqual(page.problems, []);
});

test("players queueing at the same moment: one ticket each, the page's places only go down, its wheel lands on its own draw", async () => {
  const page = await queuePage("queue-demo");
  await registerPlayer(page);
  const [others, ticket] = await Promise.all([ticketsAhead(started.runner.url, "queue-demo", 6), takeTicket(page)]);
  const ids = new Set([...others, ticket].map((taken) => taken.draw_id));
  assert.equal(ids.size, 7, "every press its own ticket");
  await restedWheel(page);
  const seen = await page.evaluate(() => window.seenPositions);
  assert.equal(seen[0], ticket.position);
  for (let i = 1; i < seen.length; i += 1) assert.ok(seen[i] < seen[i - 1], `places only go down: ${seen}`);
  const draw = await drawSeenByPage(page, ticket.draw_id);
  assert.equal(draw.status, "drawn", JSON.stringify(draw));
  assert.equal(Number(await page.getAttribute("#wheel", "data-landed-index")), draw.wheel_index);
  assert.equal(await page.getAttribute("#result", "data-draw-id"), ticket.draw_id);
  assert.deepEqual(page.problems, []);
});

test("in Chinese the place in line reads 第 N 位", async () => {
  const page = await openPage(started.browser, null, { reducedMotion: "reduce", locale: "zh-CN" });
  await page.route(/\/activities\/queue-demo\/draw$/, (route) => route.fulfill({ status: 202, json: { draw_id: "queue-demo.x", status: "queued", position: 11 } }));
  await page.route(/\/draws\/[^/]+$/, (route) => route.fulfill({ json: { draw_id: "queue-demo.x", status: "queued", position: 11 } }));
  await page.goto(`${started.runner.url}/?activity=queue-demo`);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.textContent("#picker a[data-activity=queue-demo] .tag"), "排队");
  await registerPlayer(page);
  await page.click("#spin");
  await page.waitForSelector("#queue.waiting[data-position='11']");
  assert.equal(await page.textContent("#queue"), "你排在第 12 位。");
  assert.equal(await page.textContent("#spin"), "排队中…");
});

test("a reload while waiting resumes the wait without a second ticket, then spins to the result", async () => {
  const page = await queuePage("queue-demo");
  await registerPlayer(page);
  let hold = true;
  await page.route(/\/draws\/[^/]+$/, async (route) => {
    const id = decodeURIComponent(new URL(route.request().url()).pathname.split("/").pop());
    if (hold) return route.fulfill({ json: { draw_id: id, status: "queued", position: 2 } });
    return route.fallback();
  });
  const ticket = await takeTicket(page);
  await page.waitForSelector("#queue.waiting");
  await page.reload();
  await page.waitForSelector("#queue.waiting[data-position='2']");
  assert.equal(await page.textContent("#queue"), "You are number 3 in the queue.");
  hold = false;
  await restedWheel(page);
  assert.equal(page.drawPosts.length, 1, "the reload took no second ticket");
  assert.equal(await page.getAttribute("#result", "data-draw-id"), ticket.draw_id);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "the ended ticket is forgotten");
});

test("a ticket that the activity's sell-out ends shows the sold-out message, and no prize", async () => {
  // A queued activity with a single unit: another player's ticket takes it, so the page's
  // ticket ends without a draw when its turn comes.
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
  const [first] = await ticketsAhead(started.runner.url, id, 1);
  const ticket = await takeTicket(page);
  assert.ok(ticket.position >= 0 && ticket.draw_id !== first.draw_id, JSON.stringify({ first, ticket }));
  await page.waitForFunction(() => document.querySelector("#message").textContent === "Sold out — every prize has been won.", null, { timeout: 30_000 });
  await page.waitForSelector("body[data-phase=sold_out]");
  assert.equal(await page.textContent("#phase"), "Sold out — every prize has found a home.");
  assert.equal(await page.isHidden("#result"), true, "no result card for a ticket that drew nothing");
  assert.equal(await page.getAttribute("#wheel", "data-stop-index"), null, "the wheel never stopped on a prize");
  assert.equal(await page.getAttribute("#queue", "class"), "queue");
  const draw = await drawSeenByPage(page, ticket.draw_id);
  assert.equal(draw.status, "sold_out", JSON.stringify(draw));
  assert.deepEqual(page.problems, []);
});
