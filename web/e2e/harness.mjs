// What every browser test needs: the local runner started on a free port (PORT=0) and
// stopped afterwards, Debian's Chromium driven by playwright-core, unique players, an
// API Gateway stand-in for cross-origin runs, and the page's common moves.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { dirname, extname, resolve, sep } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The Chromium flags the project runs with (no GPU, no sandbox as root, no calls home). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** A demo player's password for every player the tests register. */
export const PASSWORD = "correct-horse-battery";

/** The admin's password the runner seeds (`LUCKYDRAW_ADMIN_PASSWORD`, else a fixed one for the tests). */
export const ADMIN_PASSWORD = process.env.LUCKYDRAW_ADMIN_PASSWORD || "admin-e2e-password";

/**
 * Starts `luckydraw-local` (LUCKYDRAW_LOCAL_BIN, default target/debug/luckydraw-local) on
 * a free port, with `env` added to its environment (documented settings only); resolves to
 * { url, stop() } once it printed where it listens.
 */
export async function startRunner(env = {}) {
  const binary = process.env.LUCKYDRAW_LOCAL_BIN ?? resolve(REPO, "target/debug/luckydraw-local");
  if (!existsSync(binary)) {
    throw new Error(`no local runner at ${binary}: build it with \`cargo build -p luckydraw-local\` (or set LUCKYDRAW_LOCAL_BIN)`);
  }
  // Spins with reduced motion come faster than a person's: the per-player draw limit is
  // raised (a documented variable) so a test's dozen quick spins are not refused.
  const child = spawn(binary, [], {
    env: {
      LUCKYDRAW_LIMIT_DRAW_PER_USER: "60/10s",
      ...process.env,
      ...env,
      LUCKYDRAW_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PORT: "0",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start in 30 s:\n${output}`)), 30_000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/luckydraw is running at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => reject(new Error(`the runner exited (${code}) before it started:\n${output}`)));
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      const force = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(force);
        done();
      });
      child.kill("SIGINT");
    });
  return { url, stop };
}

/**
 * For a test file: a runner (with `env` added to its environment) and a browser started
 * before its tests and stopped after, plus the file's own `setUp(started)` /
 * `tearDown(started)` in the same hooks (a file's top-level hooks do not wait for each
 * other). The returned object holds `runner` and `browser` (and whatever setUp adds) once
 * the tests run.
 */
export function withRunnerAndBrowser({ setUp, tearDown, env } = {}) {
  const started = {};
  before(async () => {
    started.runner = await startRunner(env);
    started.browser = await launchBrowser();
    await setUp?.(started);
  });
  after(async () => {
    await tearDown?.(started);
    await started.browser?.close();
    await started.runner?.stop();
  });
  return started;
}

/** Debian's Chromium (CHROMIUM_PATH overrides /usr/bin/chromium), headless. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** A page in a fresh context (own cookies and storage); errors on the page fail the test. */
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Chromium reports every Content-Security-Policy violation on the console: none may happen.
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.problems = problems;
  if (url) await load(page, url);
  return page;
}

/** Navigates and waits until the page has loaded its activity (and orders). */
export async function load(page, url) {
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
}

/** A username no other test uses. */
export function uniqueName(prefix = "e2e") {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/** Fills the login form and presses `action` ("login" or "register"). */
export async function submitLogin(page, username, action = "login", password = PASSWORD) {
  await page.fill("#login-form [name=username]", username);
  await page.fill("#login-form [name=password]", password);
  await page.click(`#login-form [data-action=${action}]`);
}

/** Registers a new player (`username`, or a unique one) through the form; resolves to the name once logged in. */
export async function registerPlayer(page, username = uniqueName()) {
  await submitLogin(page, username, "register");
  await page.waitForSelector("#orders-panel:not([hidden])");
  return username;
}

/** Fills the admin page's login form and presses Log in. */
export async function submitAdminLogin(page, username, password) {
  await page.fill("#login-form [name=username]", username);
  await page.fill("#login-form [name=password]", password);
  await page.click("#login-form button[type=submit]");
}

/** The admin page (`/admin.html`), logged in as the seeded admin, its activities listed. */
export async function openAdminPage(browser, baseUrl, options = {}) {
  const page = await openPage(browser, `${baseUrl}/admin.html`, options);
  await submitAdminLogin(page, "admin", ADMIN_PASSWORD);
  await page.waitForSelector("#console:not([hidden]) #activities tbody tr[data-activity]");
  return page;
}

/** The activity as the API reports it now (fetched outside the page). */
export async function activity(baseUrl, id = "demo") {
  const response = await fetch(`${baseUrl}/activities/${id}`);
  if (!response.ok) throw new Error(`GET /activities/${id}: ${response.status}`);
  return response.json();
}

/** Remaining units by prize id. */
export async function remaining(baseUrl) {
  return Object.fromEntries((await activity(baseUrl)).prizes.map((prize) => [prize.id, prize.remaining]));
}

/** The wheel's data attributes (state, stopIndex, landedIndex, rotation). */
export function wheelState(page) {
  return page.$eval("#wheel", (wheel) => ({ ...wheel.dataset }));
}

/**
 * Presses Spin (or runs `press`) and waits for the draw's answer and the wheel to rest;
 * resolves to { answer, wheel } where wheel holds the wheel's final data attributes.
 */
export async function spinOnce(page, press = () => page.click("#spin")) {
  const drawn = page.waitForResponse((response) => response.request().method() === "POST" && /\/activities\/[^/]+\/draw$/.test(response.url()));
  await press();
  const response = await drawn;
  const answer = await response.json();
  if (!response.ok()) return { answer, wheel: await wheelState(page) };
  const rested = () => {
    const wheel = document.querySelector("#wheel").dataset;
    return wheel.landedIndex !== undefined && wheel.state === "idle";
  };
  await page.waitForFunction(rested, null, { timeout: 20_000, polling: 100 }).catch(async (error) => {
    const seen = JSON.stringify({ answer, wheel: await wheelState(page), announced: await page.textContent("#announce") });
    throw new Error(`the wheel did not come to rest: ${seen}`, { cause: error });
  });
  return { answer, wheel: await wheelState(page) };
}

/**
 * Spins until a prize with a price is won (the demo's odds make that likely within a few
 * spins); resolves to { answer, wheel, before } with the remaining counts before that spin.
 */
export async function spinUntilPricedWin(page, baseUrl, attempts = 12) {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    await page.waitForSelector("#spin:not([disabled]):not([aria-disabled=true])");
    const before = await remaining(baseUrl);
    const spun = await spinOnce(page);
    if (spun.answer.won && spun.answer.prize.price_fen > 0) return { ...spun, before };
  }
  throw new Error(`no priced prize won in ${attempts} spins`);
}

/** Which slice sits under the pointer at 12 o'clock after lucky-canvas turned by `rotation` degrees. */
export function sliceUnderPointer(rotation, slices) {
  const turned = (((-rotation) % 360) + 360) % 360;
  return Math.floor(turned / (360 / slices));
}

/**
 * An API Gateway stand-in in front of the runner on another origin and site (`localhost`
 * rather than `127.0.0.1`), answering CORS as template.yaml's CorsConfiguration does: preflights
 * itself, `Access-Control-Allow-Origin` for the allowed origin only. Records every request.
 */
export async function startGateway(targetUrl, allowedOrigin) {
  const target = new URL(targetUrl);
  const requests = [];
  let allowed = allowedOrigin;
  const server = http.createServer((request, response) => {
    const origin = request.headers.origin;
    const cors = origin === allowed ? { "access-control-allow-origin": origin, "access-control-expose-headers": "date,retry-after", vary: "Origin" } : {};
    requests.push({ method: request.method, path: request.url, authorization: request.headers.authorization, cookie: request.headers.cookie, origin });
    if (request.method === "OPTIONS") {
      response.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET,POST,OPTIONS",
        "access-control-allow-headers": "authorization,content-type",
        "access-control-max-age": "600",
      });
      response.end();
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } },
      (answer) => {
        response.writeHead(answer.statusCode, { ...answer.headers, ...cors });
        answer.pipe(response);
      },
    );
    upstream.on("error", () => {
      response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  const url = `http://localhost:${server.address().port}`;
  return {
    url,
    requests,
    /** Allows `origin` instead (the page's origin is known only once its site started). */
    allow: (origin) => {
      allowed = origin;
    },
    stop: () => new Promise((closed) => server.close(closed)),
  };
}

const CONTENT_TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * The page hosted on its own, as on S3 or any static host: `web/` served from a second
 * origin, with `config.js` replaced by `config` (the load-time settings a deployment writes).
 */
export async function startStaticSite(config) {
  const root = resolve(REPO, "web");
  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url, "http://site").pathname;
    const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    if (path === "/config.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(`window.LUCKYDRAW_CONFIG = ${JSON.stringify(config)};`);
      return;
    }
    try {
      if (!file.startsWith(root + sep)) throw new Error("outside the site");
      const body = await readFile(file);
      response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((closed) => server.close(closed)) };
}

/** Rewrites every `GET /activities/demo` answer with `change(activity)` before the page sees it. */
export async function rewriteActivity(page, change) {
  await page.route(/\/activities\/demo$/, async (route) => {
    const response = await route.fetch();
    const activity = await response.json();
    change(activity);
    await route.fulfill({ response, json: activity });
  });
}
