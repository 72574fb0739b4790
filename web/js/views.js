// DOM views: the prize list, the player's orders with their actions and pay countdowns,
// and the result card. Text always goes in through textContent, never as HTML.
// `ui` carries the current language: { t(key, values), money(fen), count(n), duration(ms), picture(prizeId) }.

import { OPEN_STATUSES } from "./model.js";
import { isQueued, placeInLine } from "./queue.js";

/** A new element: `h("li", { class: "x", data: { order: id }, text: "..." }, ...children)`. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name === "class") element.className = value;
    else if (name === "data") Object.assign(element.dataset, value);
    // Styles through the CSSOM: the page's CSP refuses style attributes.
    else if (name === "style") Object.assign(element.style, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** A prize picture with its text alternative, or nothing if the prize has none. */
function picture(url, alt, size) {
  return url ? h("img", { src: url, alt, width: size, height: size, loading: "lazy", decoding: "async" }) : null;
}

/** The price of a prize as shown to players (`Free` for a zero price). */
export function priceText(prize, ui) {
  return prize.price_fen > 0 ? ui.money(prize.price_fen) : ui.t("prizes.free");
}

/** The prize cards: picture, name, description, price, units left (with a bar), sold-out badge. */
export function renderPrizes(list, prizes, ui) {
  list.replaceChildren(
    ...prizes.map((prize) => {
      const soldOut = prize.remaining === 0;
      const left = ui.t("prizes.left", { left: ui.count(prize.remaining), total: ui.count(prize.initial) });
      const share = prize.initial > 0 ? Math.round((100 * prize.remaining) / prize.initial) : 0;
      return h(
        "li",
        { class: `prize${soldOut ? " sold-out" : ""}${prize.consolation ? " consolation" : ""}`, data: { prize: prize.id } },
        picture(ui.picture(prize.id), prize.name, 56),
        h(
          "div",
          { class: "prize-text" },
          h("strong", { class: "prize-name", text: prize.name }),
          h("span", { class: "prize-description", text: prize.description }),
          h("span", { class: "prize-price", text: prize.consolation ? "" : priceText(prize, ui) }),
          h("span", { class: "prize-left", data: { remaining: String(prize.remaining) }, text: soldOut ? ui.t("prizes.soldOut") : left }),
          h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: { width: `${share}%` } })),
        ),
      );
    }),
  );
}

/**
 * The buttons an order offers now: pay and give up while it awaits payment. `actions`
 * is { pay(order, button), giveUp(order, button), armed(orderId) } (armed: give up was
 * pressed once and the next press confirms).
 */
export function orderActions(order, ui, actions) {
  if (order.status !== "pending_payment") return [];
  const pay = h("button", {
    type: "button",
    class: "pay",
    data: { action: "pay" },
    text: ui.t("orders.pay", { price: ui.money(order.amount_fen) }),
    onclick: () => actions.pay(order, pay),
  });
  const armed = actions.armed(order.id);
  const giveUp = h("button", {
    type: "button",
    class: `secondary give-up${armed ? " armed" : ""}`,
    data: { action: "give-up" },
    text: ui.t(armed ? "orders.confirmGiveUp" : "orders.giveUp"),
    onclick: () => actions.giveUp(order, giveUp),
  });
  return [pay, giveUp];
}

/** The pay countdown of a pending order (ticked by `tickCountdowns`). */
export function deadlineLabel(order) {
  return order.status === "pending_payment" ? h("span", { class: "countdown", data: { deadline: order.pay_deadline } }) : null;
}

/** The player's orders, newest first, each with status, countdown and actions. */
export function renderOrders(list, orders, ui, actions) {
  if (orders.length === 0) {
    list.replaceChildren(h("li", { class: "empty", text: ui.t("orders.empty") }));
    return;
  }
  list.replaceChildren(
    ...orders.map((order) =>
      h(
        "li",
        { class: "order", data: { order: order.id, status: order.status } },
        picture(ui.picture(order.prize_id), order.prize_name, 44),
        h(
          "div",
          { class: "order-text" },
          h("strong", { text: order.prize_name }),
          h("span", { class: "order-amount", text: order.amount_fen > 0 ? ui.money(order.amount_fen) : ui.t("prizes.free") }),
          deadlineLabel(order),
        ),
        h("span", { class: `status ${order.status}`, text: ui.t(`status.${order.status}`) }),
        h("div", { class: "order-actions" }, ...orderActions(order, ui, actions)),
      ),
    ),
  );
}

/** Updates every pay countdown under `root` to `now` (ms). */
export function tickCountdowns(root, now, ui) {
  for (const element of root.querySelectorAll("[data-deadline]")) {
    const left = Date.parse(element.dataset.deadline) - now;
    element.textContent = left > 0 ? ui.t("orders.payBy", { time: ui.duration(left) }) : ui.t("orders.payOverdue");
    element.classList.toggle("urgent", left < 60_000);
  }
}

/** True if any order may still change on its own (so the page keeps refreshing). */
export function anyOpen(orders) {
  return orders.some((order) => OPEN_STATUSES.has(order.status));
}

/**
 * Fills the result card for a draw `answer`, and for its `order` once the consumer
 * created it (null while queued). Returns the headline, for the status message.
 */
export function renderResult(card, answer, order, ui, actions) {
  const { prize } = answer;
  let title;
  let detail = "";
  if (answer.won && prize.price_fen > 0) {
    title = ui.t("result.won", { prize: prize.name });
    detail = order ? ui.t("result.payWithin", { price: ui.money(prize.price_fen) }) : ui.t("result.creating");
  } else if (answer.won) {
    title = ui.t("result.wonFree", { prize: prize.name });
  } else if (answer.outcome === "missed") {
    title = ui.t("result.missed", { prize: prize.name });
  } else {
    title = ui.t("result.thanks", { prize: prize.name });
  }
  card.className = `result ${answer.won ? "won" : "no-win"}`;
  card.dataset.drawId = answer.draw_id;
  card.dataset.orderStatus = order?.status ?? (answer.won ? "queued" : "none");
  card.querySelector(".result-picture").replaceChildren(picture(ui.picture(prize.id), prize.name, 88) ?? "");
  card.querySelector(".result-title").textContent = title;
  card.querySelector(".result-detail").textContent = order && order.status !== "pending_payment" ? ui.t(`status.${order.status}`) : detail;
  card.querySelector(".result-deadline").replaceChildren(order ? deadlineLabel(order) ?? "" : "");
  card.querySelector(".result-actions").replaceChildren(...(order ? orderActions(order, ui, actions) : []));
  card.hidden = false;
  return title;
}

/**
 * The queue line under Spin for a queued activity: the mode's hint while not waiting, the
 * place in line while a ticket waits (`wait`: the state of js/queue.js, or `{ joining: true }`
 * while the ticket is being taken). Hidden for an instant activity.
 */
export function renderQueue(line, activity, wait, ui) {
  line.hidden = !isQueued(activity);
  const waiting = wait?.status === "waiting";
  line.classList.toggle("waiting", Boolean(wait));
  if (waiting) line.dataset.position = String(wait.position);
  else delete line.dataset.position;
  line.textContent = queueText(wait, ui);
}

/** The queue line's words for `wait` (see `renderQueue`). */
export function queueText(wait, ui) {
  if (wait?.joining) return ui.t("queue.joining");
  if (wait?.status !== "waiting") return ui.t("queue.hint");
  const place = wait.position === 0 ? ui.t("queue.next") : ui.t("queue.position", { number: ui.count(placeInLine(wait.position)) });
  return wait.error ? `${place} ${ui.t("queue.retrying", { reason: ui.error(wait.error) })}` : place;
}

/**
 * The activity picker: a link per activity (`?activity=id`), the current one marked, queued
 * ones tagged. Hidden when there is nothing to choose between.
 */
export function renderPicker(nav, activities, currentId, ui) {
  nav.hidden = activities.length < 2;
  nav.replaceChildren(
    ...activities.map((activity) =>
      h(
        "a",
        {
          href: `?activity=${encodeURIComponent(activity.id)}`,
          class: "pick",
          data: { activity: activity.id },
          "aria-current": activity.id === currentId ? "page" : null,
        },
        h("span", { text: activity.name }),
        isQueued(activity) ? h("span", { class: "tag", text: ui.t("picker.queued") }) : null,
      ),
    ),
  );
}
