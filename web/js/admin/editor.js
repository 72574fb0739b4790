// The activity form: filled from the form values of `model.formValues`, read back into
// the same shape, with a row per prize (added and removed in place). Every control sits in
// an element whose `data-field` is the API's name for it, so errors land beside it.

import { h } from "../views.js";
import { DRAW_MODES, ENTRY_MODES, PRIZE_PICTURES, prizeValues } from "./model.js";

const ACTIVITY_INPUTS = [
  "id",
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
  "tags_any",
  "tags_none",
  "registered_after",
  "registered_before",
];

/** The value of the picture select that means "a URL typed below". */
const OTHER_PICTURE = "other";

/**
 * Fills `form` with `values`. `options.locked` (online) disables what cannot change then;
 * `options.creating` offers the id field.
 */
export function fillForm(form, values, ui, { locked = false, creating = true } = {}) {
  const modes = form.elements.draw_mode;
  modes.replaceChildren(...DRAW_MODES.map((mode) => h("option", { value: mode, text: ui.t(`admin.mode.${mode}`) })));
  const entries = form.elements.entry;
  entries.replaceChildren(...ENTRY_MODES.map((entry) => h("option", { value: entry, text: ui.t(`admin.entry.${entry}`) })));
  for (const name of ACTIVITY_INPUTS) form.elements[name].value = values[name];
  form.elements["kind-normal"].checked = values.kinds.normal;
  form.elements["kind-vip"].checked = values.kinds.vip;
  form.elements.id.closest(".field").hidden = !creating;
  form.elements.draw_mode.disabled = locked;
  form.elements.entry.disabled = locked;
  form.dataset.locked = String(locked);
  form.querySelector("#editor-online-hint").hidden = !locked;
  form.querySelector("#add-prize").hidden = locked;
  const rows = form.querySelector("#prize-rows");
  rows.replaceChildren(...values.prizes.map((prize) => prizeRow(prize, ui, locked)));
  numberRows(rows, ui);
}

/** Reads `form` back into form values (the shape `fillForm` takes). */
export function readForm(form) {
  const values = Object.fromEntries(ACTIVITY_INPUTS.map((name) => [name, form.elements[name].value]));
  values.kinds = { normal: form.elements["kind-normal"].checked, vip: form.elements["kind-vip"].checked };
  values.prizes = [...form.querySelectorAll("#prize-rows > li")].map(readRow);
  return values;
}

/** Appends a blank prize row and focuses its name. */
export function addPrizeRow(form, ui) {
  const rows = form.querySelector("#prize-rows");
  const row = prizeRow(prizeValues(null), ui, false);
  rows.append(row);
  numberRows(rows, ui);
  row.querySelector("[name=prize-name]").focus();
}

/** Relabels the editor's dynamic parts (after a language switch), keeping what was typed. */
export function relabel(form, ui) {
  fillForm(form, readForm(form), ui, { locked: form.dataset.locked === "true", creating: !form.elements.id.closest(".field").hidden });
}

function readRow(row) {
  const value = (name) => row.querySelector(`[name=${name}]`).value;
  const choice = value("prize-picture-choice");
  return {
    id: row.dataset.prizeId ?? "",
    name: value("prize-name"),
    description: value("prize-description"),
    picture: choice === OTHER_PICTURE ? value("prize-picture-url") : choice,
    price: value("prize-price"),
    initial: value("prize-initial"),
    weight: value("prize-weight"),
    consolation: row.querySelector("[name=prize-consolation]").checked,
  };
}

/** Gives each row its position: the legend, the `data-field` paths (`prizes[i].name`), unique ids. */
function numberRows(rows, ui) {
  [...rows.children].forEach((row, index) => {
    row.querySelector(".row-title").textContent = ui.t("admin.prizes.row", { number: index + 1 });
    row.dataset.index = String(index);
    row.dataset.field = `prizes[${index}]`;
    for (const holder of row.querySelectorAll("[data-prize-field]")) {
      holder.dataset.field = `prizes[${index}].${holder.dataset.prizeField}`;
      const control = holder.querySelector("input, select");
      const label = holder.querySelector("label");
      control.id = `prize-${index}-${holder.dataset.prizeField}`;
      label?.setAttribute("for", control.id);
    }
    row.querySelector(".remove-prize")?.setAttribute("aria-label", ui.t("admin.prizes.removeLabel", { number: index + 1 }));
  });
}

function prizeRow(prize, ui, locked) {
  const field = (key, labelKey, control, className = "field") =>
    h("div", { class: className, data: { prizeField: key } }, h("label", { text: ui.t(labelKey) }), control);
  const known = PRIZE_PICTURES.includes(prize.picture);
  const url = h("input", { name: "prize-picture-url", type: "url", value: known ? "" : prize.picture, placeholder: "https://…", "aria-label": ui.t("admin.prizes.pictureUrl") });
  const preview = h("img", { class: "preview", alt: "", width: 40, height: 40 });
  const choice = h(
    "select",
    { name: "prize-picture-choice" },
    ...PRIZE_PICTURES.map((path) => h("option", { value: path, text: path.replace(/^\/prizes\/|\.svg$/g, ""), selected: path === prize.picture })),
    h("option", { value: OTHER_PICTURE, text: ui.t("admin.prizes.pictureOther"), selected: !known }),
  );
  const showPicture = () => {
    const path = choice.value === OTHER_PICTURE ? url.value : choice.value;
    url.hidden = choice.value !== OTHER_PICTURE;
    const shown = /^(\/|https?:\/\/)/.test(path) ? (path.startsWith("/") ? `.${path}` : path) : "";
    preview.hidden = !shown;
    if (shown) preview.src = shown;
  };
  choice.addEventListener("change", showPicture);
  url.addEventListener("change", showPicture);
  const lockable = (control) => {
    control.disabled = locked;
    return control;
  };
  const row = h(
    "li",
    { class: "prize-row", data: prize.id ? { prizeId: prize.id } : {} },
    h("div", { class: "row-head" }, h("strong", { class: "row-title" }), prize.id ? h("code", { class: "id", text: prize.id }) : null),
    h(
      "div",
      { class: "field-grid" },
      field("name", "admin.prizes.name", h("input", { name: "prize-name", value: prize.name, maxlength: "100" })),
      field("description", "admin.prizes.description", h("input", { name: "prize-description", value: prize.description, maxlength: "500" })),
      h("div", { class: "field picture-field", data: { prizeField: "picture" } }, h("label", { text: ui.t("admin.prizes.picture") }), h("span", { class: "picture-pick" }, choice, preview), url),
      field("price_fen", "admin.prizes.price", lockable(h("input", { name: "prize-price", value: prize.price, inputmode: "decimal" }))),
      field("initial", "admin.prizes.initial", lockable(h("input", { name: "prize-initial", type: "number", inputmode: "numeric", value: prize.initial }))),
      field("weight", "admin.prizes.weight", lockable(h("input", { name: "prize-weight", type: "number", inputmode: "numeric", value: prize.weight }))),
      h(
        "div",
        { class: "field check-field", data: { prizeField: "consolation" } },
        h("label", { class: "check" }, lockable(h("input", { name: "prize-consolation", type: "checkbox", checked: prize.consolation })), " ", h("span", { text: ui.t("admin.prizes.consolation") })),
      ),
    ),
    locked
      ? null
      : h("button", {
          type: "button",
          class: "secondary small remove-prize",
          text: ui.t("admin.prizes.remove"),
          onclick: (event) => {
            const rows = row.parentElement;
            row.remove();
            numberRows(rows, ui);
            event.stopPropagation();
            rows.closest("form").querySelector("#add-prize").focus();
          },
        }),
  );
  showPicture();
  return row;
}
