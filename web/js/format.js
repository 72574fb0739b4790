// Pure formatting: money from integer fen (never through floating point), countdowns,
// and picture addresses. No DOM here, so Node's test runner checks it directly.

/** `¥1,234.50` for 123450 fen: integer arithmetic only. */
export function money(fen, locale = "en") {
  const value = Math.trunc(Number(fen));
  const sign = value < 0 ? "-" : "";
  const absolute = Math.abs(value);
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(Math.floor(absolute / 100));
  return `${sign}¥${whole}.${String(absolute % 100).padStart(2, "0")}`;
}

/** A count with the locale's digit grouping. */
export function count(value, locale = "en") {
  return new Intl.NumberFormat(locale).format(value);
}

/** `mm:ss`, `h:mm:ss`, or `{days, clock}` parts for a duration in milliseconds (negative is zero). */
export function countdownParts(milliseconds) {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  const clock = days > 0 || hours > 0 ? `${two(hours)}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
  return { days, clock };
}

/**
 * Where a prize picture lives. Pictures are the page's own assets (`/prizes/x.svg`), so a
 * root-relative path is resolved against the page's folder: that works at a site's root
 * and under a sub-path (an S3 prefix) alike. Only http(s) addresses are accepted.
 */
export function pictureUrl(picture, pageUrl) {
  if (!picture) return null;
  const relative = picture.startsWith("/") && !picture.startsWith("//") ? `.${picture}` : picture;
  try {
    const url = new URL(relative, pageUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
