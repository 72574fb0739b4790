// The page hosted apart from the API, as with a static host and API Gateway: the page
// comes from its own server at 127.0.0.1 with a load-time config.js naming the API; the
// API is reached through an API Gateway stand-in at localhost (another origin and site)
// that answers CORS like template.yaml. The page must send the bearer token from the
// login body and never a cookie, and play the whole round.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  openPage,
  registerPlayer,
  remaining,
  spinUntilPricedWin,
  startGateway,
  startStaticSite,
  withRunnerAndBrowser,
} from "./harness.mjs";

const started = withRunnerAndBrowser({
  async setUp(env) {
    env.gateway = await startGateway(env.runner.url, "pending");
    env.site = await startStaticSite({ apiBase: env.gateway.url });
    env.gateway.allow(env.site.url);
  },
  async tearDown({ site, gateway }) {
    await site?.stop();
    await gateway?.stop();
  },
});

test("across origins the page logs in, spins, sees the order and gives it up with a bearer token", async () => {
  const page = await openPage(started.browser, `${started.site.url}/`, { reducedMotion: "reduce" });
  await registerPlayer(page);
  const { answer, wheel, before: stockBefore } = await spinUntilPricedWin(page, started.runner.url);
  assert.equal(Number(wheel.landedIndex), answer.wheel_index);

  const order = `#orders li[data-order="${answer.order_id}"]`;
  await page.waitForSelector(`${order}[data-status=pending_payment]`);
  await page.click(`${order} .give-up`);
  await page.click(`${order} .give-up`);
  await page.waitForSelector(`${order}[data-status=cancelled]`);
  await page.waitForSelector(`#prizes li[data-prize="${answer.prize.id}"] .prize-left[data-remaining="${stockBefore[answer.prize.id]}"]`);
  assert.equal((await remaining(started.runner.url))[answer.prize.id], stockBefore[answer.prize.id]);
  const pictures = await page.$$eval("#prizes img", (images) => images.map((image) => new URL(image.src).origin));
  assert.ok(pictures.every((origin) => origin === started.site.url), "prize pictures come with the page");

  const calls = started.gateway.requests.filter((request) => request.method !== "OPTIONS");
  assert.ok(calls.some((request) => request.path === "/register"));
  assert.ok(calls.some((request) => request.path === "/activities/demo/draw"));
  assert.ok(calls.some((request) => request.path === `/orders/${answer.order_id}/giveup`));
  for (const request of calls) {
    assert.equal(request.cookie, undefined, `${request.method} ${request.path} sent no cookie`);
    assert.equal(request.origin, started.site.url, `${request.method} ${request.path} came from the page's origin`);
  }
  const authenticated = calls.filter((request) => /^\/(activities\/demo\/draw|draws|orders)/.test(request.path));
  assert.ok(authenticated.length >= 4);
  for (const request of authenticated) assert.match(request.authorization ?? "", /^Bearer [\w-]+$/, `${request.method} ${request.path}`);
  assert.ok(
    started.gateway.requests.some((request) => request.method === "OPTIONS" && request.path === "/activities/demo/draw"),
    "the browser preflighted the bearer requests",
  );

  // Logging out tells the API and forgets the token.
  await page.click("#logout");
  await page.waitForSelector("#login-panel:not([hidden])");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("luckydraw.token")), null);
  assert.ok(started.gateway.requests.some((request) => request.path === "/logout" && /^Bearer /.test(request.authorization ?? "")));
  assert.deepEqual(page.problems, []);
});

test("a gateway that does not allow the page's origin fails visibly, without a crash", async () => {
  const stranger = await startGateway(started.runner.url, "https://somewhere.else");
  const strangerSite = await startStaticSite({ apiBase: stranger.url });
  try {
    const page = await openPage(started.browser, `${strangerSite.url}/`);
    assert.equal(await page.getAttribute("body", "data-phase"), "unavailable");
    assert.equal(await page.textContent("#phase"), "Cannot load the activity: Cannot reach the server — check your connection and try again.");
    assert.equal(await page.isDisabled("#spin"), true);
    assert.deepEqual(page.problems, []);
  } finally {
    await strangerSite.stop();
    await stranger.stop();
  }
});
