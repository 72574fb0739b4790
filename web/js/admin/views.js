// DOM views of the admin page: the activity list, the live figures with their stock
// controls, the quotas, the orders table, and errors shown beside the field they name.
// Text always goes in through textContent. `ui` is { t, money, count, duration, dateTime }.

import { h } from "../views.js";
import { schedule, shortId } from "./model.js";

/** The schedule line of an activity (ticked every second by `tickSchedules`). */
export function scheduleLabel(activity, ui, now) {
  const span = h("span", { class: "countdown", data: { starts: activity.starts_at, ends: activity.ends_at, status: activity.status } });
  span.textContent = scheduleText(activity, ui, now);
  return span;
}

/** `Starts in 1d 02:00:00`, `Ends in 04:59`, `Ended`, or the draft / offline note. */
export function scheduleText(activity, ui, now) {
  const { phase, at } = schedule(activity, now);
  if (phase === "upcoming") return ui.t("admin.schedule.startsIn", { time: ui.duration(at - now) });
  if (phase === "running") return ui.t("admin.schedule.endsIn", { time: ui.duration(at - now) });
  return ui.t(`admin.schedule.${phase}`, { starts: ui.dateTime(activity.starts_at), ends: ui.dateTime(activity.ends_at) });
}

/** Refreshes every schedule line under `root`. */
export function tickSchedules(root, ui, now) {
  for (const span of root.querySelectorAll(".countdown[data-starts]")) {
    const { starts, ends, status } = span.dataset;
    span.textContent = scheduleText({ starts_at: starts, ends_at: ends, status }, ui, now);
  }
}

/** A status badge (`draft`, `online`, `offline`). */
export function statusBadge(status, ui) {
  return h("span", { class: `badge ${status}`, text: ui.t(`admin.status.${status}`) });
}

/** The activities table: one row each, the selected one marked; `onOpen(activity)` opens one. */
export function renderActivities(tbody, activities, selectedId, ui, now, onOpen) {
  if (activities.length === 0) {
    tbody.replaceChildren(h("tr", {}, h("td", { colspan: "4", class: "empty", text: ui.t("admin.activities.none") })));
    return;
  }
  tbody.replaceChildren(
    ...activities.map((activity) =>
      h(
        "tr",
        { data: { activity: activity.id, status: activity.status }, class: activity.id === selectedId ? "selected" : undefined, "aria-current": activity.id === selectedId ? "true" : undefined },
        h(
          "td",
          {},
          h("button", { type: "button", class: "link", data: { action: "open" }, text: activity.name, onclick: () => onOpen(activity) }),
          h("code", { class: "id", text: activity.id }),
        ),
        h("td", {}, statusBadge(activity.status, ui)),
        h("td", {}, scheduleLabel(activity, ui, now)),
        h("td", { text: ui.t(activity.loaded ? "admin.stock.loaded" : "admin.stock.notLoaded") }),
      ),
    ),
  );
}

/**
 * The figures: totals line, a row per prize with its stock-change control, and the drift
 * list. `onDelta(prizeId, delta, input)` applies a stock change.
 */
export function renderStats(panel, stats, ui, onDelta) {
  const { totals } = stats;
  panel.querySelector("#stats-totals").textContent = ui.t("admin.stats.totals", {
    draws: ui.count(totals.draws),
    wins: ui.count(totals.wins),
    players: ui.count(totals.players),
    remaining: ui.count(totals.remaining),
    initial: ui.count(totals.initial),
  });
  panel.querySelector("#stats-totals").dataset.draws = String(totals.draws);
  panel.querySelector("#stats-totals").dataset.wins = String(totals.wins);
  const tbody = panel.querySelector("#stats tbody");
  const focusedPrize = document.activeElement?.closest?.("#stats tr")?.dataset.prize;
  const typed = Object.fromEntries([...tbody.querySelectorAll("input")].map((input) => [input.closest("tr").dataset.prize, input.value]));
  tbody.replaceChildren(...stats.prizes.map((prize) => statsRow(prize, ui, onDelta, typed[prize.prize_id] ?? "")));
  if (focusedPrize) tbody.querySelector(`tr[data-prize="${CSS.escape(focusedPrize)}"] input`)?.focus();
  const drift = panel.querySelector("#drift");
  drift.hidden = (stats.drift ?? []).length === 0;
  drift.replaceChildren(
    ...(stats.drift ?? []).map((row) =>
      h("li", { text: ui.t("admin.stats.drift", { prize: row.prize_id, store: ui.count(row.stock_store), ledger: ui.count(row.ledger) }) }),
    ),
  );
}

function statsRow(prize, ui, onDelta, typed) {
  const inputId = `delta-${prize.prize_id}`;
  const input = h("input", { id: inputId, type: "number", inputmode: "numeric", class: "delta", value: typed, placeholder: "±0" });
  const apply = h("button", {
    type: "button",
    class: "secondary small",
    text: ui.t("admin.stats.apply"),
    onclick: () => onDelta(prize.prize_id, input.value, input),
  });
  const cell = (key) => h("td", { data: { key }, text: ui.count(prize[key]) });
  return h(
    "tr",
    { data: { prize: prize.prize_id } },
    h("th", { scope: "row", text: prize.name }),
    cell("initial"),
    cell("remaining"),
    cell("reserved"),
    cell("sold"),
    cell("released"),
    cell("wins"),
    h(
      "td",
      { class: "delta-cell" },
      h("label", { for: inputId, class: "visually-hidden", text: ui.t("admin.stats.deltaLabel", { prize: prize.name }) }),
      input,
      apply,
    ),
  );
}

/** The quotas of the open activity, each with a remove button (`onRemove(quota)`). */
export function renderQuotas(list, quotas, ui, onRemove) {
  if (quotas.length === 0) {
    list.replaceChildren(h("li", { class: "empty", text: ui.t("admin.quotas.none") }));
    return;
  }
  list.replaceChildren(
    ...quotas.map((quota) =>
      h(
        "li",
        { data: { user: quota.user_id } },
        h("span", { text: ui.t("admin.quotas.row", { username: quota.username, limit: quota.limit === 0 ? ui.t("admin.quotas.unlimited") : ui.count(quota.limit) }) }),
        h("button", {
          type: "button",
          class: "secondary small",
          text: ui.t("admin.quotas.remove"),
          "aria-label": ui.t("admin.quotas.removeLabel", { username: quota.username }),
          onclick: () => onRemove(quota),
        }),
      ),
    ),
  );
}

/** The orders table. */
export function renderOrders(tbody, orders, ui) {
  if (orders.length === 0) {
    tbody.replaceChildren(h("tr", {}, h("td", { colspan: "8", class: "empty", text: ui.t("admin.orders.none") })));
    return;
  }
  tbody.replaceChildren(
    ...orders.map((order) =>
      h(
        "tr",
        { data: { order: order.id, status: order.status } },
        h("td", { text: ui.dateTime(order.created_at) }),
        h("td", {}, h("code", { title: `${order.id} · ${order.draw_id}`, text: shortId(order.id) })),
        h("td", {}, h("code", { title: order.user_id, text: shortId(order.user_id) })),
        h("td", { text: order.prize_name }),
        h("td", { class: "number", text: ui.money(order.amount_fen) }),
        h("td", {}, h("span", { class: `status ${order.status}`, text: ui.t(`status.${order.status}`) })),
        h("td", { text: order.status === "pending_payment" ? ui.dateTime(order.pay_deadline) : "" }),
        h("td", {}, order.trade_no ? h("code", { text: order.trade_no }) : ""),
      ),
    ),
  );
}

/** Removes every field error under `form`. */
export function clearFieldErrors(form) {
  for (const error of form.querySelectorAll(".field-error")) error.remove();
  for (const invalid of form.querySelectorAll("[aria-invalid]")) {
    invalid.removeAttribute("aria-invalid");
    invalid.removeAttribute("aria-describedby");
  }
}

/**
 * Shows `text` beside the field `[data-field=field]` of `form` (its control marked invalid
 * and described by the message); false if the form has no such field.
 */
export function showFieldError(form, field, text) {
  const holder = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
  if (!holder) return false;
  const control = holder.matches("input, select, textarea") ? holder : holder.querySelector("input, select, textarea");
  const id = `error-${field.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const message = h("span", { id, class: "field-error", data: { for: field }, text });
  if (holder.matches("input, select, textarea")) holder.after(message);
  else holder.append(message);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
  }
  return true;
}
