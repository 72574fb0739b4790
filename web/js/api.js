// The HTTP API client. Same origin (the local runner, or page and API behind one
// CloudFront), the HttpOnly session cookie authenticates; cross origin (the page on its
// own host, the API on API Gateway), the token from the login body goes in
// `Authorization: Bearer` and cookies are never sent. The page holds no secrets.

const TOKEN_KEY = "luckydraw.token";

/**
 * An API failure: the API's error `code` (or `network`), its message and HTTP status, and
 * the request `field` a validation error names (`prizes[1].weight`), if any.
 */
export class ApiError extends Error {
  constructor(code, message, status = 0, retryAfterSecs = null, field = null) {
    super(message);
    this.code = code;
    this.status = status;
    this.retryAfterSecs = retryAfterSecs;
    this.field = field;
  }
}

/**
 * The API's base URL: `window.LUCKYDRAW_CONFIG.apiBase` (set by `config.js` at load
 * time), else the `<meta name="luckydraw-api-base">` tag (set at build time), else the
 * page's own origin. Deliberately not a query parameter: a link must not be able to send
 * a player's password to another server.
 */
export function apiBase(doc, config) {
  const configured = config?.apiBase || doc.querySelector('meta[name="luckydraw-api-base"]')?.content || "";
  return configured.replace(/\/+$/, "");
}

/** A client for the API at `base`, seen from a page at `pageUrl`. */
export function createApi({ base, pageUrl, storage, fetchImpl = fetch }) {
  const crossOrigin = base !== "" && new URL(base, pageUrl).origin !== new URL(pageUrl).origin;
  let clockOffsetMs = 0;

  /** Calls the API; resolves to the JSON body (null for 204) or throws an ApiError. */
  async function request(method, path, body) {
    const headers = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = crossOrigin ? storage.getItem(TOKEN_KEY) : null;
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetchImpl(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: crossOrigin ? "omit" : "same-origin",
        cache: "no-store",
      });
    } catch (cause) {
      throw new ApiError("network", String(cause?.message ?? cause));
    }
    noteServerClock(response.headers.get("date"));
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
      throw new ApiError(
        data?.error?.code ?? "unknown",
        data?.error?.message ?? `HTTP ${response.status}`,
        response.status,
        Number.isFinite(retryAfter) ? retryAfter : null,
        data?.error?.field ?? null,
      );
    }
    return data;
  }

  /**
   * Keeps the difference to the server's clock from the `Date` header (when the browser
   * shows it). The header has whole seconds, so differences under 2 s are noise.
   */
  function noteServerClock(date) {
    const server = date ? Date.parse(date) : Number.NaN;
    if (!Number.isFinite(server)) return;
    const offset = server - Date.now();
    clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
  }

  /** Logs in or registers; keeps the token only when the cookie cannot carry the session. */
  async function signIn(action, username, password) {
    const result = await request("POST", `/${action}`, { username, password });
    if (crossOrigin && result?.token) storage.setItem(TOKEN_KEY, result.token);
    return result.user;
  }

  /** Ends the session on the server (best effort) and forgets the token. */
  async function signOut() {
    await request("POST", "/logout").catch(() => null);
    storage.removeItem(TOKEN_KEY);
  }

  return {
    crossOrigin,
    request,
    signIn,
    signOut,
    forgetToken: () => storage.removeItem(TOKEN_KEY),
    /** The server's idea of now, in ms (the page's clock corrected by the last `Date` header). */
    now: () => Date.now() + clockOffsetMs,
  };
}
