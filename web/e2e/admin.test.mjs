// The operators' page in Chromium against the local runner: an admin creates an activity
// with two prizes (the API's validation errors shown beside the field they name), takes it
// online, a player draws on the players' page, the admin's live figures follow, a player's
// draw limit is set and enforced, and the activity goes offline. A player gets "admins only".

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  PASSWORD,
  openAdminPage,
  openPage,
  registerPlayer,
  spinOnce,
  submitAdminLogin,
  uniqueName,
  withRunnerAndBrowser,
} from "./harness.mjs";

const started = withRunnerAndBrowser();

/** Fills prize row `index` (0-based) of the editor. */
async function fillPrize(page, index, { name, price, initial, weight = "", picture }) {
  const row = `#prize-rows > li:nth-child(${index + 1})`;
  await page.fill(`${row} [name=prize-name]`, name);
  await page.fill(`${row} [name=prize-price]`, price);
  await page.fill(`${row} [name=prize-initial]`, initial);
  await page.fill(`${row} [name=prize-weight]`, weight);
  if (picture) await page.selectOption(`${row} [name=prize-picture-choice]`, picture);
}

/** Submits the editor and resolves to the API's answer to the request it made. */
async function save(page) {
  const answered = page.waitForResponse((response) => /\/admin\/activities/.test(response.url()) && response.request().method() !== "GET");
  await page.click("#save");
  return answered;
}

/** The field error shown for `field`, once it is there. */
async function fieldError(page, field) {
  const error = page.locator(`#editor .field-error[data-for="${field}"]`);
  await error.waitFor();
  return error.textContent();
}

test("an admin creates an activity, takes it online, watches a player's draw, limits a player and takes it offline", async () => {
  const { browser, runner } = started;
  const admin = await openAdminPage(browser, runner.url, { timezoneId: "UTC", reducedMotion: "reduce" });
  assert.match(await admin.textContent("#whoami"), /admin/);
  assert.ok(await admin.locator("#activities tbody tr[data-activity=demo]").count(), "the demo activity is listed");
  assert.match(await admin.textContent("#activities tr[data-activity=demo] .countdown"), /^Ends in /);

  // A new activity with two prizes.
  const id = uniqueName("spring").replaceAll("_", "-");
  await admin.click("#new-activity");
  await admin.waitForSelector("#editor-panel:not([hidden])");
  await admin.fill("#f-id", id);
  await admin.fill("#f-name", "Spring test");
  await admin.fill("#f-description", "Two prizes, made by the browser test");
  await fillPrize(admin, 0, { name: "Bear", price: "0", initial: "5", picture: "/prizes/cup.svg" });
  await admin.click("#add-prize");
  assert.equal(await admin.locator("#prize-rows > li").count(), 2);
  await fillPrize(admin, 1, { name: "Tea", price: "9.90", initial: "3", picture: "/prizes/tea.svg" });

  // Bad input: the end before the start. The API's error lands beside the field it names.
  const startsAt = await admin.inputValue("#f-starts_at");
  await admin.fill("#f-ends_at", "2020-01-01T00:00");
  let response = await save(admin);
  assert.equal(response.status(), 400);
  const invalid = (await response.json()).error;
  assert.equal(invalid.code, "invalid_request");
  assert.ok(invalid.field, `the error names a field: ${JSON.stringify(invalid)}`);
  assert.ok(await fieldError(admin, invalid.field));
  assert.equal(await admin.getAttribute(`[data-field="${invalid.field}"] input`, "aria-invalid"), "true");
  assert.match(await admin.textContent("#editor-message"), /correct the marked field/);

  // Bad input: a zero weight in a weight mode, named on its prize row.
  await admin.fill("#f-ends_at", startsAt.replace(/^(\d{4})/, (year) => String(Number(year) + 1)));
  await admin.selectOption("#f-draw_mode", "weight_redistribute");
  await fillPrize(admin, 0, { name: "Bear", price: "0", initial: "5", weight: "3" });
  await fillPrize(admin, 1, { name: "Tea", price: "9.90", initial: "3", weight: "0" });
  response = await save(admin);
  assert.equal(response.status(), 400);
  const zero = (await response.json()).error;
  assert.equal(zero.field, "prizes[1].weight");
  assert.ok(await fieldError(admin, "prizes[1].weight"));
  assert.equal(await admin.locator("#editor .field-error").count(), 1, "the earlier error is gone");

  // Fixed: saved as a draft, its detail shown.
  await admin.selectOption("#f-draw_mode", "remaining_stock");
  await admin.fill("#prize-rows > li:nth-child(2) [name=prize-weight]", "");
  await admin.fill("#prize-rows > li:nth-child(1) [name=prize-weight]", "");
  response = await save(admin);
  assert.equal(response.status(), 201, await response.text());
  await admin.waitForSelector("#detail-panel:not([hidden])[data-status=draft]");
  assert.equal(await admin.textContent("#detail-name"), "Spring test");
  assert.match(await admin.textContent("#notice"), /Created “Spring test”/);
  await admin.waitForSelector(`#activities tr[data-activity="${id}"][data-status=draft]`);
  await admin.waitForSelector("#stats tbody tr[data-prize]");
  assert.equal(await admin.locator("#stats tbody tr[data-prize]").count(), 2);

  // Online: loaded, counting down to its end.
  await admin.click("#toggle-online");
  await admin.waitForSelector("#detail-panel[data-status=online]");
  await admin.waitForSelector(`#activities tr[data-activity="${id}"][data-status=online]`);
  assert.match(await admin.textContent("#detail-schedule"), /^Ends in /);
  assert.equal(await admin.textContent("#toggle-online"), "Go offline");
  await admin.waitForSelector("#stats-totals[data-draws='0']");

  // A player draws on the players' page.
  const player = await openPage(browser, `${runner.url}/?activity=${id}`, { reducedMotion: "reduce" });
  assert.equal(await player.textContent("#activity-name"), "Spring test");
  const username = await registerPlayer(player);
  const { answer } = await spinOnce(player);
  assert.equal(answer.won, true, JSON.stringify(answer));
  assert.ok(["bear", "tea"].includes(answer.prize.id), JSON.stringify(answer.prize));

  // The admin's figures follow (they refresh by themselves).
  await admin.waitForSelector("#stats-totals[data-draws='1'][data-wins='1']", { timeout: 20_000 });
  assert.match(await admin.textContent("#stats-totals"), /^Draws 1 · wins 1 · players 1 · /);
  const left = await admin.textContent(`#stats tr[data-prize="${answer.prize.id}"] [data-key=remaining]`);
  assert.equal(left, answer.prize.id === "bear" ? "4" : "2");

  // Stock while online: three more teas.
  await admin.fill("#stats tr[data-prize=tea] input.delta", "3");
  await admin.click("#stats tr[data-prize=tea] button");
  await admin.waitForFunction(() => /^Tea: \d of 6 left\.$/.test(document.querySelector("#stock-result").textContent));

  // A draw limit for this player: one draw, already used.
  await admin.fill("#q-username", username);
  await admin.fill("#q-limit", "1");
  await admin.click("#quota-form button[type=submit]");
  await admin.waitForSelector(`#quotas li[data-user]`);
  assert.match(await admin.textContent("#quota-message"), new RegExp(`${username} may now draw 1`));
  assert.match(await admin.textContent("#quotas"), new RegExp(`${username}: 1`));
  await player.waitForSelector("#spin:not([disabled]):not([aria-disabled=true])");
  const refused = await spinOnce(player);
  assert.equal(refused.answer.error?.code, "quota_exceeded", JSON.stringify(refused.answer));

  // The player's order is in the orders table.
  await admin.selectOption("#o-activity", id);
  await admin.click("#orders-form button[type=submit]");
  await admin.waitForSelector(`#orders-table tr[data-order="${answer.order_id}"]`, { timeout: 15_000 }).catch(async () => {
    // The consumer may still be creating it: search again once.
    await admin.waitForTimeout(2000);
    await admin.click("#orders-form button[type=submit]");
    await admin.waitForSelector(`#orders-table tr[data-order="${answer.order_id}"]`);
  });

  // Offline: the players' page closes it.
  await admin.click("#toggle-online");
  await admin.waitForSelector("#detail-panel[data-status=offline]");
  assert.equal(await admin.textContent("#detail-status"), "Offline");
  await player.reload();
  await player.waitForSelector("body[data-ready=true]");
  assert.equal(await player.getAttribute("body", "data-phase"), "closed");

  // Chinese labels.
  await admin.click("#lang");
  assert.equal(await admin.textContent("#activities-title"), "活动");
  assert.equal(await admin.textContent("#detail-status"), "已下线");

  assert.deepEqual(admin.problems, [], "the admin page breaks no rule of its Content-Security-Policy");
  assert.deepEqual(player.problems, []);
});

test("a player logging in to the admin page is told it is for admins only", async () => {
  const { browser, runner } = started;
  const register = await openPage(browser, `${runner.url}/`);
  const username = await registerPlayer(register);
  await register.context().close();

  const page = await openPage(browser, `${runner.url}/admin.html`);
  assert.equal(await page.isVisible("#login-panel"), true);
  await submitAdminLogin(page, username, PASSWORD);
  await page.waitForSelector("#forbidden:not([hidden])");
  assert.match(await page.textContent("#forbidden"), new RegExp(`admins only. ${username} is a player account`));
  assert.equal(await page.isHidden("#console"), true);
  assert.deepEqual(page.problems, []);
});

test("a wrong password is refused on the login form", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/admin.html`);
  await submitAdminLogin(page, "admin", "not-the-admin-password");
  await page.waitForFunction(() => document.querySelector("#login-message").textContent !== "");
  assert.equal(await page.textContent("#login-message"), "Wrong username or password.");
  assert.equal(await page.isHidden("#console"), true);
  assert.deepEqual(page.problems, []);
});
