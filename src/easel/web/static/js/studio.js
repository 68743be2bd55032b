// The studio: compose a prompt, pick models and settings, generate, watch it happen.
// Every job of the session stays in the feed beside the form (see feed.js).

import * as api from "./api.js";
import { assistModelPicker } from "./assist/models.js";
import { improver } from "./assist/improve.js";
import { referencePanel } from "./assist/describe.js";
import { Feed } from "./feed.js";
import { WORK_ON, actionById } from "./imageactions.js";
import { capabilityChips, commonStyles, lacking, lifecycleBadge, priceLabel, shapeOptions } from "./models.js";
import { OPERATIONS, SIZED_BY_SOURCE, canDo } from "./operations.js";
import { imageIntake } from "./intake.js";
import { sourcePanel } from "./source.js";
import { button, fill, h, icon, plural, problemText, showDialog, toast } from "./ui.js";

const DRAFT = "easel.draft";
export const REFILL = "easel.refill";
const IDEAS = [
  "A quiet harbour at golden hour, pastel sky, boats and gulls",
  "Neon city skyline at night in the rain",
  "Snowy mountains under a violet aurora",
  "Geometric circles and triangles in teal and coral",
  "A misty forest lake at dawn with a full moon",
];

function storage(action, key, value) {
  try {
    if (action === "get") return sessionStorage.getItem(key);
    if (action === "set") sessionStorage.setItem(key, value);
    if (action === "remove") sessionStorage.removeItem(key);
  } catch {
    /* storage disabled */
  }
  return null;
}

export async function mount(root, { navigate }) {
  const [models, presetList, account, assistModels] = await Promise.all([
    api.models(),
    api.presets.list(),
    api.me.read(),
    api.assist.models().catch(() => []), // the studio works without the assistant
  ]);
  // Every model is listed, but only those that can do the studio's operation are shown:
  // those that generate from a prompt, or with a source image, those that do its
  // operation (an upscaler or a background remover only then). See refreshOperation.
  const state = { presets: presetList, busy: false, extraSize: null };
  const selected = new Map(); // model id -> n
  // A touch screen has no Ctrl+Enter to offer.
  const touch = matchMedia("(pointer: coarse)").matches && !matchMedia("(pointer: fine)").matches;

  // ----------------------------------------------------------- composer
  const prompt = h("textarea", {
    id: "prompt",
    class: "input",
    rows: 4,
    placeholder: "Describe the image… e.g. a red sunset over the sea",
    "aria-describedby": "prompt-hint",
    maxlength: 4000,
  });
  const modelList = h("div", { class: "model-list", role: "group", "aria-labelledby": "models-label" });
  const shape = h("select", { id: "shape", class: "input" });
  const seed = h("input", { id: "seed", class: "input", type: "number", min: 0, max: 4294967295, step: 1, placeholder: "Random", inputmode: "numeric" });
  const seedHint = h("span", { class: "hint", id: "seed-hint" });
  const negative = h("textarea", { id: "negative", class: "input", rows: 2, placeholder: "What to leave out" });
  const negativeHint = h("span", { class: "hint", id: "negative-hint" });
  const style = h("select", { id: "style", class: "input" });
  const styleField = h("div", { class: "field" }, h("label", { for: "style" }, "Style"), style);
  const presetSelect = h("select", { id: "preset", class: "input", "aria-label": "Apply a preset" });
  const presetNotice = h("div", { class: "alert warning", id: "preset-notice", role: "status", hidden: true });
  const errorBox = h("div", { class: "alert", role: "alert", hidden: true });
  const promptLabel = h("label", { for: "prompt" }, "Prompt");
  const promptHint = h("span", { class: "hint", id: "prompt-hint" }, touch ? "Tap Generate when it reads right." : "Ctrl+Enter generates.");
  const shapeField = h("div", { class: "field" }, h("label", { for: "shape" }, "Size or aspect ratio"), shape);
  const source = sourcePanel({ models, onChange: refreshOperation });
  const estimate = h("p", { class: "estimate", id: "estimate" });
  const generate = h(
    "button",
    { type: "submit", class: "button primary large", id: "generate" },
    icon("wand"),
    h("span", { class: "verb" }, "Generate"),
    touch ? null : h("span", { class: "kbd", "aria-hidden": "true" }, "Ctrl ↵"),
  );

  for (const model of models.filter((m) => m.available)) modelList.append(modelOption(model));
  const unavailable = models.filter((m) => !m.available);
  if (unavailable.length) {
    const providers = [...new Set(unavailable.map((m) => m.provider))];
    modelList.append(
      h(
        "details",
        { class: "unavailable-models" },
        h("summary", {}, `${unavailable.length} more ${unavailable.length === 1 ? "model needs" : "models need"} setup`),
        providers.map((provider) => {
          const group = unavailable.filter((m) => m.provider === provider);
          const reasonId = `reason-${provider}`;
          return h(
            "div",
            { class: "provider-block", dataset: { provider } },
            h("p", { class: "reason", id: reasonId }, group[0].unavailable_reason),
            group.map((model) =>
              h(
                "div",
                { class: "model-option compact unavailable", dataset: { model: model.id }, title: model.description || null },
                h("input", { type: "checkbox", id: `model-${model.id}`, value: model.id, disabled: true, "aria-describedby": reasonId }),
                h("label", { class: "name", for: `model-${model.id}` }, model.name),
                h("span", { class: "price" }, priceLabel(model)),
                lifecycleBadge(model, models),
              ),
            ),
          );
        }),
      ),
    );
  }

  function modelOption(model) {
    const checkbox = h("input", { type: "checkbox", id: `model-${model.id}`, value: model.id, "aria-describedby": `model-${model.id}-about` });
    const count = h("input", {
      type: "number",
      class: "input",
      id: `n-${model.id}`,
      min: 1,
      max: model.capabilities.max_n,
      value: 1,
      "aria-label": `Variants of ${model.name}`,
    });
    const countRow = h("label", { class: "count", hidden: true }, "Variants", count, h("span", { class: "muted" }, `max ${model.capabilities.max_n}`));
    checkbox.addEventListener("change", () => {
      if (checkbox.checked) selected.set(model.id, Number(count.value) || 1);
      else selected.delete(model.id);
      countRow.hidden = !checkbox.checked;
      refresh();
    });
    count.addEventListener("input", () => {
      if (checkbox.checked) selected.set(model.id, Math.max(1, Number(count.value) || 1));
      refresh();
    });
    return h(
      "div",
      { class: "model-option", dataset: { model: model.id }, title: model.description || null },
      checkbox,
      h("label", { class: "name", for: `model-${model.id}` }, model.name),
      h("span", { class: "price" }, priceLabel(model)),
      h("div", { class: "meta", id: `model-${model.id}-about` }, lifecycleBadge(model, models), capabilityChips(model).map((c) => h("span", { class: "chip" }, c))),
      countRow,
    );
  }

  function chosenModels() {
    return models.filter((m) => selected.has(m.id));
  }

  function setModels(choices) {
    selected.clear();
    for (const option of modelList.querySelectorAll(".model-option")) {
      const id = option.dataset.model;
      const checkbox = option.querySelector('input[type="checkbox"]');
      const count = option.querySelector('input[type="number"]');
      if (!count) continue;
      const choice = !option.hidden && choices.find((c) => c.model === id); // not one left out for the operation
      const model = models.find((m) => m.id === id);
      checkbox.checked = Boolean(choice);
      option.querySelector(".count").hidden = !checkbox.checked;
      if (checkbox.checked) {
        count.value = String(Math.min(choice.n || 1, model.capabilities.max_n));
        selected.set(id, Number(count.value));
      }
    }
  }

  function refreshShape() {
    const current = shape.value;
    const { sizes, ratios } = shapeOptions(chosenModels(), state.extraSize ? [state.extraSize] : []);
    fill(shape, 
      h("option", { value: "" }, "Model default"),
      sizes.length ? h("optgroup", { label: "Size" }, sizes.map((s) => h("option", { value: `size:${s}` }, s.replace("x", " × ")))) : null,
      ratios.length ? h("optgroup", { label: "Aspect ratio" }, ratios.map((r) => h("option", { value: `ratio:${r}` }, r))) : null,
    );
    shape.value = [...shape.options].some((o) => o.value === current) ? current : "";
  }

  function refreshOptions() {
    const chosen = chosenModels();
    const noSeed = lacking(chosen, "seed");
    seed.disabled = chosen.length > 0 && noSeed.length > 0;
    seedHint.textContent = seed.disabled ? `Not taken by ${noSeed.map((m) => m.name).join(", ")}` : "Blank for a random seed; variants count up from it.";
    const noNegative = lacking(chosen, "negative_prompt");
    negative.disabled = chosen.length > 0 && noNegative.length > 0;
    negativeHint.textContent = negative.disabled ? `Not taken by ${noNegative.map((m) => m.name).join(", ")}` : "";
    const styles = commonStyles(chosen);
    const currentStyle = style.value;
    fill(style, h("option", { value: "" }, "Default"), styles.map((s) => h("option", { value: s }, s)));
    style.value = styles.includes(currentStyle) ? currentStyle : "";
    styleField.hidden = styles.length === 0;
  }

  function refreshEstimate() {
    const chosen = chosenModels();
    const images = chosen.reduce((sum, m) => sum + (selected.get(m.id) || 1), 0);
    const cost = chosen.reduce((sum, m) => sum + Number(m.price.per_image_usd) * (selected.get(m.id) || 1), 0);
    estimate.textContent = images ? `${plural(images, "image")} on ${plural(chosen.length, "model")} · ${cost ? `about $${cost.toFixed(3)}` : "free"}` : "Pick at least one model";
    generate.disabled = state.busy || images === 0;
  }

  function refresh() {
    refreshShape();
    refreshOptions();
    refreshEstimate();
    saveDraft();
  }

  function refreshPresets() {
    fill(presetSelect, 
      h("option", { value: "" }, state.presets.length ? "Apply a preset…" : "No presets yet"),
      state.presets.map((p) => h("option", { value: p.id }, p.name)),
    );
  }

  // ----------------------------------------------------------- settings in and out
  function currentSettings() {
    const settings = {
      prompt: prompt.value.trim(),
      models: chosenModels().map((m) => ({ model: m.id, n: selected.get(m.id) || 1 })),
    };
    const [kind, value] = shape.value.split(/:(.*)/s);
    if (kind === "size") settings.size = value;
    if (kind === "ratio") settings.aspect_ratio = value;
    if (!seed.disabled && seed.value !== "") settings.seed = Number(seed.value);
    if (!negative.disabled && negative.value.trim()) settings.negative_prompt = negative.value.trim();
    if (!styleField.hidden && style.value) settings.style = style.value;
    return settings;
  }

  function applySettings(settings) {
    if (settings.prompt !== undefined) prompt.value = settings.prompt;
    if (settings.models && settings.models.length) {
      setModels(settings.models.map((m) => (typeof m === "string" ? { model: m, n: settings.n || 1 } : { model: m.model, n: m.n || settings.n || 1 })));
    } else if (settings.n) {
      for (const id of selected.keys()) selected.set(id, settings.n);
      setModels([...selected.keys()].map((id) => ({ model: id, n: settings.n })));
    }
    refreshShape();
    refreshOptions();
    if (settings.size) shape.value = `size:${settings.size}`;
    else if (settings.aspect_ratio) shape.value = `ratio:${settings.aspect_ratio}`;
    if (shape.selectedIndex < 0) shape.value = "";
    if ("seed" in settings) seed.value = settings.seed === null || settings.seed === undefined ? "" : String(settings.seed);
    if ("negative_prompt" in settings) negative.value = settings.negative_prompt || "";
    if ("style" in settings) {
      style.value = settings.style || "";
      if (style.selectedIndex < 0) style.value = "";
    }
    if ("source" in settings) source.restore(settings.source);
    refreshEstimate();
    saveDraft();
  }

  function saveDraft() {
    const settings = currentSettings();
    settings.prompt = prompt.value;
    settings.source = source.saved();
    storage("set", DRAFT, JSON.stringify(settings));
  }

  // ----------------------------------------------------------- presets
  function showPresetNotices(preset) {
    const retired = (preset.notices || []).filter((n) => n.status === "shutdown");
    presetNotice.hidden = retired.length === 0;
    if (!retired.length) return;
    const offers = retired
      .filter((n) => n.replacement && models.some((m) => m.id === n.replacement))
      .map((n) => {
        const replacement = models.find((m) => m.id === n.replacement);
        return h("button", {
          type: "button",
          class: "button small",
          dataset: { replacement: replacement.id },
          onclick: () => {
            const choices = [...selected.entries()].map(([model, count]) => ({ model, n: count }));
            if (!selected.has(replacement.id)) choices.push({ model: replacement.id, n: Number(preset.params.n) || 1 });
            setModels(choices);
            refresh();
            presetNotice.hidden = true;
          },
        }, `Use ${replacement.name}`);
      });
    fill(presetNotice, icon("alert"), h("div", {}, h("p", {}, `Preset “${preset.name}” names a model that is no longer offered:`), retired.map((n) => h("p", { class: "hint" }, n.message)), h("div", { class: "row" }, offers)));
  }

  presetSelect.addEventListener("change", () => {
    const preset = state.presets.find((p) => p.id === presetSelect.value);
    if (!preset) return;
    const params = { ...preset.params };
    applySettings({
      models: preset.models.length ? preset.models.map((m) => ({ model: m, n: params.n || 1 })) : undefined,
      n: params.n,
      size: params.size,
      aspect_ratio: params.aspect_ratio,
      seed: params.seed ?? null,
      negative_prompt: params.negative_prompt ?? "",
      style: params.style ?? "",
    });
    toast(`Applied preset “${preset.name}”`);
    showPresetNotices(preset);
    presetSelect.value = "";
  });

  async function savePreset() {
    const name = h("input", { class: "input", id: "preset-name", required: true, maxlength: 100, placeholder: "e.g. Square drafts" });
    const problem = h("div", { class: "alert", role: "alert", hidden: true });
    const form = h(
      "form",
      { method: "dialog", class: "confirm" },
      h("h2", { id: "save-preset-title" }, "Save as preset"),
      h("p", { class: "muted" }, "Keeps the chosen models and settings (not the prompt) under a name."),
      h("div", { class: "field" }, h("label", { for: "preset-name" }, "Name"), name),
      problem,
      h("div", { class: "row" }, h("button", { class: "button", value: "cancel", formnovalidate: true }, "Cancel"), h("button", { class: "button primary", value: "save", id: "preset-save" }, "Save preset")),
    );
    const dialog = h("dialog", { class: "sheet narrow", "aria-labelledby": "save-preset-title" }, form);
    form.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.value !== "save") return;
      event.preventDefault();
      const settings = currentSettings();
      const counts = settings.models.map((m) => m.n);
      const params = {};
      if (counts.length && counts.every((n) => n === counts[0])) params.n = counts[0];
      for (const key of ["size", "aspect_ratio", "seed", "negative_prompt", "style"]) {
        if (settings[key] !== undefined) params[key] = settings[key];
      }
      try {
        const preset = await api.presets.create({ name: name.value.trim(), models: settings.models.map((m) => m.model), params });
        state.presets = [...state.presets, preset].sort((a, b) => a.name.localeCompare(b.name));
        refreshPresets();
        dialog.close("saved");
        toast(`Saved preset “${preset.name}”`);
      } catch (error) {
        fill(problem, problemText(error));
        problem.hidden = false;
      }
    });
    await showDialog(dialog);
  }

  async function saveDefaults() {
    const chosen = chosenModels().map((m) => m.id);
    if (!chosen.length) {
      toast("Pick the models to use by default first.", { error: true });
      return;
    }
    try {
      await api.me.setDefaults(chosen);
      toast(`Default models: ${chosenModels().map((m) => m.name).join(", ")}`);
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  // ----------------------------------------------------------- working on an image
  /** The source image's operation decides which models can run and what the form asks. */
  function refreshOperation() {
    const op = source.operation;
    const working = op !== "generate";
    for (const option of modelList.querySelectorAll(".model-option:not(.unavailable)")) {
      const model = models.find((m) => m.id === option.dataset.model);
      const checkbox = option.querySelector('input[type="checkbox"]');
      const lacks = !canDo(model, op);
      option.hidden = lacks;
      if (lacks && checkbox.checked) {
        checkbox.checked = false;
        selected.delete(model.id);
        option.querySelector(".count").hidden = true;
      }
    }
    if (selected.size === 0) {
      const able = models.find((m) => m.available && canDo(m, op));
      if (able) setModels([{ model: able.id, n: 1 }]);
    }
    const need = working ? OPERATIONS[op].prompt : "required";
    prompt.disabled = need === "none";
    fill(promptLabel, "Prompt", need === "optional" ? h("span", { class: "muted" }, " (optional)") : null);
    prompt.placeholder = !working
      ? "Describe the image… e.g. a red sunset over the sea"
      : need === "none"
        ? `${OPERATIONS[op].verb} takes no prompt`
        : need === "required"
          ? "Say what to change… e.g. make the sky stormy"
          : "Optional: what the result should show";
    promptHint.textContent = touch ? `Tap ${working ? OPERATIONS[op].verb : "Generate"} when it reads right.` : `Ctrl+Enter ${working ? "runs it" : "generates"}.`;
    shapeField.hidden = SIZED_BY_SOURCE.has(op);
    generate.querySelector(".verb").textContent = working ? OPERATIONS[op].verb : "Generate";
    refresh();
  }

  /** Work on `image` (an ImageOut) with `action` (see imageactions.js). */
  function workOn(image, action) {
    source.set({ name: `Image ${image.sha256.slice(0, 8)}`, ...image }, action.operation);
    if (action.factor) source.setOperation(action.operation, { factor: action.factor });
    if (action.run) submit();
    else if (action.operation === "inpaint") source.editMask();
    else if (action.operation === "outpaint") source.editEdges();
    else if (action.operation === "style_transfer") document.getElementById("style-file").focus();
    else prompt.focus();
  }

  /** Put what a PNG's settings hold into the form; returns the names of what was set. */
  function fillSettings(found) {
    const settings = {};
    const filled = [];
    if (found.prompt) (settings.prompt = found.prompt), filled.push("prompt");
    if (found.negative_prompt) (settings.negative_prompt = found.negative_prompt), filled.push("negative prompt");
    if (found.seed !== undefined) (settings.seed = found.seed), filled.push("seed");
    const model = models.find((m) => m.available && (m.id === found.model || (found.modelName && [m.id, m.name].some((n) => n.toLowerCase() === found.modelName.toLowerCase()))));
    if (model) (settings.models = [{ model: model.id, n: 1 }]), filled.push("model");
    if (found.width && found.height) {
      state.extraSize = `${found.width}x${found.height}`;
      settings.size = state.extraSize;
    }
    applySettings(settings);
    if (settings.size && shape.value === `size:${settings.size}`) filled.push("size");
    return filled;
  }

  // ----------------------------------------------------------- generate
  /** The job to create: the settings, and the source image's operation if there is one. */
  function jobSpec() {
    const spec = { ...currentSettings(), ...source.inputs() };
    const op = source.operation;
    if (SIZED_BY_SOURCE.has(op)) {
      delete spec.size;
      delete spec.aspect_ratio;
    }
    if (op !== "generate" && OPERATIONS[op].prompt === "none") delete spec.prompt;
    return spec;
  }

  async function submit(event) {
    if (event) event.preventDefault();
    if (state.busy) return;
    const spec = jobSpec();
    const op = source.operation;
    errorBox.hidden = true;
    if (!spec.prompt && (op === "generate" || OPERATIONS[op].prompt === "required")) {
      showError({ message: op === "generate" ? "Write a prompt first: describe the image to generate." : "Write a prompt first: say what to change." });
      prompt.focus();
      return;
    }
    const missing = source.missing();
    if (missing) {
      showError({ message: missing });
      return;
    }
    if (!spec.models.length) {
      showError({ message: "Pick at least one model." });
      return;
    }
    state.busy = true;
    refreshEstimate();
    try {
      // The page follows the job's events right after: ask for previews from the start.
      const created = await api.jobs.create({ ...spec, previews: true });
      feed.add(await api.jobs.get(created.id), { reveal: true });
    } catch (error) {
      showError(error);
    } finally {
      state.busy = false;
      refreshEstimate();
    }
  }

  function showError(error) {
    fill(errorBox, icon("alert"), h("div", {}, problemText(error), error.hint ? h("span", { class: "hint" }, error.hint) : null));
    errorBox.hidden = false;
  }

  // ----------------------------------------------------------- results

  function welcome() {
    return h(
      "div",
      { class: "card welcome" },
      h("span", { class: "chip accent" }, icon("sparkles"), "Studio"),
      h("h1", {}, "What will you make today?"),
      h("p", {}, "Describe an image, pick one or more models, and generate. Every variant streams its progress here; compare models side by side and keep the best."),
      h(
        "div",
        { class: "ideas" },
        IDEAS.map((idea) =>
          h("button", { type: "button", class: "idea", onclick: () => { prompt.value = idea; saveDraft(); prompt.focus(); } }, idea),
        ),
      ),
    );
  }

  const feed = new Feed(models, { navigate, welcome, workOn });
  const results = h("div", { class: "results-pane" }, feed.node);

  // ----------------------------------------------------------- assistant
  const assistant = assistModelPicker(assistModels);
  const references = referencePanel({
    model: assistant.value,
    onUse: (text) => {
      prompt.value = text;
      saveDraft();
      prompt.focus();
      toast("The analysis's prompt is in the prompt box");
    },
  });
  const improve = improver({
    idea: () => prompt.value.trim(),
    targets: () => chosenModels().map((m) => m.id),
    model: assistant.value,
    onPick: (suggestion) => {
      prompt.value = suggestion.prompt;
      if (suggestion.negative_prompt && !negative.disabled) negative.value = suggestion.negative_prompt;
      saveDraft();
      prompt.focus();
    },
  });

  // ----------------------------------------------------------- layout
  const page = h("div", { class: "page studio" });
  const intake = imageIntake({ page, source, fillSettings });
  const form = h(
    "form",
    { class: "card composer", "aria-label": "Compose a generation", onsubmit: submit, novalidate: true },
    h(
      "div",
      { class: "field prompt-box" },
      h("div", { class: "section-title" }, promptLabel, improve.button),
      prompt,
      promptHint,
    ),
    intake.notice,
    source.node,
    improve.node,
    references.node,
    assistant.node,
    h(
      "div",
      { class: "field" },
      h(
        "div",
        { class: "section-title" },
        h("span", { class: "field-label", id: "models-label" }, "Models"),
        h("span", { class: "hint" }, `${models.filter((m) => m.available).length} of ${models.length} available`),
        h("button", { type: "button", class: "button small ghost", id: "save-defaults", onclick: saveDefaults, title: "Jobs without models (API, MCP, CLI) use your defaults" }, "Make default"),
      ),
      modelList,
    ),
    shapeField,
    h(
      "details",
      { class: "more", open: true },
      h("summary", {}, "Seed, negative prompt and style"),
      h(
        "div",
        { class: "fields" },
        h(
          "div",
          { class: "field" },
          h("label", { for: "seed" }, "Seed"),
          h("div", { class: "input-group" }, seed, h("button", { type: "button", class: "button", "aria-label": "Random seed", title: "Random seed", onclick: () => { seed.value = String(Math.floor(Math.random() * 2 ** 31)); saveDraft(); } }, icon("dice"))),
          seedHint,
        ),
        h("div", { class: "field" }, h("label", { for: "negative" }, "Negative prompt"), negative, negativeHint),
        styleField,
      ),
    ),
    h(
      "div",
      { class: "field" },
      h("span", { class: "field-label" }, "Presets"),
      h("div", { class: "input-group" }, presetSelect, button("Save", { kind: "", iconName: "plus", onclick: savePreset, id: "save-preset", "aria-label": "Save these settings as a preset" })),
      presetNotice,
    ),
    errorBox,
    h("div", { class: "generate-bar" }, generate, estimate),
  );
  for (const input of [prompt, seed, negative, shape, style]) input.addEventListener("change", saveDraft);
  prompt.addEventListener("input", saveDraft);

  const onKey = (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      submit();
    }
  };
  document.addEventListener("keydown", onKey);

  page.append(form, results);
  root.append(page);
  refreshPresets();

  // Defaults, then the saved draft, then settings handed over by "Use these settings".
  const draft = storage("get", DRAFT); // read before refresh() saves the defaults over it
  const defaults = account.defaults.effective.filter((id) => models.some((m) => m.id === id && m.available));
  const firstAvailable = models.find((m) => m.available && canDo(m, "generate"));
  if (defaults.length) setModels(defaults.map((id) => ({ model: id, n: 1 })));
  else if (firstAvailable) setModels([{ model: firstAvailable.id, n: 1 }]);
  refreshOperation(); // leaves out defaults that cannot generate
  if (draft) {
    try {
      applySettings(JSON.parse(draft));
    } catch {
      /* an old draft; ignore */
    }
  }
  const refill = storage("get", REFILL);
  if (refill) {
    storage("remove", REFILL);
    applySettings(JSON.parse(refill));
    toast("Settings loaded into the studio");
  }
  await feed.resume(new URLSearchParams(location.search).get("job"));
  const handed = storage("get", WORK_ON);
  if (handed) {
    storage("remove", WORK_ON);
    try {
      const { image, action } = JSON.parse(handed);
      if (image && actionById(action)) workOn(image, actionById(action));
    } catch {
      /* an old hand-over; ignore */
    }
  } else if (!feed.newest) prompt.focus();

  return () => {
    document.removeEventListener("keydown", onKey);
    intake.stop();
    feed.stop();
    references.stop();
    improve.stop();
  };
}
