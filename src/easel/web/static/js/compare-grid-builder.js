// The form that builds a compare grid: a prompt, a model, an axis across and one down
// with their values (offered from the chosen models' capabilities), and images per
// cell. It sends one job with a `grid`; the server checks every value and the cell count.

import * as api from "./api.js";
import { axisName } from "./compare-grid.js";
import { fill, h, icon, plural, problemText } from "./ui.js";

const AXES = ["model", "style", "seed", "quality", "size", "prompt"];
const FREE_SIZES = ["256x256", "512x512", "768x512", "512x768", "1024x1024"];

function union(lists) {
  return [...new Set(lists.flat())];
}

/** The values a model-dependent axis can take, from the models it will run on. */
function choicesFor(axis, models) {
  const caps = models.map((m) => m.capabilities);
  if (axis === "style") return union(caps.map((c) => c.styles));
  if (axis === "quality") return union(caps.map((c) => c.qualities));
  if (axis === "size") return union(caps.map((c) => [...c.sizes, ...(c.sizes.length || c.ratio_only ? [] : FREE_SIZES), ...c.aspect_ratios]));
  return [];
}

/** One axis: which it is and its values; `pos` is "x" (columns) or "y" (rows). */
class AxisInput {
  constructor(pos, title, { optional, initial }, onChange) {
    this.pos = pos;
    this.onChange = onChange;
    this.kind = h(
      "select",
      { id: `grid-${pos}-axis`, class: "input", onchange: () => onChange(true) },
      optional ? h("option", { value: "" }, "None (one row)") : null,
      AXES.map((a) => h("option", { value: a }, axisName(a))),
    );
    this.kind.value = initial;
    this.values = h("div", { class: "grid-axis-values", id: `grid-${pos}-values` });
    this.node = h(
      "fieldset",
      { class: "grid-axis" },
      h("legend", {}, title),
      h("div", { class: "field" }, h("label", { for: `grid-${pos}-axis` }, "Varies"), this.kind),
      this.values,
    );
  }

  get axis() {
    return this.kind.value;
  }

  render(available, chosen) {
    const axis = this.axis;
    // Only the capability lists depend on the models; typed seeds and prompts stay.
    if (axis === this.rendered && ["model", "seed", "prompt"].includes(axis)) return;
    this.rendered = axis;
    const previous = new Set(this.checked());
    const name = `grid-${this.pos}-value`;
    if (!axis) {
      fill(this.values);
    } else if (axis === "seed") {
      const input = h("input", { id: `grid-${this.pos}-seeds`, class: "input", inputmode: "numeric", placeholder: "e.g. 1, 2, 3", oninput: () => this.onChange(false) });
      fill(this.values, h("div", { class: "field" }, h("label", { for: input.id }, "Seeds, separated by commas"), input));
    } else if (axis === "prompt") {
      const input = h("textarea", { id: `grid-${this.pos}-prompts`, class: "input", rows: 3, placeholder: "One prompt per line", oninput: () => this.onChange(false) });
      fill(this.values, h("div", { class: "field" }, h("label", { for: input.id }, "Prompts, one per line"), input));
    } else {
      const options = axis === "model" ? available.map((m) => [m.id, m.name]) : choicesFor(axis, chosen).map((v) => [v, v]);
      fill(
        this.values,
        options.length
          ? h(
              "div",
              { class: "check-list", role: "group", "aria-label": `${axisName(axis)} values` },
              options.map(([value, label]) =>
                h("label", {}, h("input", { type: "checkbox", name, value, checked: previous.has(value), onchange: () => this.onChange(axis === "model") }), label),
              ),
            )
          : h("p", { class: "muted small" }, `The chosen model takes no ${axisName(axis).toLowerCase()}.`),
      );
    }
  }

  checked() {
    return [...this.values.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
  }

  /** The values as the API takes them (seeds as numbers; blank lines dropped). */
  read() {
    const axis = this.axis;
    if (axis === "seed") {
      const text = this.values.querySelector("input").value;
      return text.split(/[\s,]+/).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    }
    if (axis === "prompt") return this.values.querySelector("textarea").value.split("\n").map((s) => s.trim()).filter(Boolean);
    return this.checked();
  }
}

/** The builder card; `onCreated(jobId)` runs once the grid job is queued. */
export function gridBuilder(models, onCreated) {
  // A grid generates from prompts: models that only work on an image are left out.
  const available = models.filter((m) => m.available && m.capabilities.operations.includes("generate"));
  const prompt = h("textarea", { id: "grid-prompt", class: "input", rows: 2, placeholder: "What to draw in every cell" });
  const promptField = h("div", { class: "field" }, h("label", { for: "grid-prompt" }, "Prompt"), prompt);
  const model = h("select", { id: "grid-model", class: "input", onchange: () => refresh(true) }, available.map((m) => h("option", { value: m.id }, m.name)));
  const modelField = h("div", { class: "field" }, h("label", { for: "grid-model" }, "Model"), model);
  const size = h("select", { id: "grid-size", class: "input" });
  const sizeField = h("div", { class: "field" }, h("label", { for: "grid-size" }, "Size"), size);
  const n = h("input", { id: "grid-n", class: "input", type: "number", min: 1, max: 8, value: 1, oninput: () => refresh(false) });
  const x = new AxisInput("x", "Columns", { optional: false, initial: "seed" }, (rebuild) => refresh(rebuild));
  const y = new AxisInput("y", "Rows", { optional: true, initial: "style" }, (rebuild) => refresh(rebuild));
  const count = h("span", { id: "grid-count", class: "muted small", "aria-live": "polite" });
  const problem = h("div", { class: "alert", role: "alert", hidden: true });
  const run = h("button", { type: "submit", class: "button primary", id: "grid-run" }, icon("wand"), "Run grid");

  const axes = () => [x, y].filter((a) => a.axis);
  const has = (axis) => axes().some((a) => a.axis === axis);

  function chosenModels() {
    const ids = has("model") ? axes().find((a) => a.axis === "model").checked() : [model.value];
    const chosen = available.filter((m) => ids.includes(m.id));
    return chosen.length ? chosen : available.filter((m) => m.id === model.value);
  }

  function refresh(rebuild) {
    if (rebuild) {
      const chosen = chosenModels();
      for (const axis of [x, y]) axis.render(available, chosen);
      const current = size.value;
      fill(size, h("option", { value: "" }, "Model default"), choicesFor("size", chosen).map((s) => h("option", { value: s }, s)));
      size.value = current;
      if (size.selectedIndex < 0) size.value = "";
    }
    promptField.hidden = has("prompt");
    modelField.hidden = has("model");
    sizeField.hidden = has("size");
    const cells = axes().reduce((total, a) => total * a.read().length, 1);
    const images = cells * (Number(n.value) || 1);
    count.textContent = `${plural(cells, "cell")} · ${plural(images, "image")}`;
  }

  function body() {
    const spec = { n: Number(n.value) || 1, grid: {} };
    for (const axis of axes()) spec.grid[axis.pos] = { axis: axis.axis, values: axis.read() };
    if (!has("prompt")) spec.prompt = prompt.value;
    if (!has("model")) spec.models = [model.value];
    if (!has("size") && size.value) spec[size.value.includes(":") ? "aspect_ratio" : "size"] = size.value;
    return spec;
  }

  async function submit(event) {
    event.preventDefault();
    problem.hidden = true;
    const empty = axes().find((a) => !a.read().length);
    if (empty) {
      problem.textContent = `Choose at least one value for the ${empty.pos === "x" ? "columns" : "rows"}.`;
      problem.hidden = false;
      return;
    }
    run.disabled = true;
    try {
      const created = await api.jobs.create(body());
      onCreated(created.id);
    } catch (error) {
      problem.textContent = problemText(error);
      problem.hidden = false;
    } finally {
      run.disabled = false;
    }
  }

  refresh(true);
  return h(
    "form",
    { class: "card grid-builder", id: "grid-builder", "aria-label": "Build a grid", onsubmit: submit },
    h("h2", {}, "Compare along any axis"),
    h("p", { class: "muted small" }, "A grid of one setting across and another down, run as one job. Seeds, styles and prompts work with the offline engine alone."),
    promptField,
    h("div", { class: "grid-2" }, modelField, sizeField),
    h("div", { class: "grid-2" }, x.node, y.node),
    h("div", { class: "row wrap" }, h("div", { class: "field" }, h("label", { for: "grid-n" }, "Images per cell"), n), h("span", { class: "spacer" }), count, run),
    problem,
  );
}
