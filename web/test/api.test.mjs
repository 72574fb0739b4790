// The API client: cookie on the same origin, bearer token across origins, errors as ApiError.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, apiBase, createApi } from "../js/api.js";

/** A fetch double that records calls and answers with `respond(url, init)`. */
function fakeFetch(respond) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    const { status = 200, body = {}, headers = {} } = respond(url, init) ?? {};
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
  };
  return { calls, fetchImpl };
}

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k), items };
}

const LOGIN = { status: 200, body: { token: "t0k3n", user: { id: "u", username: "ana", kind: "normal" } } };

test("same origin: the cookie carries the session and the token is not kept", async () => {
  const storage = memoryStorage();
  const { calls, fetchImpl } = fakeFetch(() => LOGIN);
  const api = createApi({ base: "", pageUrl: "http://127.0.0.1:3000/", storage, fetchImpl });
  assert.equal(api.crossOrigin, false);
  await api.signIn("login", "ana", "secret-password");
  await api.request("GET", "/orders");
  assert.equal(storage.items.size, 0);
  assert.equal(calls[1].url, "/orders");
  assert.equal(calls[1].init.credentials, "same-origin");
  assert.equal(calls[1].init.headers.authorization, undefined);
});

test("cross origin: bearer token from the login body, cookies never sent", async () => {
  const storage = memoryStorage();
  const { calls, fetchImpl } = fakeFetch(() => LOGIN);
  const api = createApi({ base: "https://api.example", pageUrl: "https://page.example/", storage, fetchImpl });
  assert.equal(api.crossOrigin, true);
  await api.signIn("login", "ana", "secret-password");
  await api.request("POST", "/activities/demo/draw");
  assert.equal(calls[1].url, "https://api.example/activities/demo/draw");
  assert.equal(calls[1].init.credentials, "omit");
  assert.equal(calls[1].init.headers.authorization, "Bearer t0k3n");
  await api.signOut();
  assert.equal(storage.getItem("luckydraw.token"), null);
});

test("an API error becomes an ApiError with its code, status and Retry-After", async () => {
  const { fetchImpl } = fakeFetch(() => ({
    status: 429,
    body: { error: { code: "rate_limited", message: "too many attempts" } },
    headers: { "retry-after": "42" },
  }));
  const api = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl });
  await assert.rejects(api.request("POST", "/login", {}), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, "rate_limited");
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSecs, 42);
    return true;
  });
});

test("a validation error keeps the field it names", async () => {
  const { fetchImpl } = fakeFetch(() => ({
    status: 400,
    body: { error: { code: "invalid_request", message: "weight must be positive", field: "prizes[1].weight" } },
  }));
  const api = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl });
  await assert.rejects(api.request("POST", "/admin/activities", {}), { code: "invalid_request", status: 400, field: "prizes[1].weight" });
  const { fetchImpl: plain } = fakeFetch(() => ({ status: 409, body: { error: { code: "invalid_state", message: "online" } } }));
  const other = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl: plain });
  await assert.rejects(other.request("DELETE", "/admin/activities/x"), { code: "invalid_state", field: null });
});

test("a failed connection is the `network` error; a non-JSON failure keeps its status", async () => {
  const down = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl: async () => { throw new TypeError("Failed to fetch"); } });
  await assert.rejects(down.request("GET", "/orders"), { code: "network" });
  const html = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl: async () => new Response("<h1>502</h1>", { status: 502 }) });
  await assert.rejects(html.request("GET", "/orders"), { code: "unknown", status: 502 });
});

test("the server clock is followed only when it differs by more than the Date header's rounding", async () => {
  const ahead = new Date(Date.now() + 60_000).toUTCString();
  const { fetchImpl } = fakeFetch(() => ({ status: 200, body: {}, headers: { date: ahead } }));
  const api = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl });
  await api.request("GET", "/activities/demo");
  assert.ok(Math.abs(api.now() - Date.now() - 60_000) < 1500);
  const near = fakeFetch(() => ({ status: 200, body: {}, headers: { date: new Date().toUTCString() } }));
  const steady = createApi({ base: "", pageUrl: "http://x/", storage: memoryStorage(), fetchImpl: near.fetchImpl });
  await steady.request("GET", "/activities/demo");
  assert.ok(Math.abs(steady.now() - Date.now()) < 50);
});

test("the base URL comes from config.js, else the meta tag, without a trailing slash", () => {
  const doc = (content) => ({ querySelector: () => (content === null ? null : { content }) });
  assert.equal(apiBase(doc("https://gw.example/"), { apiBase: "" }), "https://gw.example");
  assert.equal(apiBase(doc("https://gw.example"), { apiBase: "https://other.example//" }), "https://other.example");
  assert.equal(apiBase(doc(null), undefined), "");
});
