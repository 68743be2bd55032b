// The assistant model picker: like the image models, each shows whether it can run and
// what it costs (per million tokens); the choice is remembered in this browser.

import { h } from "../ui.js";

const KEY = "easel.assistModel";

function perMillion(value) {
  const usd = Number(value);
  return usd < 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(usd % 1 ? 2 : 0)}`;
}

export function assistPrice(model) {
  const p = model.price;
  if (model.kind === "offline" || (Number(p.input_per_million_usd) === 0 && Number(p.output_per_million_usd) === 0)) return "Free";
  return `${perMillion(p.input_per_million_usd)} / ${perMillion(p.output_per_million_usd)} per M tokens`;
}

function remembered() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function remember(id) {
  try {
    localStorage.setItem(KEY, id);
  } catch {
    /* not kept across loads */
  }
}

/** A <select> of assistant models with the chosen one's price and the others' set-up. */
export function assistModelPicker(models) {
  const available = models.filter((m) => m.available);
  const unavailable = models.filter((m) => !m.available);
  const select = h(
    "select",
    { id: "assist-model", class: "input", "aria-describedby": "assist-model-about" },
    available.map((m) => h("option", { value: m.id }, `${m.name} · ${assistPrice(m)}`)),
    unavailable.length
      ? h(
          "optgroup",
          { label: "Needs setup" },
          unavailable.map((m) => h("option", { value: m.id, disabled: true, title: m.unavailable_reason }, `${m.name} · ${assistPrice(m)}`)),
        )
      : null,
  );
  const about = h("span", { class: "hint", id: "assist-model-about" });
  const setup = unavailable.length
    ? h(
        "details",
        { class: "unavailable-models" },
        h("summary", {}, `${unavailable.length} more ${unavailable.length === 1 ? "assistant needs" : "assistants need"} setup`),
        unavailable.map((m) => h("p", { class: "reason", dataset: { model: m.id } }, h("b", {}, m.name), ": ", m.unavailable_reason)),
      )
    : null;
  const saved = remembered();
  if (available.some((m) => m.id === saved)) select.value = saved;
  function describe() {
    const model = models.find((m) => m.id === select.value);
    about.textContent = model ? `${assistPrice(model)}. ${model.description}` : "No assistant can run: see below.";
  }
  select.addEventListener("change", () => {
    remember(select.value);
    describe();
  });
  describe();
  const node = h("div", { class: "field assist-model" }, h("label", { for: "assist-model" }, "Assistant"), select, about, setup);
  return { node, value: () => select.value || null };
}
