// Paying through the local runner's sandbox gateway, end to end in Chromium: win a
// priced prize, press Pay, confirm on the sandbox's page in the window that opened, and
// see the order become `paid` on the page. Needs `POST /orders/{id}/pay` and the sandbox
// (the payment issue); run it with `npm run e2e:pay` in web/ once they are in.

import assert from "node:assert/strict";
import { test } from "node:test";

import { openPage, registerPlayer, remaining, spinUntilPricedWin, withRunnerAndBrowser } from "./harness.mjs";

const started = withRunnerAndBrowser();

test("win, pay in the sandbox window, and the page shows the order paid", async () => {
  const page = await openPage(started.browser, `${started.runner.url}/`, { reducedMotion: "reduce" });
  await registerPlayer(page);
  const { answer, before: stockBefore } = await spinUntilPricedWin(page, started.runner.url);
  await page.waitForSelector("#result[data-order-status=pending_payment] .pay");

  const payAnswered = page.waitForResponse((response) => response.request().method() === "POST" && /\/orders\/[0-9a-f]{32}\/pay$/.test(response.url()));
  const opened = page.context().waitForEvent("page");
  await page.click("#result .pay");
  const response = await payAnswered;
  assert.equal(response.status(), 200, await response.text());
  const link = await response.json();
  for (const field of ["order_id", "out_trade_no", "pay_url", "qr_code", "expires_at"]) assert.ok(field in link, `the pay answer has ${field}`);
  assert.equal(link.order_id, answer.order_id);
  assert.ok(Date.parse(link.expires_at) > Date.now());

  // The page opens the window blank (so no popup blocker stops it) and points it at the
  // link once the API answered: wait for that navigation, not for the blank page's load.
  const sandbox = await opened;
  await sandbox.waitForURL(/\/sandbox\/alipay\//);
  await sandbox.waitForLoadState();
  assert.equal(await sandbox.evaluate(() => window.opener), null);
  await sandbox.getByRole("button", { name: /confirm|pay|确认|支付/i }).first().click();

  const order = `#orders li[data-order="${answer.order_id}"]`;
  await page.waitForSelector(`${order}[data-status=paid]`, { timeout: 30_000 });
  assert.equal(await page.textContent(`${order} .status`), "Paid");
  assert.equal(await page.locator(`${order} button`).count(), 0, "a paid order offers no actions");
  await page.waitForFunction((prize) => document.querySelector("#message").textContent === `Paid! The ${prize} is yours.`, answer.prize.name);
  assert.equal(await page.getAttribute("#result", "data-order-status"), "paid");
  assert.equal((await remaining(started.runner.url))[answer.prize.id], stockBefore[answer.prize.id] - 1, "a paid unit stays sold");
  assert.deepEqual(page.problems, []);
});
