// The luckydraw page: log in, spin the wheel (it stops where the server's draw landed),
// watch the order appear, pay for it or give it up. Talks only to the HTTP API; the
// modules under js/ hold the client, the labels, the pure rules and the views.

import { apiBase, createApi } from "./js/api.js";
import { count, countdownParts, money, pictureUrl } from "./js/format.js";
import { HTML_LANG, LANGUAGES, MESSAGES, applyLabels, pickLanguage, translate } from "./js/i18n.js";
import { phaseOf, sliceOf, wheelOrder } from "./js/model.js";
import { afterPoll, isQueued, readDraw, startWaiting } from "./js/queue.js";
import * as views from "./js/views.js";
import { Wheel } from "./js/wheel.js";

const ACTIVITY = new URLSearchParams(location.search).get("activity") || "demo";
const LANGUAGE_KEY = "luckydraw.lang";
const USER_KEY = "luckydraw.user";
const REFRESH_MS = 15_000;
const ORDER_WAIT_MS = 20_000;
const ARMED_MS = 5_000;
const TICKET_KEY = `luckydraw.ticket.${ACTIVITY}`;

const $ = (selector) => document.querySelector(selector);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const api = createApi({ base: apiBase(document, window.LUCKYDRAW_CONFIG), pageUrl: location.href, storage: sessionStorage });

const state = {
  language: pickLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages),
  activity: null,
  slices: [],
  loadError: null,
  phase: "loading",
  user: storedUser(),
  orders: [],
  result: null, // { answer, order } of the last spin
  armed: null, // { orderId, until }: "give up" pressed once, waiting for the confirmation
  watching: new Set(), // orders whose payment is being waited for
  activities: [], // every activity, for the picker
  queue: null, // the queued draw being waited for: { joining } or js/queue.js's wait state
  queueStop: null, // ends the wait (the page leaves, the player logs out)
};

const wheel = new Wheel($("#wheel"), {
  onPress: () => spin(),
  reducedMotion: matchMedia("(prefers-reduced-motion: reduce)").matches,
  pageUrl: location.href,
});

/** The current language's helpers for the views. */
function ui() {
  const { language } = state;
  const locale = HTML_LANG[language];
  return {
    t: (key, values) => translate(language, key, values),
    money: (fen) => money(fen, locale),
    count: (value) => count(value, locale),
    duration: (ms) => {
      const { days, clock } = countdownParts(ms);
      return days > 0 ? translate(language, "time.days", { days, clock }) : clock;
    },
    error: (error) => errorText(error),
    picture: (prizeId) => pictureUrl(state.activity?.prizes.find((prize) => prize.id === prizeId)?.picture, location.href),
  };
}

const t = (key, values) => ui().t(key, values);

/** Shows `text` in the status line (announced to screen readers) or in another live region. */
function say(text, target = "#message") {
  $(target).textContent = text;
}

/** Tells screen readers only (what the wheel and the result card already show), clearing the status line. */
function announce(text) {
  say("");
  say(text, "#announce");
}

/** A player-facing sentence for an API error, in the current language. */
function errorText(error) {
  const code = error?.code ?? "unknown";
  if (code === "rate_limited" && error.retryAfterSecs) return t("error.rate_limited_for", { seconds: error.retryAfterSecs });
  if (code === "invalid_request") return t("error.invalid_request", { reason: error.message });
  if (code !== "unknown" && `error.${code}` in MESSAGES.en) return t(`error.${code}`);
  return t("error.unknown", { reason: error?.message ?? code });
}

// ---------------------------------------------------------------- account

function storedUser() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY));
  } catch {
    return null;
  }
}

function setUser(user) {
  state.user = user;
  if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
  else localStorage.removeItem(USER_KEY);
  if (!user) {
    stopWaiting();
    sessionStorage.removeItem(TICKET_KEY);
    state.orders = [];
    state.result = null;
    $("#result").hidden = true;
  }
  renderAccount();
}

/** The session is gone (expired, or logged out elsewhere): back to the login form. */
function sessionEnded() {
  api.forgetToken();
  setUser(null);
  say(t("error.unauthenticated"), "#login-message");
}

function renderAccount() {
  const loggedIn = Boolean(state.user);
  $("#whoami").hidden = !loggedIn;
  $("#logout").hidden = !loggedIn;
  $("#login-panel").hidden = loggedIn;
  $("#orders-panel").hidden = !loggedIn;
  $("#whoami").textContent = loggedIn ? t("account.hello", { name: state.user.username }) : "";
  $("#demo-hint").hidden = !["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.target;
  const register = event.submitter?.dataset.action === "register";
  const fields = new FormData(form);
  form.setAttribute("aria-busy", "true");
  say("", "#login-message");
  try {
    const user = await api.signIn(register ? "register" : "login", String(fields.get("username")).trim(), String(fields.get("password")));
    form.reset();
    setUser(user);
    say(t(register ? "login.registered" : "login.welcome", { name: user.username }));
    await loadOrders();
    $("#spin").focus();
  } catch (error) {
    say(errorText(error), "#login-message");
  } finally {
    form.removeAttribute("aria-busy");
  }
}

async function logout() {
  await api.signOut();
  setUser(null);
  say(t("login.loggedOut"));
  $("#login-form [name=username]").focus();
}

// ---------------------------------------------------------------- activity and wheel

async function loadActivity() {
  try {
    state.activity = await api.request("GET", `/activities/${encodeURIComponent(ACTIVITY)}`);
    state.slices = wheelOrder(state.activity.prizes);
    state.loadError = null;
  } catch (error) {
    state.loadError = error;
  }
  renderActivity();
}

function renderActivity() {
  const { activity } = state;
  if (activity) {
    $("#activity-name").textContent = activity.name;
    $("#activity-description").textContent = activity.description;
    document.title = `${activity.name} · luckydraw`;
    $("#odds").textContent = t(activity.draw_mode === "remaining_stock" ? "prizes.odds" : "prizes.oddsWeight");
    views.renderPrizes($("#prizes"), state.slices, ui());
    renderWheel();
  }
  views.renderQueue($("#queue"), activity, state.queue, ui());
  renderPhase();
}

/** Every activity, for the picker (which shows when there is a choice). */
async function loadActivities() {
  try {
    ({ activities: state.activities } = await api.request("GET", "/activities"));
  } catch {
    state.activities = [];
  }
  views.renderPicker($("#picker"), state.activities, ACTIVITY, ui());
}

function renderWheel() {
  const u = ui();
  $("#wheel").setAttribute("aria-label", u.t("wheel.label", { count: state.slices.length }));
  wheel.render(state.slices, {
    go: u.t("wheel.go"),
    price: (prize) => (prize.consolation ? "" : views.priceText(prize, u)),
    stock: (prize) => (prize.remaining === 0 ? u.t("prizes.soldOut") : `× ${u.count(prize.remaining)}`),
  });
}

/** The activity's state line (countdown, closed, sold out) and whether Spin is offered. */
function renderPhase() {
  const now = api.now();
  const previous = state.phase;
  state.phase = state.loadError && !state.activity ? "unavailable" : phaseOf(state.activity, now);
  document.body.dataset.phase = state.phase;
  const phaseText = {
    loading: () => t("phase.loading"),
    unavailable: () => t("phase.unavailable", { reason: errorText(state.loadError) }),
    upcoming: () => t("phase.upcoming", { time: ui().duration(Date.parse(state.activity.starts_at) - now) }),
    closed: () => t("phase.closed"),
    sold_out: () => t("phase.soldOut"),
    open: () => {
      const left = Date.parse(state.activity.ends_at) - now;
      return left < 86_400_000 ? t("phase.ends", { time: ui().duration(left) }) : "";
    },
  }[state.phase];
  $("#phase").textContent = phaseText();
  // While spinning the button stays focusable (aria-disabled): disabling it would drop keyboard focus.
  // Waiting in the queue too: a second press must not take a second ticket.
  const waiting = Boolean(state.queue) && !wheel.spinning;
  $("#spin").disabled = state.phase !== "open" && !waiting;
  $("#spin").setAttribute("aria-disabled", String(wheel.spinning || waiting));
  $("#spin").textContent = t(wheel.spinning ? "wheel.spinning" : waiting ? "queue.waiting" : "wheel.spin");
  if (previous === "upcoming" && state.phase === "open") loadActivity();
}

/** Starts the wheel, asks the server for the draw, and stops on the prize it chose. */
async function spin() {
  if (state.queue) {
    views.renderQueue($("#queue"), state.activity, state.queue, ui());
    return;
  }
  if (wheel.spinning) return;
  if (!state.user) {
    say(t("wheel.loginFirst"));
    $("#login-form [name=username]").focus();
    return;
  }
  if (state.phase !== "open") return;
  $("#result").hidden = true;
  $("#pay-link").hidden = true;
  const draw = api.request("POST", `/activities/${encodeURIComponent(ACTIVITY)}/draw`);
  if (isQueued(state.activity)) {
    await queueFor(draw);
    return;
  }
  announce(t("wheel.spinning"));
  await land(draw);
}

/** Spins the wheel until `draw` (a promise of the draw's answer) settles, stops on its prize, and shows what came of it. */
async function land(draw) {
  const landed = wheel.spin(draw, (drawn) => sliceOf(state.slices, drawn.wheel_index));
  renderPhase();
  let answer;
  try {
    answer = await landed;
  } catch (error) {
    await drawFailed(error);
    return;
  }
  announce(showResult(answer, null));
  renderPhase();
  if (answer.won) {
    const order = await waitForOrder(answer);
    if (order) announce(showResult(answer, order));
    else say(t("result.slow"));
  }
  await Promise.all([loadActivity(), loadOrders()]);
}

/** Says why a draw failed, and refreshes what the failure may have changed. */
async function drawFailed(error) {
  say(errorText(error));
  if (error.code === "unauthenticated") sessionEnded();
  if (["sold_out", "activity_not_open", "not_found"].includes(error.code)) await loadActivity();
  renderPhase();
}

// ---------------------------------------------------------------- the queued mode

/** Takes a ticket with `draw` (the POST in flight), waits for its turn, then spins to the result. */
async function queueFor(draw) {
  showQueue({ joining: true });
  announce(t("queue.joining"));
  let reading;
  try {
    reading = readDraw(await draw, state.slices);
  } catch (error) {
    showQueue(null);
    await drawFailed(error);
    return;
  }
  await follow(reading);
}

/** Follows a draw from what the server last said about it, to the wheel (or the sold-out or closed message). */
async function follow(reading) {
  let wait;
  if (reading.kind === "waiting") {
    sessionStorage.setItem(TICKET_KEY, reading.drawId);
    wait = await waitForTurn(startWaiting(reading));
  } else {
    wait = afterPoll(startWaiting({ position: 0 }), { reading });
  }
  if (wait.status !== "stopped") sessionStorage.removeItem(TICKET_KEY);
  showQueue(null);
  if (wait.status === "drawn") {
    announce(t("wheel.spinning"));
    await land(Promise.resolve(wait.answer));
  } else if (wait.status === "resolved") {
    await drawFailed({ code: wait.code });
  } else if (wait.status === "failed") {
    await drawFailed(wait.error);
  } else if (wait.status === "waiting") {
    await drawFailed({ code: "unknown", message: "no answer about the draw" });
  }
}

/** Polls the ticket at js/queue.js's pace until it is drawn, resolved or failed, or the wait is stopped. */
async function waitForTurn(first) {
  let wait = first;
  let stopped = false;
  let wake = () => {};
  state.queueStop = () => {
    stopped = true;
    wake();
  };
  showQueue(wait);
  while (wait.status === "waiting") {
    await new Promise((resolve) => {
      wake = resolve;
      setTimeout(resolve, wait.delayMs);
    });
    if (stopped) return { ...wait, status: "stopped" };
    let outcome;
    try {
      outcome = { reading: readDraw(await api.request("GET", `/draws/${encodeURIComponent(wait.drawId)}`), state.slices) };
    } catch (error) {
      outcome = { error };
    }
    if (stopped) return { ...wait, status: "stopped" };
    const before = wait.position;
    wait = afterPoll(wait, outcome);
    if (wait.status === "waiting") showQueue(wait, wait.position !== before);
  }
  state.queueStop = null;
  return wait;
}

/** Shows the queue line and Spin for `queue`; `moved`: the place changed (said to screen readers too). */
function showQueue(queue, moved = false) {
  state.queue = queue;
  views.renderQueue($("#queue"), state.activity, queue, ui());
  if (moved) announce($("#queue").textContent);
  renderPhase();
}

/** Ends a wait in the queue (the ticket stays the server's; coming back resumes it). */
function stopWaiting() {
  state.queueStop?.();
  state.queueStop = null;
  if (state.queue) showQueue(null);
}

/** Back on the page with a ticket still waiting (a reload, the back button): resumes its wait. */
async function resumeTicket() {
  const drawId = sessionStorage.getItem(TICKET_KEY);
  if (!drawId || !state.user || state.queue || !isQueued(state.activity)) return;
  let reading;
  try {
    reading = readDraw(await api.request("GET", `/draws/${encodeURIComponent(drawId)}`), state.slices);
  } catch {
    sessionStorage.removeItem(TICKET_KEY);
    return;
  }
  if (reading.kind === "unknown") sessionStorage.removeItem(TICKET_KEY);
  else await follow({ ...reading, drawId });
}

/** Shows the result card for the last spin; returns its headline. */
function showResult(answer, order) {
  state.result = { answer, order };
  const headline = views.renderResult($("#result"), answer, order, ui(), orderActions);
  views.tickCountdowns($("#result"), api.now(), ui());
  return headline;
}

/** Polls the draw until the consumer created its order; null if that takes too long. */
async function waitForOrder(answer) {
  const giveUpAt = Date.now() + ORDER_WAIT_MS;
  for (let delay = 200; Date.now() < giveUpAt; delay = Math.min(delay * 1.5, 2000)) {
    try {
      const status = await api.request("GET", `/draws/${encodeURIComponent(answer.draw_id)}`);
      if (status.order) return status.order;
    } catch (error) {
      if (error.code === "unauthenticated") return null;
    }
    await sleep(delay);
  }
  return null;
}

// ---------------------------------------------------------------- orders

async function loadOrders() {
  if (!state.user) return;
  try {
    const { orders } = await api.request("GET", "/orders");
    state.orders = orders;
  } catch (error) {
    if (error.code === "unauthenticated") sessionEnded();
    return;
  }
  renderOrders();
}

/** Redraws the orders (and the result card's order), keeping keyboard focus on the same button. */
function renderOrders() {
  const focused = document.activeElement;
  const action = focused?.dataset?.action;
  const holder = action && focused.closest("#result, [data-order]");
  const current = state.result?.order && state.orders.find((order) => order.id === state.result.order.id);
  if (current && !$("#result").hidden) showResult(state.result.answer, current);
  views.renderOrders($("#orders"), state.orders, ui(), orderActions);
  views.tickCountdowns($("#orders"), api.now(), ui());
  if (holder && !focused.isConnected) {
    const where = holder.id === "result" ? "#result" : `#orders [data-order="${holder.dataset.order}"]`;
    document.querySelector(`${where} [data-action="${action}"]`)?.focus();
  }
}

/** Polls an order until `done(order)` or `until` (ms); the last order seen, or null. */
async function pollOrder(orderId, done, until) {
  let order = null;
  for (let delay = 300; Date.now() < until; delay = Math.min(delay * 1.5, 5000)) {
    order = await api.request("GET", `/orders/${encodeURIComponent(orderId)}`);
    if (done(order)) return order;
    await sleep(delay);
  }
  return order;
}

/** What the order buttons do (shared by the order list and the result card). */
const orderActions = {
  armed: (orderId) => state.armed?.orderId === orderId && Date.now() < state.armed.until,

  /** Opens the pay link in a new window, then waits for the order to be paid. */
  async pay(order, button) {
    button.disabled = true;
    // Opened now, inside the click, so popup blockers allow it; pointed at the link below.
    const tab = window.open("", "_blank");
    try {
      const link = await api.request("POST", `/orders/${encodeURIComponent(order.id)}/pay`);
      const url = safeLink(link.pay_url);
      if (tab) {
        tab.opener = null;
        tab.location.href = url;
      }
      $("#pay-link a").href = url;
      $("#pay-link").hidden = Boolean(tab);
      say(t("orders.payOpened"));
      await waitForPayment(order, Date.parse(link.expires_at ?? order.pay_deadline));
    } catch (error) {
      tab?.close();
      say(errorText(error));
    } finally {
      button.disabled = false;
    }
  },

  /** First press arms the button; the second (within a few seconds) gives the order up. */
  async giveUp(order, button) {
    if (!orderActions.armed(order.id)) {
      state.armed = { orderId: order.id, until: Date.now() + ARMED_MS };
      renderOrders();
      say(t("orders.confirmHint", { prize: order.prize_name }));
      setTimeout(() => orderActions.armed(order.id) || renderOrders(), ARMED_MS + 50);
      return;
    }
    state.armed = null;
    button.disabled = true;
    say(t("orders.givingUp", { prize: order.prize_name }));
    try {
      await api.request("POST", `/orders/${encodeURIComponent(order.id)}/giveup`);
      const settled = await pollOrder(order.id, (seen) => seen.status !== "pending_payment", Date.now() + ORDER_WAIT_MS);
      if (settled?.status === "cancelled") say(t("orders.gaveUp", { prize: order.prize_name }));
    } catch (error) {
      say(errorText(error));
    }
    await Promise.all([loadActivity(), loadOrders()]);
  },
};

/** Only web addresses are followed from an API answer. */
function safeLink(address) {
  const url = new URL(address, location.href);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("the payment link is not a web address");
  return url.href;
}

/** Waits (once per order) until the payment arrives or the deadline passes. */
async function waitForPayment(order, deadline) {
  if (state.watching.has(order.id)) return;
  state.watching.add(order.id);
  try {
    const settled = await pollOrder(order.id, (seen) => seen.status !== "pending_payment", deadline);
    if (settled?.status === "paid") say(t("orders.paid", { prize: order.prize_name }));
    else if (settled?.status === "pending_payment") say(t("orders.payWaiting", { prize: order.prize_name }));
  } finally {
    state.watching.delete(order.id);
    await loadOrders();
  }
}

// ---------------------------------------------------------------- language, timers, start

function applyLanguage() {
  document.documentElement.lang = HTML_LANG[state.language];
  applyLabels(document, state.language);
  const next = LANGUAGES[(LANGUAGES.indexOf(state.language) + 1) % LANGUAGES.length];
  $("#lang").lang = HTML_LANG[next];
  renderAccount();
  renderActivity();
  views.renderPicker($("#picker"), state.activities, ACTIVITY, ui());
  if (state.user) renderOrders();
  if (state.result && !$("#result").hidden) showResult(state.result.answer, state.result.order);
}

function switchLanguage() {
  state.language = LANGUAGES[(LANGUAGES.indexOf(state.language) + 1) % LANGUAGES.length];
  localStorage.setItem(LANGUAGE_KEY, state.language);
  applyLanguage();
}

/** Every second: countdowns and the activity's state; every REFRESH_MS: fresh stock and orders. */
function startTimers() {
  setInterval(() => {
    views.tickCountdowns(document, api.now(), ui());
    renderPhase();
  }, 1000);
  setInterval(() => {
    if (document.hidden || wheel.spinning) return;
    loadActivity();
    if (views.anyOpen(state.orders)) loadOrders();
  }, REFRESH_MS);
  // Back from the pay window (or another tab): show what changed meanwhile.
  document.addEventListener("visibilitychange", () => document.hidden || loadOrders());
  // Leaving the page ends the queue's polling; coming back (from the back-forward cache) resumes it.
  addEventListener("pagehide", stopWaiting);
  addEventListener("pageshow", (event) => event.persisted && resumeTicket());
  let pending = false;
  addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      wheel.refit();
    });
  });
}

async function main() {
  $("#login-form").addEventListener("submit", submitLogin);
  $("#logout").addEventListener("click", logout);
  $("#lang").addEventListener("click", switchLanguage);
  $("#spin").addEventListener("click", spin);
  $("#result-close").addEventListener("click", () => {
    $("#result").hidden = true;
    $("#spin").focus();
  });
  applyLanguage();
  await Promise.all([loadActivity(), loadActivities()]);
  await loadOrders();
  startTimers();
  document.body.dataset.ready = "true";
  await resumeTicket();
}

main();
