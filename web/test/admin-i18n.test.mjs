// The admin page's labels: both languages complete, and every label its files name exists.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { translate } from "../js/i18n.js";
import { ADMIN_MESSAGES, ADMIN_ONLY } from "../js/admin/messages.js";

const read = (path) => readFileSync(new URL(path, import.meta.url), "utf8");

test("the admin labels exist in English and Chinese with the same placeholders", () => {
  assert.deepEqual(Object.keys(ADMIN_ONLY.zh).sort(), Object.keys(ADMIN_ONLY.en).sort());
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
  for (const key of Object.keys(ADMIN_ONLY.en)) {
    assert.ok(ADMIN_ONLY.zh[key].trim(), key);
    assert.deepEqual(placeholders(ADMIN_ONLY.zh[key]), placeholders(ADMIN_ONLY.en[key]), key);
  }
});

test("every label named by the admin page and its scripts exists", () => {
  const sources = [read("../admin.html"), read("../admin.js"), read("../js/admin/views.js"), read("../js/admin/editor.js"), read("../js/admin/model.js")].join("\n");
  const named = [...sources.matchAll(/(?:data-i18n(?:-label)?="|\bt\(\s*"|ui\.t\(\s*"|key: ")([a-z]+\.[A-Za-z_.]+)"/g)].map((m) => m[1]);
  assert.ok(named.length > 80, `found only ${named.length} label names`);
  for (const key of named) assert.ok(key in ADMIN_MESSAGES.en, `missing label ${key}`);
  // Labels built from a value: statuses, draw modes, schedule phases.
  for (const status of ["draft", "online", "offline"]) assert.ok(`admin.status.${status}` in ADMIN_MESSAGES.en);
  for (const mode of ["remaining_stock", "weight_redistribute", "weight_keep"]) assert.ok(`admin.mode.${mode}` in ADMIN_MESSAGES.zh);
  for (const phase of ["draft", "offline", "ended"]) assert.ok(`admin.schedule.${phase}` in ADMIN_MESSAGES.en);
});

test("the admin page keeps the player page's shared labels, in its own language", () => {
  assert.equal(translate("zh", "status.pending_payment", {}, ADMIN_MESSAGES), "待支付");
  assert.equal(translate("en", "admin.hello", { name: "admin" }, ADMIN_MESSAGES), "Admin: admin");
  assert.equal(translate("en", "admin.login.adminsOnly", { name: "ana" }, ADMIN_MESSAGES).startsWith("This page is for admins only"), true);
});
