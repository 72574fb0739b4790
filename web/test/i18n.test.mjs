// Labels: both languages complete, every label the page names exists, language choice.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { LANGUAGES, MESSAGES, pickLanguage, translate } from "../js/i18n.js";

const read = (path) => readFileSync(new URL(path, import.meta.url), "utf8");

test("English and Chinese have the same keys and no empty label", () => {
  assert.deepEqual(Object.keys(MESSAGES.zh).sort(), Object.keys(MESSAGES.en).sort());
  for (const language of LANGUAGES) {
    for (const [key, text] of Object.entries(MESSAGES[language])) assert.ok(text.trim(), `${language} ${key}`);
  }
});

test("both languages use the same placeholders in each label", () => {
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
  for (const key of Object.keys(MESSAGES.en)) {
    assert.deepEqual(placeholders(MESSAGES.zh[key]), placeholders(MESSAGES.en[key]), key);
  }
});

test("every label named by the page and its scripts exists", () => {
  const sources = [read("../index.html"), read("../app.js"), read("../js/views.js")].join("\n");
  const named = [...sources.matchAll(/(?:data-i18n(?:-label)?="|\bt\(\s*"|ui\.t\(\s*")([a-z]+\.[A-Za-z_.]+)"/g)].map((m) => m[1]);
  assert.ok(named.length > 30, `found only ${named.length} label names`);
  for (const key of named) assert.ok(key in MESSAGES.en, `missing label ${key}`);
});

test("every API error code and order status has a label", () => {
  // The codes' one home is the Rust error enum: every `Error::… => "code"` needs a label.
  const errors = readFileSync(new URL("../../shared/core/src/error.rs", import.meta.url), "utf8");
  const codes = [...errors.matchAll(/Error::[^\n]*=> "([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length >= 15 && codes.includes("unpaid_limit"), codes.join());
  for (const code of codes) assert.ok(`error.${code}` in MESSAGES.en, code);
  const statuses = ["queued", "pending_payment", "paid", "fulfilled", "cancelled", "expired", "refunded"];
  for (const status of statuses) assert.ok(`status.${status}` in MESSAGES.en, status);
});

test("a remembered choice wins, then the browser's languages, then English", () => {
  assert.equal(pickLanguage("en", ["zh-CN"]), "en");
  assert.equal(pickLanguage(null, ["zh-TW", "en"]), "zh");
  assert.equal(pickLanguage(null, ["fr-FR", "en-GB"]), "en");
  assert.equal(pickLanguage("klingon", ["de"]), "en");
  assert.equal(pickLanguage(undefined, undefined), "en");
});

test("placeholders are filled and unknown ones left visible", () => {
  assert.equal(translate("en", "account.hello", { name: "ana" }), "Hi, ana");
  assert.equal(translate("zh", "account.hello", { name: "ana" }), "你好，ana");
  assert.equal(translate("en", "account.hello"), "Hi, {name}");
});
