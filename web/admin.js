// The operators' page: log in as an admin, list the activities with their schedule, create
// and edit one with its prizes, take it online or offline, work its stock, watch its live
// figures, set players' draw limits and tags, and browse the orders. Talks only to the
// admin API (docs: admin-api); the modules under js/admin/ hold the rules and the views.

import { apiBase, createApi } from "./js/api.js";
import { count, countdownParts, money } from "./js/format.js";
import { HTML_LANG, LANGUAGES, applyLabels, pickLanguage, translate } from "./js/i18n.js";
import { addPrizeRow, fillForm, readForm, relabel } from "./js/admin/editor.js";
import { ADMIN_MESSAGES } from "./js/admin/messages.js";
import { ORDER_STATUSES, activityInput, editRequests, fieldMessage, formField, formValues, ordersQuery, parseTags, parseWhole, stockSummary, validTag } from "./js/admin/model.js";
import * as views from "./js/admin/views.js";
import { h } from "./js/views.js";

const LANGUAGE_KEY = "luckydraw.lang";
const USER_KEY = "luckydraw.admin";
const STATS_MS = 4_000;
const LIST_MS = 30_000;
const ORDERS_PAGE = 20;

const $ = (selector) => document.querySelector(selector);

const api = createApi({ base: apiBase(document, window.LUCKYDRAW_CONFIG), pageUrl: location.href, storage: sessionStorage });

const state = {
  language: pickLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages),
  user: sessionStorage.getItem(USER_KEY),
  activities: [],
  selected: null, // the open activity's id
  editing: undefined, // the ActivityBody being edited, null while creating, undefined when the editor is closed
  stats: null,
  statsAt: null,
  quotas: [],
  found: null, // the player whose tags are shown
  orders: { cursors: [null], page: 0, rows: [], next: null },
};

/** The current language's helpers for the views. */
function ui() {
  const { language } = state;
  const locale = HTML_LANG[language];
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return {
    t: (key, values) => translate(language, key, values, ADMIN_MESSAGES),
    money: (fen) => money(fen, locale),
    count: (value) => count(value ?? 0, locale),
    duration: (ms) => {
      const { days, clock } = countdownParts(ms);
      return days > 0 ? translate(language, "time.days", { days, clock }, ADMIN_MESSAGES) : clock;
    },
    dateTime: (iso) => (iso && !Number.isNaN(Date.parse(iso)) ? dateTime.format(new Date(iso)) : ""),
    time: (ms) => new Intl.DateTimeFormat(locale, { timeStyle: "medium" }).format(new Date(ms)),
  };
}

const t = (key, values) => ui().t(key, values);

/** An operator-facing sentence for an API error: the label and the API's own reason. */
function errorText(error) {
  const code = error?.code ?? "unknown";
  const reason = error?.message ?? code;
  if (`admin.error.${code}` in ADMIN_MESSAGES.en) return t(`admin.error.${code}`, { reason });
  if (code === "rate_limited" && error.retryAfterSecs) return t("error.rate_limited_for", { seconds: error.retryAfterSecs });
  if (`error.${code}` in ADMIN_MESSAGES.en && code !== "unknown") return t(`error.${code}`);
  return t("error.unknown", { reason });
}

/** Calls the admin API; a lost session or a player's session sends the page back to the login. */
async function call(method, path, body) {
  try {
    return await api.request(method, path, body);
  } catch (error) {
    if (error.code === "unauthenticated") showLogin(t("error.unauthenticated"));
    if (error.code === "forbidden") showLogin(null, t("admin.login.adminsOnlySession"));
    throw error;
  }
}

function notice(text) {
  $("#notice").textContent = text;
}

const activityPath = (id, rest = "") => `/admin/activities/${encodeURIComponent(id)}${rest}`;
const selectedActivity = () => state.activities.find((activity) => activity.id === state.selected) ?? null;

// ---------------------------------------------------------------- session

/** Shows the login form, with `message` under it or the admins-only `forbidden` note. */
function showLogin(message = null, forbidden = null) {
  document.body.dataset.view = "login";
  setUser(null);
  $("#console").hidden = true;
  $("#login-panel").hidden = false;
  $("#login-message").textContent = message ?? "";
  $("#forbidden").hidden = !forbidden;
  $("#forbidden").textContent = forbidden ?? "";
  stopStats();
}

function setUser(name) {
  state.user = name;
  if (name) sessionStorage.setItem(USER_KEY, name);
  else sessionStorage.removeItem(USER_KEY);
  renderAccount();
}

function renderAccount() {
  const known = Boolean(state.user) && document.body.dataset.view === "console";
  $("#whoami").hidden = !known;
  $("#whoami").textContent = known ? t("admin.hello", { name: state.user }) : "";
  $("#logout").hidden = document.body.dataset.view !== "console";
}

async function showConsole() {
  document.body.dataset.view = "console";
  $("#login-panel").hidden = true;
  $("#console").hidden = false;
  renderAccount();
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.target;
  const fields = new FormData(form);
  const username = String(fields.get("username")).trim();
  form.setAttribute("aria-busy", "true");
  $("#login-message").textContent = "";
  $("#forbidden").hidden = true;
  try {
    await api.signIn("login", username, String(fields.get("password")));
    form.reset();
    try {
      await api.request("GET", "/admin/activities");
    } catch (error) {
      if (error.code !== "forbidden") throw error;
      // A player's session is of no use here (and should not linger in this browser).
      await api.signOut();
      showLogin(null, t("admin.login.adminsOnly", { name: username }));
      return;
    }
    await showConsole();
    setUser(username);
    notice(t("admin.login.welcome", { name: username }));
    await start();
  } catch (error) {
    $("#login-message").textContent = errorText(error);
  } finally {
    form.removeAttribute("aria-busy");
  }
}

async function logout() {
  await api.signOut();
  showLogin();
  notice(t("admin.login.loggedOut"));
  $("#login-form [name=username]").focus();
}

// ---------------------------------------------------------------- activities

async function loadActivities() {
  const { activities } = await call("GET", "/admin/activities");
  state.activities = activities;
  renderActivities();
  renderOrderFilters();
}

function renderActivities() {
  views.renderActivities($("#activities tbody"), state.activities, state.selected, ui(), api.now(), (activity) => openActivity(activity.id));
}

/** Replaces one activity in the list with the API's newer body. */
function remember(activity) {
  const index = state.activities.findIndex((known) => known.id === activity.id);
  if (index === -1) state.activities.push(activity);
  else state.activities[index] = activity;
  renderActivities();
  renderOrderFilters();
}

/** Opens the detail of an activity: schedule, controls, figures, quotas. */
async function openActivity(id) {
  closeEditor();
  state.selected = id;
  state.stats = null;
  $("#stats tbody").replaceChildren();
  $("#stats-totals").textContent = "";
  $("#stock-result").textContent = "";
  $("#quota-message").textContent = "";
  renderActivities();
  renderDetail();
  $("#detail-panel").hidden = false;
  $("#orders-form [name=activity]").value = id;
  state.orders.cursors = [null];
  $("#detail-name").focus();
  await Promise.all([loadStats(), loadQuotas(), loadOrders(0)]);
  startStats();
}

function renderDetail() {
  const activity = selectedActivity();
  if (!activity) return;
  const u = ui();
  $("#detail-name").textContent = activity.name;
  $("#detail-status").replaceWith(Object.assign(views.statusBadge(activity.status, u), { id: "detail-status" }));
  $("#detail-schedule").replaceChildren(views.scheduleLabel(activity, u, api.now()));
  $("#detail-panel").dataset.status = activity.status;
  $("#detail-panel").dataset.loaded = String(Boolean(activity.loaded));
  const online = activity.status === "online";
  $("#toggle-online").textContent = t(online ? "admin.detail.goOffline" : "admin.detail.goOnline");
  $("#toggle-online").className = online ? "secondary" : "";
  $("#open-player").href = `./?activity=${encodeURIComponent(activity.id)}`;
}

async function toggleOnline() {
  const activity = selectedActivity();
  if (!activity) return;
  const status = activity.status === "online" ? "offline" : "online";
  const button = $("#toggle-online");
  button.disabled = true;
  try {
    const updated = await call("PATCH", activityPath(activity.id), { status });
    remember(updated);
    renderDetail();
    notice(t(status === "online" ? "admin.detail.nowOnline" : "admin.detail.nowOffline", { name: updated.name }));
    await loadStats();
  } catch (error) {
    notice(errorText(error));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- the editor

function openEditor(activity) {
  state.editing = activity;
  const form = $("#editor");
  views.clearFieldErrors(form);
  $("#editor-message").textContent = "";
  fillForm(form, formValues(activity, api.now()), ui(), { locked: activity?.status === "online", creating: !activity });
  $("#editor-title").textContent = activity ? t("admin.editor.edit", { name: activity.name }) : t("admin.editor.create");
  $("#detail-panel").hidden = true;
  $("#editor-panel").hidden = false;
  stopStats();
  form.elements.name.focus();
}

function closeEditor() {
  state.editing = undefined;
  $("#editor-panel").hidden = true;
}

async function saveActivity(event) {
  event.preventDefault();
  const form = $("#editor");
  views.clearFieldErrors(form);
  $("#editor-message").textContent = "";
  const { input, errors } = activityInput(readForm(form));
  if (errors) {
    for (const error of errors) showError(form, error.field, t(error.key, error.values));
    $("#editor-message").textContent = t("admin.editor.fixLocal");
    focusFirstInvalid(form);
    return;
  }
  $("#save").disabled = true;
  $("#editor-message").textContent = t("admin.editor.saving");
  try {
    const saved = state.editing ? await applyEdit(form, state.editing, input) : await call("POST", "/admin/activities", input);
    if (!saved) return;
    remember(saved);
    notice(t(state.editing ? "admin.editor.saved" : "admin.editor.created", { name: saved.name }));
    await openActivity(saved.id);
  } catch (error) {
    showApiError(form, error);
  } finally {
    $("#save").disabled = false;
  }
}

/**
 * Sends the edit as the API takes it (activity, then each prize); returns the last body,
 * or null when nothing changed. A failed request's error names its prize row.
 */
async function applyEdit(form, saved, input) {
  const requests = editRequests(saved, input);
  if (requests.length === 0) {
    $("#editor-message").textContent = t("admin.editor.unchanged");
    return null;
  }
  let body = saved;
  for (const request of requests) {
    try {
      const answer = await call(request.method, request.path, request.body);
      if (request.method === "POST" && request.prizeIndex !== undefined) markCreatedPrize(form, body, answer, request.prizeIndex);
      body = answer ?? body;
    } catch (error) {
      // What went through is kept: edit on from the activity as it is now.
      state.editing = await call("GET", activityPath(saved.id)).catch(() => state.editing);
      error.prizeIndex = request.prizeIndex;
      throw error;
    }
  }
  return latestBody(body, saved);
}

/** After a prize was added, its row knows its id (so saving again does not add it twice). */
function markCreatedPrize(form, before, after, index) {
  const known = new Set(before.prizes.map((prize) => prize.id));
  const created = after?.prizes?.find((prize) => !known.has(prize.id));
  const row = form.querySelectorAll("#prize-rows > li")[index];
  if (created && row) row.dataset.prizeId = created.id;
}

/** The activity after the edit: the last answer, or fetched if that held no activity. */
function latestBody(body, saved) {
  return body?.prizes ? body : call("GET", activityPath(saved.id));
}

/** An API error on the form: beside the field it names, or in the form's message. */
function showApiError(form, error) {
  const field = formField(error.field, error.prizeIndex);
  const placed = field && showError(form, field, fieldMessage(error.message, error.field));
  $("#editor-message").textContent = placed ? t("admin.editor.fix", { reason: error.message }) : errorText(error);
  if (placed) focusFirstInvalid(form);
}

/** Shows an error beside `field`, or beside the nearest enclosing field it names (`prizes[1]`, `prizes`). */
function showError(form, field, text) {
  for (let path = field; path; ) {
    if (views.showFieldError(form, path, text)) return true;
    const parent = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (parent === path) return false;
    path = parent;
  }
  return false;
}

function focusFirstInvalid(form) {
  form.querySelector("[aria-invalid=true]")?.focus();
}

// ---------------------------------------------------------------- stock and figures

let statsTimer = null;

function startStats() {
  stopStats();
  statsTimer = setInterval(() => document.hidden || loadStats(), STATS_MS);
}

function stopStats() {
  clearInterval(statsTimer);
  statsTimer = null;
}

async function loadStats() {
  const id = state.selected;
  if (!id) return;
  try {
    const stats = await call("GET", activityPath(id, "/stats"));
    if (id !== state.selected) return;
    state.stats = stats;
    state.statsAt = Date.now();
    renderStats();
    const activity = selectedActivity();
    if (activity && (activity.status !== stats.status || Boolean(activity.loaded) !== Boolean(stats.loaded))) {
      remember({ ...activity, status: stats.status, loaded: stats.loaded });
      renderDetail();
    }
  } catch (error) {
    $("#stats-updated").textContent = t("admin.stats.failed", { reason: errorText(error) });
  }
}

function renderStats() {
  if (!state.stats) return;
  views.renderStats($("#detail-panel"), state.stats, ui(), changeStock);
  $("#stats-updated").textContent = t("admin.stats.updated", { time: ui().time(state.statsAt) });
}

async function changeStock(prizeId, typed, input) {
  const delta = parseWhole(typed);
  const prize = state.stats?.prizes.find((row) => row.prize_id === prizeId);
  if (delta === null || delta === 0) {
    $("#stock-result").textContent = t("admin.invalid.whole");
    input.focus();
    return;
  }
  try {
    const answer = await call("POST", activityPath(state.selected, `/prizes/${encodeURIComponent(prizeId)}/stock`), { delta });
    input.value = "";
    $("#stock-result").textContent = t("admin.stats.deltaDone", {
      prize: prize?.name ?? prizeId,
      remaining: ui().count(answer.remaining),
      initial: ui().count(answer.initial),
    });
    await loadStats();
  } catch (error) {
    $("#stock-result").textContent = errorText(error);
  }
}

/** Preload, restore, flush or reconcile; the answer summed up under the buttons. */
async function stockAction(button) {
  const action = button.dataset.stock;
  const id = state.selected;
  const out = $("#stock-result");
  out.textContent = t("admin.stock.working");
  button.disabled = true;
  try {
    const path = activityPath(id, `/${action}`);
    const answer = await call("POST", path);
    out.textContent = stockResultText(action, answer);
    out.dataset.action = action;
    remember(await call("GET", activityPath(id)));
    renderDetail();
    await loadStats();
  } catch (error) {
    out.textContent = errorText(error);
  } finally {
    button.disabled = false;
  }
}

function stockResultText(action, answer) {
  const u = ui();
  if (action === "preload") return t("admin.stock.preloaded", { summary: stockSummary(answer, u) });
  if (action === "restore") return t("admin.stock.restored", { summary: stockSummary(answer, u) });
  if (action === "flush") return t(answer.flushed ? "admin.stock.flushed" : "admin.stock.nothingToFlush");
  return t("admin.stock.reconciled", { recorded: u.count(answer.recorded), released: u.count(answer.released), requeued: u.count(answer.requeued) });
}

// ---------------------------------------------------------------- quotas and tags

async function loadQuotas() {
  const id = state.selected;
  try {
    const { quotas } = await call("GET", activityPath(id, "/quotas"));
    if (id !== state.selected) return;
    state.quotas = quotas;
    renderQuotas();
  } catch (error) {
    $("#quota-message").textContent = errorText(error);
  }
}

function renderQuotas() {
  views.renderQuotas($("#quotas"), state.quotas, ui(), removeQuota);
}

/** The player with this username (GET /admin/users?username=). */
function findUser(username) {
  return call("GET", `/admin/users?${new URLSearchParams({ username })}`);
}

async function setQuota(event) {
  event.preventDefault();
  const form = event.target;
  views.clearFieldErrors(form);
  const username = form.elements.username.value.trim();
  const limit = parseWhole(form.elements.limit.value);
  if (limit === null || limit < 0) {
    views.showFieldError(form, "limit", t("admin.invalid.whole"));
    form.elements.limit.focus();
    return;
  }
  try {
    const user = await findUser(username).catch((error) => {
      error.field ??= "username";
      throw error;
    });
    await call("PUT", activityPath(state.selected, `/quotas/${encodeURIComponent(user.id)}`), { limit });
    $("#quota-message").textContent = t("admin.quotas.done", { username: user.username, limit: limit === 0 ? t("admin.quotas.unlimited") : ui().count(limit) });
    form.reset();
    await loadQuotas();
  } catch (error) {
    const shown = error.field && views.showFieldError(form, error.field, fieldMessage(errorText(error), error.field));
    $("#quota-message").textContent = shown ? "" : errorText(error);
  }
}

async function removeQuota(quota) {
  try {
    await call("DELETE", activityPath(state.selected, `/quotas/${encodeURIComponent(quota.user_id)}`));
    $("#quota-message").textContent = t("admin.quotas.removed", { username: quota.username });
    await loadQuotas();
  } catch (error) {
    $("#quota-message").textContent = errorText(error);
  }
}

async function findTagsUser(event) {
  event.preventDefault();
  const username = event.target.elements.username.value.trim();
  $("#tags-message").textContent = "";
  try {
    state.found = await findUser(username);
    renderFoundUser();
    $("#tags-form").hidden = false;
    $("#u-tags").focus();
  } catch (error) {
    state.found = null;
    $("#tags-form").hidden = true;
    $("#tags-message").textContent = errorText(error);
  }
}

function renderFoundUser() {
  const user = state.found;
  if (!user) return;
  const u = ui();
  const kind = `admin.kind.${user.kind}` in ADMIN_MESSAGES.en ? t(`admin.kind.${user.kind}`) : user.kind;
  $("#user-card").textContent = t("admin.tags.user", { username: user.username, kind, status: user.status, created: u.dateTime(user.created_at) });
  $("#u-tags").value = user.tags.join(", ");
}

async function saveTags(event) {
  event.preventDefault();
  const form = event.target;
  views.clearFieldErrors(form);
  const tags = parseTags(form.elements.tags.value);
  const bad = tags.find((tag) => !validTag(tag));
  if (bad) {
    views.showFieldError(form, "tags", t("admin.invalid.tag", { tag: bad }));
    form.elements.tags.focus();
    return;
  }
  try {
    state.found = await call("PUT", `/admin/users/${encodeURIComponent(state.found.id)}/tags`, { tags });
    renderFoundUser();
    $("#tags-message").textContent = t("admin.tags.saved", { username: state.found.username, tags: state.found.tags.join(", ") || t("admin.tags.noTags") });
  } catch (error) {
    const shown = error.field && views.showFieldError(form, "tags", fieldMessage(error.message, error.field));
    $("#tags-message").textContent = shown ? "" : errorText(error);
  }
}

// ---------------------------------------------------------------- orders

function renderOrderFilters() {
  const activitySelect = $("#o-activity");
  const chosen = activitySelect.value;
  activitySelect.replaceChildren(
    h("option", { value: "", text: t("admin.orders.any") }),
    ...state.activities.map((activity) => h("option", { value: activity.id, text: activity.name })),
  );
  activitySelect.value = chosen;
  const statusSelect = $("#o-status");
  const status = statusSelect.value;
  statusSelect.replaceChildren(
    h("option", { value: "", text: t("admin.orders.any") }),
    ...ORDER_STATUSES.map((code) => h("option", { value: code, text: t(`status.${code}`) })),
  );
  statusSelect.value = status;
}

async function loadOrders(page) {
  const form = $("#orders-form");
  const cursor = state.orders.cursors[page];
  const query = ordersQuery({ activity: form.elements.activity.value, status: form.elements.status.value, cursor, limit: ORDERS_PAGE });
  try {
    const { orders, next_cursor: next } = await call("GET", `/admin/orders${query}`);
    state.orders = { ...state.orders, page, rows: orders, next };
    state.orders.cursors[page + 1] = next;
    renderOrders();
  } catch (error) {
    $("#orders-message").textContent = errorText(error);
  }
}

function renderOrders() {
  const { rows, next, page } = state.orders;
  views.renderOrders($("#orders-table tbody"), rows, ui());
  $("#orders-next").hidden = !next;
  $("#orders-first").hidden = page === 0;
  $("#orders-message").textContent = t("admin.orders.page", { page: page + 1, count: ui().count(rows.length) });
}

function searchOrders(event) {
  event.preventDefault();
  state.orders.cursors = [null];
  loadOrders(0);
}

// ---------------------------------------------------------------- language, timers, start

function applyLanguage() {
  document.documentElement.lang = HTML_LANG[state.language];
  applyLabels(document, state.language, ADMIN_MESSAGES);
  const next = LANGUAGES[(LANGUAGES.indexOf(state.language) + 1) % LANGUAGES.length];
  $("#lang").lang = HTML_LANG[next];
  renderAccount();
  renderActivities();
  renderOrderFilters();
  renderDetail();
  renderStats();
  renderQuotas();
  renderFoundUser();
  if (state.orders.rows.length > 0 || state.orders.page > 0) renderOrders();
  if (state.editing !== undefined) relabel($("#editor"), ui());
}

function switchLanguage() {
  state.language = LANGUAGES[(LANGUAGES.indexOf(state.language) + 1) % LANGUAGES.length];
  localStorage.setItem(LANGUAGE_KEY, state.language);
  applyLanguage();
}

let started = false;

/** Once logged in: the activities, the orders, and the timers. */
async function start() {
  await loadActivities();
  await loadOrders(0);
  if (started) return;
  started = true;
  setInterval(() => views.tickSchedules(document, ui(), api.now()), 1000);
  setInterval(() => document.hidden || document.body.dataset.view !== "console" || loadActivities().catch(() => null), LIST_MS);
}

async function main() {
  $("#login-form").addEventListener("submit", submitLogin);
  $("#logout").addEventListener("click", logout);
  $("#lang").addEventListener("click", switchLanguage);
  $("#new-activity").addEventListener("click", () => openEditor(null));
  $("#edit-activity").addEventListener("click", () => openEditor(selectedActivity()));
  $("#cancel-edit").addEventListener("click", () => {
    const back = state.editing?.id ?? state.selected;
    closeEditor();
    if (back) openActivity(back);
  });
  $("#add-prize").addEventListener("click", () => addPrizeRow($("#editor"), ui()));
  $("#editor").addEventListener("submit", saveActivity);
  $("#toggle-online").addEventListener("click", toggleOnline);
  for (const button of document.querySelectorAll("[data-stock]")) button.addEventListener("click", () => stockAction(button));
  $("#quota-form").addEventListener("submit", setQuota);
  $("#user-form").addEventListener("submit", findTagsUser);
  $("#tags-form").addEventListener("submit", saveTags);
  $("#orders-form").addEventListener("submit", searchOrders);
  $("#orders-next").addEventListener("click", () => loadOrders(state.orders.page + 1));
  $("#orders-first").addEventListener("click", () => loadOrders(0));
  applyLanguage();
  // An admin session may already be there (the cookie): go straight to work if so.
  try {
    await api.request("GET", "/admin/activities");
    await showConsole();
    await start();
  } catch (error) {
    if (error.code === "forbidden") showLogin(null, t("admin.login.adminsOnlySession"));
    else showLogin(error.code === "unauthenticated" ? null : errorText(error));
  }
  document.body.dataset.ready = "true";
}

main();
