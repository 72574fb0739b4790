// The luckydraw page: log in, spin the wheel (it stops where the server's draw landed),
// watch the order appear, give it up. Talks only to the HTTP API.

const API_BASE = document.querySelector('meta[name="luckydraw-api-base"]')?.content || window.LUCKYDRAW_API_BASE || "";
const ACTIVITY = new URLSearchParams(location.search).get("activity") || "demo";
const CROSS_ORIGIN = API_BASE !== "" && new URL(API_BASE, location.href).origin !== location.origin;

const $ = (selector) => document.querySelector(selector);
const state = { activity: null, wheel: null, spinning: false, lastDraw: null, user: loadUser() };

/** Calls the API; resolves to the JSON body or throws an Error with the API's code and message. */
async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = sessionStorage.getItem("luckydraw.token");
  if (CROSS_ORIGIN && token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(API_BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: CROSS_ORIGIN ? "omit" : "same-origin",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.error?.message || `request failed (${response.status})`);
    error.code = data?.error?.code;
    throw error;
  }
  return data;
}

function loadUser() {
  try { return JSON.parse(sessionStorage.getItem("luckydraw.user")); } catch { return null; }
}

function setUser(user, token) {
  state.user = user;
  if (user) sessionStorage.setItem("luckydraw.user", JSON.stringify(user));
  else sessionStorage.removeItem("luckydraw.user");
  // Same origin, the HttpOnly cookie carries the session; only a cross-origin page keeps the token.
  if (CROSS_ORIGIN && token) sessionStorage.setItem("luckydraw.token", token);
  if (!user) sessionStorage.removeItem("luckydraw.token");
  renderAccount();
}

const yuan = (fen) => (fen / 100).toFixed(2);
const message = (text) => { $("#message").textContent = text; };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function renderAccount() {
  const loggedIn = Boolean(state.user);
  $("#whoami").hidden = !loggedIn;
  $("#logout").hidden = !loggedIn;
  $("#login-panel").hidden = loggedIn;
  $("#orders-panel").hidden = !loggedIn;
  $("#whoami").textContent = loggedIn ? `Hi, ${state.user.username}` : "";
}

function renderStock() {
  const list = $("#stock");
  list.replaceChildren(...state.activity.prizes.map((prize) => {
    const item = document.createElement("li");
    const price = prize.consolation ? "" : ` · ¥${yuan(prize.price_fen)}`;
    item.textContent = `${prize.name}${price} — ${prize.remaining} / ${prize.initial} left`;
    item.dataset.prize = prize.id;
    return item;
  }));
}

function buildWheel() {
  const size = $("#wheel").clientWidth;
  const colors = ["#ffe8cc", "#fff8ef"];
  state.wheel = new LuckyCanvas.LuckyWheel($("#wheel"), {
    width: `${size}px`,
    height: `${size}px`,
    blocks: [{ padding: "10px", background: "#d62828" }],
    prizes: state.activity.prizes.map((prize, index) => ({
      background: colors[index % 2],
      fonts: [
        { text: prize.name, top: "10%", fontSize: "13px", fontWeight: "600" },
        { text: prize.consolation ? "" : `¥${yuan(prize.price_fen)}`, top: "30%", fontSize: "11px" },
      ],
    })),
    buttons: [
      { radius: "30%", background: "#f6bd60" },
      { radius: "24%", background: "#d62828", pointer: true, fonts: [{ text: "SPIN", top: "-9px", fontColor: "#fff", fontWeight: "700" }] },
    ],
    start: () => spin(),
    end: () => landed(),
  });
}

async function loadActivity() {
  state.activity = await api("GET", `/activities/${ACTIVITY}`);
  $("#activity-name").textContent = state.activity.name;
  $("#activity-description").textContent = state.activity.description;
  renderStock();
}

/** Starts the wheel, asks the server for the draw, and stops on the prize it chose. */
async function spin() {
  if (state.spinning) return;
  if (!state.user) {
    message("Log in to spin.");
    $("#login-form [name=username]").focus();
    return;
  }
  state.spinning = true;
  $("#spin").disabled = true;
  message("");
  state.wheel.play();
  const started = Date.now();
  try {
    state.lastDraw = await api("POST", `/activities/${ACTIVITY}/draw`);
    await sleep(Math.max(0, 1500 - (Date.now() - started)));
    state.wheel.stop(state.lastDraw.wheel_index);
  } catch (error) {
    state.wheel.stop(-1);
    state.spinning = false;
    $("#spin").disabled = false;
    message(error.message);
    if (error.code === "unauthenticated") setUser(null);
  }
}

/** The wheel has stopped on the draw's prize. */
async function landed() {
  const draw = state.lastDraw;
  state.spinning = false;
  $("#spin").disabled = false;
  if (draw.won) {
    message(`You won: ${draw.prize.name}${draw.prize.price_fen ? ` — pay ¥${yuan(draw.prize.price_fen)} to claim it` : "!"}`);
    await waitForOrder(draw.draw_id);
  } else if (draw.outcome === "missed") {
    message(`${draw.prize.name} is sold out — no win this time.`);
  } else {
    message(`${draw.prize.name} — better luck next time!`);
  }
  await Promise.all([loadActivity(), loadOrders()]);
}

/** Polls the draw until its order has been created by the consumer. */
async function waitForOrder(drawId) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const status = await api("GET", `/draws/${encodeURIComponent(drawId)}`);
    if (status.order_status !== "queued") return status;
    await sleep(300);
  }
  return null;
}

async function loadOrders() {
  if (!state.user) return;
  try {
    const { orders } = await api("GET", "/orders");
    renderOrders(orders);
  } catch (error) {
    if (error.code === "unauthenticated") setUser(null);
  }
}

function renderOrders(orders) {
  const list = $("#orders");
  if (orders.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = "Nothing won yet.";
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(...orders.map((order) => {
    const item = document.createElement("li");
    item.dataset.order = order.id;
    const label = document.createElement("span");
    const deadline = order.status === "pending_payment" ? ` · pay by ${new Date(order.pay_deadline).toLocaleTimeString()}` : "";
    label.textContent = `${order.prize_name} · ¥${yuan(order.amount_fen)}${deadline}`;
    const status = document.createElement("span");
    status.className = `status ${order.status}`;
    status.textContent = order.status.replace("_", " ");
    item.append(label, status);
    if (order.status === "pending_payment") {
      const giveUp = document.createElement("button");
      giveUp.type = "button";
      giveUp.className = "secondary";
      giveUp.textContent = "Give up";
      giveUp.addEventListener("click", () => giveUpOrder(order.id, giveUp));
      item.append(giveUp);
    }
    return item;
  }));
}

async function giveUpOrder(orderId, button) {
  button.disabled = true;
  try {
    await api("POST", `/orders/${orderId}/giveup`);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const order = await api("GET", `/orders/${orderId}`);
      if (order.status !== "pending_payment") break;
      await sleep(300);
    }
    message("Prize given up; it went back to the pool.");
  } catch (error) {
    message(error.message);
    button.disabled = false;
  }
  await Promise.all([loadActivity(), loadOrders()]);
}

async function submitLogin(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const action = event.submitter?.dataset.action === "register" ? "register" : "login";
  try {
    const result = await api("POST", `/${action}`, { username: form.get("username"), password: form.get("password") });
    setUser(result.user, result.token);
    message(`Welcome, ${result.user.username}!`);
    await loadOrders();
  } catch (error) {
    message(error.message);
  }
}

async function logout() {
  await api("POST", "/logout").catch(() => {});
  setUser(null);
  message("Logged out.");
}

async function main() {
  renderAccount();
  $("#login-form").addEventListener("submit", submitLogin);
  $("#logout").addEventListener("click", logout);
  $("#spin").addEventListener("click", spin);
  try {
    await loadActivity();
    buildWheel();
  } catch (error) {
    message(`Cannot load the activity: ${error.message}`);
  }
  await loadOrders();
}

main();
