// Regenerates the screenshots in docs/screenshots/ from a fresh local runner, with the
// same harness as the browser tests: `npm run screenshots` in web/ (after
// `cargo build -p luckydraw-local`). Chinese labels need a CJK font (Debian: fonts-noto-cjk).

import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  launchBrowser,
  openPage,
  registerPlayer,
  rewriteActivity,
  spinUntilPricedWin,
  startRunner,
  submitLogin,
  PASSWORD,
} from "../e2e/harness.mjs";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");
const DESKTOP = { viewport: { width: 1280, height: 860 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Lets pictures load and the wheel redraw before a shot. */
const settle = (page, ms = 600) => page.waitForTimeout(ms);

async function shoot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

/** A desktop page whose activity is rewritten by `change`, logged out. */
async function stateShot(browser, url, name, change) {
  const page = await openPage(browser, null, DESKTOP);
  await rewriteActivity(page, change);
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  await settle(page);
  await shoot(page, name);
  await page.context().close();
}

await mkdir(OUT, { recursive: true });
const runner = await startRunner();
const browser = await launchBrowser();
try {
  const url = `${runner.url}/`;

  const page = await openPage(browser, url, DESKTOP);
  await settle(page);
  await shoot(page, "wheel");

  const player = await registerPlayer(page, "xiaoming");
  await spinUntilPricedWin(page, runner.url);
  await page.waitForSelector("#result[data-order-status=pending_payment]");
  await page.setViewportSize({ width: 1280, height: 1040 });
  await settle(page, 1800);
  await shoot(page, "won");

  const phone = await openPage(browser, url, { ...PHONE, locale: "zh-CN" });
  await submitLogin(phone, player, "login", PASSWORD);
  await phone.waitForSelector("#orders-panel:not([hidden])");
  await spinUntilPricedWin(phone, runner.url);
  await phone.waitForSelector("#result[data-order-status=pending_payment]");
  await phone.evaluate(() => window.scrollTo(0, 0));
  await settle(phone, 1800);
  await shoot(phone, "phone-zh");
  await phone.$eval("#result", (result) => result.scrollIntoView({ block: "start" }));
  await settle(phone);
  await shoot(phone, "phone-zh-orders");

  const soon = new Date(Date.now() + 86_400_000 + 2 * 3_600_000 + 305_000).toISOString();
  await stateShot(browser, url, "upcoming", (activity) => {
    activity.starts_at = soon;
  });
  await stateShot(browser, url, "sold-out", (activity) => {
    for (const prize of activity.prizes) if (!prize.consolation) prize.remaining = 0;
  });

  // The queued mode, a player waiting in line: the local worker serves a line at once, so
  // the line ahead (six tickets) is the API's answer rewritten.
  const queued = await openPage(browser, `${runner.url}/?activity=queue-demo`, DESKTOP);
  await registerPlayer(queued, "xiaohong");
  const waiting = (route, status, json) => route.fulfill({ status, json: { ...json, status: "queued", position: 6 } });
  await queued.route(/\/activities\/queue-demo\/draw$/, async (route) => waiting(route, 202, await (await route.fetch()).json()));
  await queued.route(/\/draws\/[^/]+$/, (route) => waiting(route, 200, {}));
  await queued.click("#spin");
  await queued.waitForSelector("#queue.waiting[data-position]");
  await settle(queued, 1500);
  await shoot(queued, "queue-position");
} finally {
  await browser.close();
  await runner.stop();
}
