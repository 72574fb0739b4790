// Regenerates the admin page's screenshots (docs/admin-*.png) from a fresh local runner,
// with the browser tests' harness: `npm run screenshots:admin` in web/ (after
// `cargo build -p luckydraw-local`). Chinese labels need a CJK font (Debian: fonts-noto-cjk).

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  launchBrowser,
  openAdminPage,
  openPage,
  registerPlayer,
  spinUntilPricedWin,
  startRunner,
  submitAdminLogin,
  PASSWORD,
} from "../e2e/harness.mjs";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "../../docs");
const DESKTOP = { viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" };

const settle = (page, ms = 600) => page.waitForTimeout(ms);

async function shoot(page, name, fullPage = false) {
  await page.screenshot({ path: join(OUT, `admin-${name}.png`), fullPage });
  console.log(`docs/admin-${name}.png`);
}

const runner = await startRunner();
const browser = await launchBrowser();
try {
  // Some life in the demo first: a player wins twice.
  const player = await openPage(browser, `${runner.url}/`, DESKTOP);
  const playerName = await registerPlayer(player, "xiaoming");
  await spinUntilPricedWin(player, runner.url);
  await spinUntilPricedWin(player, runner.url);
  await player.context().close();

  const admin = await openAdminPage(browser, runner.url, DESKTOP);
  await admin.click("#activities tr[data-activity=demo] button[data-action=open]");
  await admin.waitForSelector("#stats tbody tr[data-prize]");
  await admin.fill("#q-username", playerName);
  await admin.fill("#q-limit", "20");
  await admin.click("#quota-form button[type=submit]");
  await admin.waitForSelector("#quotas li[data-user]");
  await admin.click("#orders-form button[type=submit]");
  await admin.waitForSelector("#orders-table tr[data-order]");
  await settle(admin);
  await shoot(admin, "console", true);

  // The editor: a new activity with two prizes and an error from the API beside its field.
  await admin.click("#new-activity");
  await admin.fill("#f-name", "Spring festival");
  await admin.fill("#f-description", "Two prizes, weights decide");
  await admin.selectOption("#f-draw_mode", "weight_redistribute");
  await admin.fill("#prize-rows > li:nth-child(1) [name=prize-name]", "Travel cup");
  await admin.selectOption("#prize-rows > li:nth-child(1) [name=prize-picture-choice]", "/prizes/cup.svg");
  await admin.fill("#prize-rows > li:nth-child(1) [name=prize-price]", "80");
  await admin.fill("#prize-rows > li:nth-child(1) [name=prize-weight]", "10");
  await admin.click("#add-prize");
  await admin.fill("#prize-rows > li:nth-child(2) [name=prize-name]", "Green tea");
  await admin.selectOption("#prize-rows > li:nth-child(2) [name=prize-picture-choice]", "/prizes/tea.svg");
  await admin.fill("#prize-rows > li:nth-child(2) [name=prize-price]", "19.90");
  await admin.fill("#prize-rows > li:nth-child(2) [name=prize-weight]", "0");
  await admin.click("#save");
  await admin.waitForSelector("#editor .field-error");
  await admin.evaluate(() => window.scrollTo(0, 0));
  await settle(admin);
  await shoot(admin, "editor", true);
  await admin.click("#cancel-edit");

  // The same console in Chinese.
  await admin.click("#activities tr[data-activity=demo] button[data-action=open]");
  await admin.waitForSelector("#stats tbody tr[data-prize]");
  await admin.click("#lang");
  await settle(admin);
  await shoot(admin, "zh");
  await admin.click("#lang");

  // A player on the admin page.
  const stranger = await openPage(browser, `${runner.url}/admin.html`, DESKTOP);
  await submitAdminLogin(stranger, playerName, PASSWORD);
  await stranger.waitForSelector("#forbidden:not([hidden])");
  await settle(stranger);
  await shoot(stranger, "players-refused");
} finally {
  await browser.close();
  await runner.stop();
}
