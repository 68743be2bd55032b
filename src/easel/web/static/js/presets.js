// Presets: named sets of models and settings. List, create, edit, delete, use.

import * as api from "./api.js";
import { commonStyles, lifecycleBadge, shapeOptions } from "./models.js";
import { REFILL } from "./studio.js";
import { confirmAction, fill, h, icon, modelName, problemText, toast, when } from "./ui.js";

function describe(preset, models) {
  const p = preset.params || {};
  const chips = preset.models.map((m) => {
    const notice = (preset.notices || []).find((n) => n.model === m);
    const kind = notice ? (notice.status === "shutdown" ? "danger" : "warning") : "accent";
    return h("span", { class: `chip ${kind}`, title: notice ? notice.message : null }, modelName(models, m));
  });
  if (p.n) chips.push(h("span", { class: "chip" }, `${p.n} each`));
  if (p.size) chips.push(h("span", { class: "chip" }, p.size));
  if (p.aspect_ratio) chips.push(h("span", { class: "chip" }, p.aspect_ratio));
  if (p.seed !== undefined && p.seed !== null) chips.push(h("span", { class: "chip" }, `seed ${p.seed}`));
  if (p.style) chips.push(h("span", { class: "chip" }, p.style));
  if (p.negative_prompt) chips.push(h("span", { class: "chip", title: p.negative_prompt }, "negative prompt"));
  return chips;
}

export async function mount(root, { navigate }) {
  const models = await api.models();
  let presets = await api.presets.list();
  let editing = null;

  const list = h("div", { class: "preset-list", id: "preset-list" });
  const title = h("h2", { id: "preset-form-title" }, "New preset");
  const name = h("input", { id: "preset-form-name", class: "input", required: true, maxlength: 100, placeholder: "e.g. Wide drafts" });
  const checks = h("div", { class: "check-list", role: "group", "aria-labelledby": "preset-models-label" });
  const n = h("input", { id: "preset-form-n", class: "input", type: "number", min: 1, max: 16, value: 1 });
  const shape = h("select", { id: "preset-form-shape", class: "input" });
  const seed = h("input", { id: "preset-form-seed", class: "input", type: "number", min: 0, placeholder: "Random" });
  const negative = h("textarea", { id: "preset-form-negative", class: "input", rows: 2, placeholder: "What to leave out" });
  const style = h("select", { id: "preset-form-style", class: "input" });
  const problem = h("div", { class: "alert", role: "alert", hidden: true });
  const cancelEdit = h("button", { type: "button", class: "button ghost", hidden: true, onclick: () => edit(null) }, "Cancel");
  const save = h("button", { type: "submit", class: "button primary", id: "preset-form-save" }, "Create preset");

  for (const model of models) {
    checks.append(h("label", {}, h("input", { type: "checkbox", value: model.id, onchange: refreshOptions }), model.name, model.available ? null : h("span", { class: "chip warning" }, "unavailable"), lifecycleBadge(model, models)));
  }

  function chosen() {
    const ids = [...checks.querySelectorAll("input:checked")].map((c) => c.value);
    return models.filter((m) => ids.includes(m.id));
  }

  function refreshOptions() {
    const current = shape.value;
    const { sizes, ratios } = shapeOptions(chosen());
    fill(shape, 
      h("option", { value: "" }, "Model default"),
      h("optgroup", { label: "Size" }, sizes.map((s) => h("option", { value: `size:${s}` }, s.replace("x", " × ")))),
      h("optgroup", { label: "Aspect ratio" }, ratios.map((r) => h("option", { value: `ratio:${r}` }, r))),
    );
    shape.value = current;
    if (shape.selectedIndex < 0) shape.value = "";
    const currentStyle = style.value;
    const styles = commonStyles(chosen());
    fill(style, h("option", { value: "" }, "Default"), styles.map((s) => h("option", { value: s }, s)));
    style.value = styles.includes(currentStyle) ? currentStyle : "";
  }

  function edit(preset) {
    editing = preset;
    problem.hidden = true;
    title.textContent = preset ? `Edit “${preset.name}”` : "New preset";
    save.textContent = preset ? "Save changes" : "Create preset";
    cancelEdit.hidden = !preset;
    const p = (preset && preset.params) || {};
    name.value = preset ? preset.name : "";
    for (const box of checks.querySelectorAll("input")) box.checked = Boolean(preset && preset.models.includes(box.value));
    refreshOptions();
    n.value = String(p.n || 1);
    shape.value = p.size ? `size:${p.size}` : p.aspect_ratio ? `ratio:${p.aspect_ratio}` : "";
    if (shape.selectedIndex < 0) shape.value = "";
    seed.value = p.seed ?? "";
    negative.value = p.negative_prompt || "";
    style.value = p.style || "";
    if (style.selectedIndex < 0) style.value = "";
    if (preset) name.focus();
  }

  function body() {
    const params = { n: Number(n.value) || 1 };
    const [kind, value] = shape.value.split(/:(.*)/s);
    if (kind === "size") params.size = value;
    if (kind === "ratio") params.aspect_ratio = value;
    if (seed.value !== "") params.seed = Number(seed.value);
    if (negative.value.trim()) params.negative_prompt = negative.value.trim();
    if (style.value) params.style = style.value;
    return { name: name.value.trim(), models: chosen().map((m) => m.id), params };
  }

  async function submit(event) {
    event.preventDefault();
    problem.hidden = true;
    try {
      const saved = editing ? await api.presets.update(editing.id, body()) : await api.presets.create(body());
      presets = [...presets.filter((p) => p.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name));
      toast(editing ? `Saved “${saved.name}”` : `Created “${saved.name}”`);
      edit(null);
      render();
    } catch (error) {
      fill(problem, icon("alert"), h("div", {}, problemText(error), error.hint ? h("span", { class: "hint" }, error.hint) : null));
      problem.hidden = false;
    }
  }

  async function remove(preset) {
    if (!(await confirmAction(`Delete “${preset.name}”?`, "Jobs made with it keep their settings."))) return;
    try {
      await api.presets.remove(preset.id);
      presets = presets.filter((p) => p.id !== preset.id);
      if (editing && editing.id === preset.id) edit(null);
      render();
      toast(`Deleted “${preset.name}”`);
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  async function replace(preset, notice) {
    // Every shut-down model goes at once: the server refuses a preset that keeps one.
    const swaps = new Map((preset.notices || []).filter((n) => n.status === "shutdown" && n.replacement).map((n) => [n.model, n.replacement]));
    swaps.set(notice.model, notice.replacement);
    const swapped = [...new Set(preset.models.map((m) => swaps.get(m) || m))];
    try {
      const saved = await api.presets.update(preset.id, { name: preset.name, models: swapped, params: preset.params });
      presets = presets.map((p) => (p.id === saved.id ? saved : p));
      render();
      toast(`“${saved.name}” now uses ${modelName(models, notice.replacement)}`);
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  function notices(preset) {
    const retired = (preset.notices || []).filter((n) => n.status === "shutdown");
    const ending = (preset.notices || []).filter((n) => n.status === "deprecated");
    if (!retired.length && !ending.length) return null;
    return h(
      "div",
      { class: `alert ${retired.length ? "" : "warning"}`.trim(), role: "status" },
      icon("alert"),
      h(
        "div",
        {},
        [...retired, ...ending].map((n) => h("p", { class: "notice", dataset: { model: n.model, status: n.status } }, n.message)),
        h(
          "div",
          { class: "row" },
          [...retired, ...ending]
            .filter((n) => n.replacement && models.some((m) => m.id === n.replacement))
            .map((n) =>
              h("button", { type: "button", class: "button small", dataset: { replacement: n.replacement }, onclick: () => replace(preset, n) }, `Use ${modelName(models, n.replacement)} instead`),
            ),
        ),
      ),
    );
  }

  function use(preset) {
    const p = preset.params || {};
    const settings = {
      models: preset.models.map((m) => ({ model: m, n: p.n || 1 })),
      n: p.n,
      size: p.size,
      aspect_ratio: p.aspect_ratio,
      seed: p.seed ?? null,
      negative_prompt: p.negative_prompt || "",
      style: p.style || "",
    };
    try {
      sessionStorage.setItem(REFILL, JSON.stringify(settings));
    } catch {
      /* storage disabled */
    }
    navigate("/");
  }

  function render() {
    fill(list, 
      ...(presets.length
        ? presets.map((preset) =>
            h(
              "article",
              { class: "card preset", dataset: { presetId: preset.id, name: preset.name } },
              h("div", { class: "row" }, h("h3", {}, preset.name), h("span", { class: "spacer" }), h("span", { class: "muted small" }, when(preset.updated_at))),
              h("div", { class: "chips" }, describe(preset, models)),
              notices(preset),
              h(
                "div",
                { class: "row" },
                h("button", { type: "button", class: "button small primary", onclick: () => use(preset) }, icon("wand"), "Use"),
                h("button", { type: "button", class: "button small", onclick: () => edit(preset), "aria-label": `Edit ${preset.name}` }, icon("edit"), "Edit"),
                h("span", { class: "spacer" }),
                h("button", { type: "button", class: "button small danger ghost", onclick: () => remove(preset), "aria-label": `Delete ${preset.name}` }, icon("trash")),
              ),
            ),
          )
        : [h("div", { class: "card empty" }, icon("sliders"), h("h2", {}, "No presets yet"), h("p", {}, "Save models and settings you use often, then apply them in one click."))]),
    );
  }

  root.append(
    h(
      "div",
      { class: "page" },
      h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Presets"), h("p", {}, "Named sets of models and settings for the studio."))),
      h(
        "div",
        { class: "preset-layout" },
        list,
        h(
          "form",
          { class: "card preset-form", onsubmit: submit, "aria-labelledby": "preset-form-title", novalidate: true },
          title,
          h("div", { class: "field" }, h("label", { for: "preset-form-name" }, "Name"), name),
          h("div", { class: "field" }, h("span", { class: "field-label", id: "preset-models-label" }, "Models"), checks),
          h("div", { class: "grid-2" }, h("div", { class: "field" }, h("label", { for: "preset-form-n" }, "Variants per model"), n), h("div", { class: "field" }, h("label", { for: "preset-form-seed" }, "Seed"), seed)),
          h("div", { class: "field" }, h("label", { for: "preset-form-shape" }, "Size or aspect ratio"), shape),
          h("div", { class: "field" }, h("label", { for: "preset-form-style" }, "Style"), style),
          h("div", { class: "field" }, h("label", { for: "preset-form-negative" }, "Negative prompt"), negative),
          problem,
          h("div", { class: "row" }, h("span", { class: "spacer" }), cancelEdit, save),
        ),
      ),
    ),
  );
  edit(null);
  render();
}
