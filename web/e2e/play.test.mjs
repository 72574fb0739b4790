// A player's whole visit in Chromium against the local runner, same origin: register,
// log out, log in, spin until a prize is won (the wheel must stop on the slice the API
// chose), see the order, give it up, and see the unit back in stock. Plus keyboard use,
// both languages, a phone-width screen and text alternatives.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  PASSWORD,
  load,
  openPage,
  registerPlayer,
  remaining,
  sliceUnderPointer,
  spinOnce,
  spinUntilPricedWin,
  withRunnerAndBrowser,
  submitLogin,
  uniqueName,
} from "./harness.mjs";

const started = withRunnerAndBrowser();

test("register, log in, spin, win, see the order, give it up: the unit goes back", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`);

  // Register (which logs in), log out, and log in again with the same account.
  const username = await registerPlayer(page);
  assert.match(await page.textContent("#whoami"), new RegExp(username));
  await page.click("#logout");
  await page.waitForSelector("#login-panel:not([hidden])");
  assert.equal(await page.isHidden("#orders-panel"), true);
  await submitLogin(page, username, "login");
  await page.waitForSelector("#orders-panel:not([hidden])");
  assert.match(await page.textContent("#message"), /Welcome/);
  assert.equal(await page.textContent("#orders .empty"), "Nothing won yet — give the wheel a spin!");

  // Spin until a priced prize is won; the wheel stops exactly on the API's wheel_index.
  const { answer, wheel, before: stockBefore } = await spinUntilPricedWin(page, started.runner.url);
  assert.equal(Number(wheel.stopIndex), answer.wheel_index, "stop() got the API's slice");
  assert.equal(Number(wheel.landedIndex), answer.wheel_index, "lucky-canvas ended on the API's slice");
  assert.equal(sliceUnderPointer(Number(wheel.rotation), 10), answer.wheel_index, "the pointer shows the API's slice");
  assert.match(await page.textContent("#result .result-title"), new RegExp(`You won: ${answer.prize.name}`));

  // The consumer creates the order; the page polls the draw until it shows up.
  const order = `#orders li[data-order="${answer.order_id}"]`;
  await page.waitForSelector(`${order}[data-status=pending_payment]`);
  await page.waitForSelector(`#result[data-order-status=pending_payment]`);
  assert.match(await page.textContent(`${order} .countdown`), /^1[45]:\d\d left to pay$/);
  assert.equal(await page.textContent(`${order} .status`), "Awaiting payment");
  assert.equal(await page.textContent(`${order} .pay`), `Pay ¥${(answer.prize.price_fen / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`);
  const left = `#prizes li[data-prize="${answer.prize.id}"] .prize-left`;
  await page.waitForSelector(`${left}[data-remaining="${stockBefore[answer.prize.id] - 1}"]`);
  assert.equal((await remaining(started.runner.url))[answer.prize.id], stockBefore[answer.prize.id] - 1);

  // Give up needs a second press to confirm; then the order is cancelled and the unit is back.
  await page.click(`${order} .give-up`);
  assert.equal(await page.textContent(`${order} .give-up`), "Sure? Give up");
  assert.equal((await remaining(started.runner.url))[answer.prize.id], stockBefore[answer.prize.id] - 1, "one press changes nothing");
  await page.click(`${order} .give-up`);
  await page.waitForSelector(`${order}[data-status=cancelled]`);
  assert.equal(await page.textContent(`${order} .status`), "Given up");
  assert.equal(await page.locator(`${order} button`).count(), 0, "a cancelled order offers no actions");
  assert.match(await page.textContent("#message"), new RegExp(`You gave up the ${answer.prize.name}`));
  await page.waitForSelector(`${left}[data-remaining="${stockBefore[answer.prize.id]}"]`);
  assert.equal((await remaining(started.runner.url))[answer.prize.id], stockBefore[answer.prize.id]);
  assert.deepEqual(page.problems, []);
});

test("a wrong password says so and keeps the player logged out", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`);
  await submitLogin(page, "player", "login", "not-the-password");
  await page.waitForFunction(() => document.querySelector("#login-message").textContent !== "");
  assert.equal(await page.textContent("#login-message"), "Wrong username or password.");
  assert.equal(await page.isVisible("#login-panel"), true);
  await submitLogin(page, uniqueName(), "register", "short");
  assert.equal(await page.$eval("[name=password]", (input) => input.validity.tooShort), true, "the form asks for 8+ characters");
});

test("pressing Spin logged out asks to log in and draws nothing", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`);
  const draws = [];
  page.on("request", (request) => request.url().endsWith("/draw") && draws.push(request));
  await page.click("#spin");
  assert.equal(await page.textContent("#message"), "Log in to spin the wheel.");
  assert.equal(await page.evaluate(() => document.activeElement.name), "username");
  assert.equal(draws.length, 0);
});

test("the keyboard alone logs in, spins and reaches the order's buttons", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`, { reducedMotion: "reduce" });
  const username = uniqueName();
  await fetch(`${started.runner.url}/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password: PASSWORD }) });
  for (let presses = 0; presses < 20; presses += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement.name === "username")) break;
  }
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#orders-panel:not([hidden])");
  assert.equal(await page.evaluate(() => document.activeElement.id), "spin", "after logging in, focus is on Spin");
  for (let attempt = 0; attempt < 12; attempt += 1) {
    await page.waitForFunction(() => document.activeElement.id === "spin" && !document.activeElement.disabled);
    const { answer } = await spinOnce(page, () => page.keyboard.press("Enter"));
    if (answer.won && answer.prize.price_fen > 0) break;
    await page.focus("#spin");
  }
  await page.waitForSelector("#result .pay");
  const reached = [];
  for (let presses = 0; presses < 6 && reached.length < 2; presses += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.className);
    if (/\b(pay|give-up)\b/.test(focused)) reached.push(focused);
  }
  assert.deepEqual(reached, ["pay", "secondary give-up"]);

  // Give up by keyboard: the first Enter arms the (redrawn) button and focus stays on it.
  await page.keyboard.press("Enter");
  await page.waitForSelector("#result .give-up.armed");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Sure? Give up");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#result[data-order-status=cancelled]");
});

test("Chinese for a Chinese browser, English on request, and the choice is remembered", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`, { locale: "zh-CN" });
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.textContent("#spin"), "抽奖");
  assert.equal(await page.textContent("#login-title"), "登录后即可抽奖");
  assert.match(await page.textContent("#prizes li[data-prize=cup] .prize-left"), /^剩余 [\d,]+ \/ 1,000$/);
  assert.equal(await page.getAttribute("#lang", "aria-label"), "Switch to English");
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.textContent("#spin"), "Spin");
  assert.equal(await page.textContent("#lang"), "中文");
  await load(page, `${started.runner.url}/`);
  assert.equal(await page.textContent("#spin"), "Spin", "the switch survives a reload");
  await page.click("#lang");
  assert.equal(await page.textContent("#spin"), "抽奖");
  await submitLogin(page, uniqueName(), "login", "wrong-password-1");
  await page.waitForFunction(() => document.querySelector("#login-message").textContent !== "");
  assert.equal(await page.textContent("#login-message"), "用户名或密码错误。");
});

test("readable at phone width: nothing wider than the screen, every picture described", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    wheel: document.querySelector("#wheel canvas").getBoundingClientRect().width,
    spin: document.querySelector("#spin").getBoundingClientRect(),
  }));
  assert.ok(layout.scrollWidth <= 360, `page is ${layout.scrollWidth}px wide`);
  assert.ok(layout.wheel > 250 && layout.wheel <= 360, `wheel is ${layout.wheel}px`);
  assert.ok(layout.spin.height >= 44, "Spin is a comfortable touch target");
  const pictures = await page.$$eval("img", (images) => images.map((image) => ({ src: image.src, alt: image.getAttribute("alt") })));
  assert.ok(pictures.length >= 10);
  for (const picture of pictures) assert.notEqual(picture.alt, null, `${picture.src} has an alt attribute`);
  const prizePictures = await page.$$eval("#prizes img", (images) => images.map((image) => image.alt));
  assert.deepEqual(prizePictures.slice(0, 3), ["Thank you", "Basketball", "Cup"]);
  assert.match(await page.getAttribute("#wheel", "aria-label"), /Prize wheel with 10 prizes/);
  // Prize pictures load lazily: scroll through the list, then every one must have loaded.
  for (const card of await page.$$("#prizes li")) await card.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll("#prizes img")].every((image) => image.complete && image.naturalWidth > 0), null, { timeout: 10_000 });
});

test("the page runs under its Content-Security-Policy, which refuses inline code", async () => {
  const page = await openPage(started.browser);
  const response = await page.goto(`${started.runner.url}/`);
  const headers = response.headers();
  assert.match(headers["content-security-policy"], /script-src 'self';/);
  assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["x-frame-options"], "DENY");
  assert.equal(headers["referrer-policy"], "no-referrer");
  await page.waitForSelector("body[data-ready=true]");
  await registerPlayer(page);
  await spinOnce(page);
  assert.deepEqual(page.problems, [], "the page itself breaks no rule of its policy");

  // The policy is enforced (and its reports reach page.problems): inline code does not run.
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true;";
    document.body.append(script);
  });
  assert.equal(await page.evaluate(() => window.injected), undefined);
  for (let wait = 0; wait < 40 && !page.problems.some((problem) => problem.startsWith("CSP:")); wait += 1) await page.waitForTimeout(50);
  assert.ok(page.problems.some((problem) => problem.startsWith("CSP:")), JSON.stringify(page.problems));
});
