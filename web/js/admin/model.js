// Pure rules of the admin page: an activity's schedule phase, money and times between the
// form and the API, the activity form to an ActivityInput (and back), the prize changes an
// edit makes, where an API error's `field` points, and result summaries. No DOM here.

/** The prize pictures the page ships (`web/prizes/`), offered in the prize editor. */
export const PRIZE_PICTURES = ["basketball", "cup", "drone", "laptop", "phone", "pot", "tablet", "tea", "thanks", "wine"].map(
  (name) => `/prizes/${name}.svg`,
);

/** The draw modes the API knows; the weight modes need a weight per prize. */
export const DRAW_MODES = ["remaining_stock", "weight_redistribute", "weight_keep"];

/** How a press is answered: a draw at once, or a place in a line the draw worker serves in order. */
export const ENTRY_MODES = ["instant", "queued"];

/** Order statuses the orders filter offers. */
export const ORDER_STATUSES = ["pending_payment", "fulfilled", "paid", "cancelled", "expired", "refunded"];

/** Activity fields a PATCH may carry (prizes change through their own routes). */
export const ACTIVITY_FIELDS = [
  "name",
  "description",
  "starts_at",
  "ends_at",
  "draw_mode",
  "entry",
  "per_user_limit",
  "vip_per_user_limit",
  "pay_window_secs",
  "max_unpaid_per_user",
  "eligibility",
];

/** Prize fields that may still change while the activity is online. */
export const ONLINE_PRIZE_FIELDS = ["name", "description", "picture"];

/**
 * Where an activity stands in its schedule at `now` (ms): `{ phase, at }` with phase
 * `draft`, `offline`, `upcoming` (at = start), `running` (at = end) or `ended`.
 */
export function schedule(activity, now) {
  if (activity.status === "draft" || activity.status === "offline") return { phase: activity.status, at: null };
  const starts = Date.parse(activity.starts_at);
  const ends = Date.parse(activity.ends_at);
  if (now < starts) return { phase: "upcoming", at: starts };
  if (now < ends) return { phase: "running", at: ends };
  return { phase: "ended", at: null };
}

/** Fen from a yuan amount typed by a person (`19.9`, `19.90`, `¥1,990`); null if it is not one. */
export function parseYuan(text) {
  const cleaned = String(text ?? "").trim().replace(/^¥/, "").replaceAll(",", "");
  const match = cleaned.match(/^(\d{1,12})(?:\.(\d{0,2}))?$/);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** `19.90` for 1990 fen (the editor's price field; no currency sign, no grouping). */
export function yuanText(fen) {
  const value = Math.trunc(Number(fen) || 0);
  return `${Math.floor(value / 100)}.${String(value % 100).padStart(2, "0")}`;
}

/** A whole number typed in a field; null when empty or not a whole number. */
export function parseWhole(text) {
  const cleaned = String(text ?? "").trim();
  return /^-?\d{1,15}$/.test(cleaned) ? Number(cleaned) : null;
}

/** The `datetime-local` value (local time, minutes) showing an RFC 3339 instant; "" if none. */
export function toLocalInput(iso) {
  const date = new Date(iso ?? "");
  if (Number.isNaN(date.getTime())) return "";
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** The RFC 3339 instant (UTC, whole seconds) of a `datetime-local` value; null if it is not one. */
export function fromLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(String(value ?? ""))) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Tags typed as a comma- or space-separated list: trimmed, lower case, no duplicates. */
export function parseTags(text) {
  return [...new Set(String(text ?? "").split(/[\s,，]+/).map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}

/** The API's rule for a tag: 1–32 characters of a-z 0-9 _ -. */
export function validTag(tag) {
  return /^[a-z0-9_-]{1,32}$/.test(tag);
}

/**
 * The form's values (strings and booleans, as read from the inputs) for `activity`, or the
 * defaults of a new one starting at `now` (ms) and running a week.
 */
export function formValues(activity, now = Date.now()) {
  if (!activity) {
    const start = new Date(Math.floor(now / 60_000) * 60_000).toISOString();
    const end = new Date(Math.floor(now / 60_000) * 60_000 + 7 * 86_400_000).toISOString();
    return {
      id: "",
      name: "",
      description: "",
      starts_at: toLocalInput(start),
      ends_at: toLocalInput(end),
      draw_mode: "remaining_stock",
      entry: "instant",
      per_user_limit: "3",
      vip_per_user_limit: "",
      pay_window_secs: "900",
      max_unpaid_per_user: "3",
      kinds: { normal: true, vip: true },
      tags_any: "",
      tags_none: "",
      registered_after: "",
      registered_before: "",
      prizes: [prizeValues(null)],
    };
  }
  const eligibility = activity.eligibility ?? {};
  const kinds = eligibility.kinds ?? ["normal", "vip"];
  return {
    id: activity.id,
    name: activity.name,
    description: activity.description ?? "",
    starts_at: toLocalInput(activity.starts_at),
    ends_at: toLocalInput(activity.ends_at),
    draw_mode: activity.draw_mode,
    entry: activity.entry ?? "instant",
    per_user_limit: String(activity.per_user_limit ?? ""),
    vip_per_user_limit: activity.vip_per_user_limit == null ? "" : String(activity.vip_per_user_limit),
    pay_window_secs: String(activity.pay_window_secs ?? ""),
    max_unpaid_per_user: activity.max_unpaid_per_user == null ? "" : String(activity.max_unpaid_per_user),
    kinds: { normal: kinds.includes("normal"), vip: kinds.includes("vip") },
    tags_any: (eligibility.tags_any ?? []).join(", "),
    tags_none: (eligibility.tags_none ?? []).join(", "),
    registered_after: toLocalInput(eligibility.registered_after),
    registered_before: toLocalInput(eligibility.registered_before),
    prizes: [...(activity.prizes ?? [])].sort((a, b) => a.wheel_index - b.wheel_index).map(prizeValues),
  };
}

/** One prize row's values; a blank row for `null`. */
export function prizeValues(prize) {
  return {
    id: prize?.id ?? "",
    name: prize?.name ?? "",
    description: prize?.description ?? "",
    picture: prize?.picture ?? PRIZE_PICTURES[0],
    price: prize ? yuanText(prize.price_fen) : "0.00",
    initial: prize ? String(prize.initial) : "10",
    weight: prize?.weight == null ? "" : String(prize.weight),
    consolation: Boolean(prize?.consolation),
  };
}

/**
 * The form's values as an ActivityInput. Resolves to `{ input }`, or `{ errors }`: a list
 * of `{ field, key, values }` (the API's field path and a message key) for what cannot be
 * read (a price that is no amount, a missing time); the API checks the rest.
 */
export function activityInput(values) {
  const errors = [];
  const whole = (field, text, optional = false) => {
    if (optional && String(text ?? "").trim() === "") return undefined;
    const number = parseWhole(text);
    if (number === null) errors.push({ field, key: "admin.invalid.whole" });
    return number ?? undefined;
  };
  const instant = (field, text, optional = false) => {
    if (optional && !text) return undefined;
    const iso = fromLocalInput(text);
    if (iso === null) errors.push({ field, key: "admin.invalid.time" });
    return iso ?? undefined;
  };
  const input = {
    name: values.name.trim(),
    description: values.description.trim(),
    starts_at: instant("starts_at", values.starts_at),
    ends_at: instant("ends_at", values.ends_at),
    draw_mode: values.draw_mode,
    entry: values.entry,
    per_user_limit: whole("per_user_limit", values.per_user_limit),
    vip_per_user_limit: whole("vip_per_user_limit", values.vip_per_user_limit, true),
    pay_window_secs: whole("pay_window_secs", values.pay_window_secs),
    max_unpaid_per_user: whole("max_unpaid_per_user", values.max_unpaid_per_user, true),
    eligibility: eligibilityInput(values, errors, instant),
    prizes: values.prizes.map((prize, index) => prizeInput(prize, `prizes[${index}]`, errors)),
  };
  if (values.id?.trim()) input.id = values.id.trim();
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return errors.length > 0 ? { errors } : { input };
}

function eligibilityInput(values, errors, instant) {
  const eligibility = {};
  const kinds = ["normal", "vip"].filter((kind) => values.kinds[kind]);
  if (kinds.length === 0) errors.push({ field: "eligibility.kinds", key: "admin.invalid.kinds" });
  if (kinds.length === 1) eligibility.kinds = kinds;
  for (const name of ["tags_any", "tags_none"]) {
    const tags = parseTags(values[name]);
    const bad = tags.find((tag) => !validTag(tag));
    if (bad) errors.push({ field: `eligibility.${name}`, key: "admin.invalid.tag", values: { tag: bad } });
    if (tags.length > 0) eligibility[name] = tags;
  }
  for (const name of ["registered_after", "registered_before"]) {
    const iso = instant(`eligibility.${name}`, values[name], true);
    if (iso) eligibility[name] = iso;
  }
  return eligibility;
}

/** One prize row as a PrizeInput (`path` is its API field prefix, e.g. `prizes[1]`). */
export function prizeInput(values, path, errors = []) {
  const price = parseYuan(values.price);
  if (price === null) errors.push({ field: `${path}.price_fen`, key: "admin.invalid.price" });
  const initial = parseWhole(values.initial);
  if (initial === null) errors.push({ field: `${path}.initial`, key: "admin.invalid.whole" });
  const weightText = String(values.weight ?? "").trim();
  const weight = weightText === "" ? undefined : parseWhole(weightText);
  if (weight === null) errors.push({ field: `${path}.weight`, key: "admin.invalid.whole" });
  const input = {
    name: values.name.trim(),
    description: values.description.trim(),
    picture: values.picture.trim() || undefined,
    price_fen: price ?? undefined,
    initial: initial ?? undefined,
    weight: weight ?? undefined,
    consolation: Boolean(values.consolation),
  };
  if (values.id) input.id = values.id;
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input;
}

/**
 * The requests that turn `saved` (the ActivityBody being edited) into `input` (from the
 * form): `[{ method, path, body, prizeIndex? }]`, in order: the activity's own fields, then
 * changed prizes, new ones, removed ones. While online only what may change is sent.
 */
export function editRequests(saved, input) {
  const base = `/admin/activities/${encodeURIComponent(saved.id)}`;
  const online = saved.status === "online";
  const requests = [];
  const changed = {};
  for (const field of ACTIVITY_FIELDS) {
    if (field in input && !sameValue(input[field], saved[field] ?? defaultOf(field))) changed[field] = input[field];
  }
  // An emptied VIP limit is removed (`null`); the VIP limit is the only field that can be.
  if (!("vip_per_user_limit" in input) && saved.vip_per_user_limit != null) changed.vip_per_user_limit = null;
  if (online) {
    delete changed.draw_mode;
    delete changed.entry;
  }
  if (Object.keys(changed).length > 0) requests.push({ method: "PATCH", path: base, body: changed });
  const kept = new Set();
  input.prizes.forEach((prize, prizeIndex) => {
    const before = prize.id && saved.prizes.find((old) => old.id === prize.id);
    if (!before) {
      if (!online) requests.push({ method: "POST", path: `${base}/prizes`, body: withoutId(prize), prizeIndex });
      return;
    }
    kept.add(before.id);
    const fields = Object.keys(prize).filter((field) => field !== "id" && (!online || ONLINE_PRIZE_FIELDS.includes(field)));
    const body = Object.fromEntries(fields.filter((field) => !sameValue(prize[field], before[field])).map((field) => [field, prize[field]]));
    if (Object.keys(body).length > 0) requests.push({ method: "PATCH", path: `${base}/prizes/${encodeURIComponent(before.id)}`, body, prizeIndex });
  });
  if (!online) {
    for (const prize of saved.prizes) {
      if (!kept.has(prize.id)) requests.push({ method: "DELETE", path: `${base}/prizes/${encodeURIComponent(prize.id)}` });
    }
  }
  return requests;
}

function withoutId(prize) {
  const { id, ...rest } = prize;
  return rest;
}

function defaultOf(field) {
  if (field === "eligibility") return {};
  if (field === "description") return "";
  if (field === "entry") return "instant";
  return undefined;
}

/** Deep equality of JSON values (key order ignored). */
export function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameValue(a[key], b[key]));
}

/**
 * The form field an API error's `field` names, as the form's `data-field` value: prize
 * fields of a request about one prize (`weight`) are that row's (`prizes[2].weight`);
 * `price_fen` is typed as a price. Null when the error names no field.
 */
export function formField(field, prizeIndex) {
  if (!field) return null;
  const inPrize = prizeIndex !== undefined && !field.startsWith("prizes[") ? `prizes[${prizeIndex}].${field.replace(/^prize\./, "")}` : field;
  return inPrize;
}

/** An API error's message as shown beside its field: without the field's name in front. */
export function fieldMessage(message, field) {
  const text = String(message ?? "");
  return field && text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
}

/** A one-line summary of a stock answer (`preload`, `restore`): units left, held, draws. */
export function stockSummary(result, ui) {
  const left = Object.entries(result.remaining ?? {}).map(([prize, units]) => `${prize} ${ui.count(units)}`);
  const held = Object.entries(result.held ?? {}).map(([prize, units]) => `${prize} ${ui.count(units)}`);
  return ui.t("admin.stock.summary", {
    remaining: left.join(", ") || "—",
    held: held.join(", ") || "—",
    draws: ui.count(result.draws ?? 0),
  });
}

/** The query string of an orders search (empty filters left out). */
export function ordersQuery({ activity, status, cursor, limit }) {
  const query = new URLSearchParams();
  if (activity) query.set("activity", activity);
  if (status) query.set("status", status);
  if (cursor) query.set("cursor", cursor);
  if (limit) query.set("limit", String(limit));
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** A long id shortened for a table cell (the whole id goes in its title). */
export function shortId(id) {
  const text = String(id ?? "");
  return text.length > 12 ? `${text.slice(0, 8)}…` : text;
}
