// The studio's source image: an image to work on (uploaded, dropped, pasted, or handed
// over from a result) and the operation to run on it, with that operation's own inputs:
// the upscale factor, the painted mask (inpaint), the sides to extend (outpaint) or the
// style image (style transfer). `saved()` and `restore()` carry it across a reload.

import * as api from "./api.js";
import { paintMask } from "./maskeditor.js";
import { IMAGE_OPERATIONS, OPERATIONS, modelsFor } from "./operations.js";
import { editExtend, sideInputs } from "./outpaint.js";
import { button, fill, h, icon, iconButton, problemText } from "./ui.js";

export const ACCEPT = "image/png,image/jpeg,image/webp";

/**
 * @param {{models: object[], onChange: () => void}} options  onChange hears a new source
 *   or operation (the studio then re-checks its models and prompt).
 */
export function sourcePanel({ models, onChange }) {
  const state = { image: null, operation: "", factor: 2, mask: null, style: null, extend: { left: 0, top: 0, right: 0, bottom: 0 } };
  const picker = h("input", { type: "file", id: "source-file", accept: ACCEPT, class: "visually-hidden" });
  const pick = h(
    "label",
    { class: "button small", for: "source-file", id: "source-pick" },
    icon("image"),
    "Upload an image",
  );
  const status = h("span", { class: "hint", id: "source-status", "aria-live": "polite" });
  const body = h("div", { class: "source-body" });
  const operation = h("select", { id: "operation", class: "input" });
  const operationHint = h("span", { class: "hint", id: "operation-hint" });
  const extras = h("div", { class: "operation-extras", id: "operation-extras" });
  const extendInputs = sideInputs(state.extend, () => {
    renderExtras({ keepInputs: true });
    onChange();
  });
  const stylePicker = h("input", { type: "file", id: "style-file", accept: ACCEPT, class: "visually-hidden" });
  stylePicker.addEventListener("change", async () => {
    const file = stylePicker.files && stylePicker.files[0];
    stylePicker.value = "";
    if (!file) return;
    const stored = await store(file, "Uploading the style image…");
    if (stored) state.style = { ...stored, name: file.name };
    renderExtras();
    onChange();
  });

  picker.addEventListener("change", () => {
    if (picker.files && picker.files[0]) uploadFile(picker.files[0]);
    picker.value = "";
  });
  for (const input of [picker, stylePicker]) {
    input.addEventListener("focus", () => input.labels[0]?.classList.add("focus"));
    input.addEventListener("blur", () => input.labels[0]?.classList.remove("focus"));
  }
  operation.addEventListener("change", () => setOperation(operation.value));

  function setStatus(text, error = false) {
    status.textContent = text;
    status.classList.toggle("error", error);
  }

  /** Upload a file of one's own, saying so; null (and why, in the status) on failure. */
  async function store(file, doing) {
    if (!ACCEPT.split(",").includes(file.type)) {
      setStatus("Use a PNG, JPEG or WebP image.", true);
      return null;
    }
    setStatus(doing);
    try {
      const stored = await api.upload(file);
      setStatus("");
      return stored;
    } catch (error) {
      setStatus(problemText(error) + (error.hint ? ` ${error.hint}` : ""), true);
      return null;
    }
  }

  async function uploadFile(file) {
    const stored = await store(file, "Uploading…");
    if (stored) set({ ...stored, name: file.name || "Pasted image" });
    return stored;
  }

  /** Work on `image` ({sha256, url, thumbnail_url, width, height, name?}). */
  function set(image, chosen = null) {
    state.image = image;
    state.mask = null;
    state.style = null;
    Object.assign(state.extend, { left: 0, top: 0, right: 0, bottom: 0 });
    const offered = IMAGE_OPERATIONS.filter((op) => modelsFor(models, op).length);
    const next = chosen || (offered.includes(state.operation) ? state.operation : offered[0] || "");
    render();
    setOperation(next);
    node.scrollIntoView({ block: "nearest" });
  }

  /** Bring back what `saved()` gave (or an operation job's source, from the detail). */
  function restore(saved) {
    if (!saved || !saved.image) {
      if (state.image) clear();
      return;
    }
    set(saved.image, saved.operation);
    if (saved.factor) state.factor = saved.factor;
    if (saved.extend) Object.assign(state.extend, saved.extend);
    state.mask = saved.mask || null;
    state.style = saved.style || null;
    setOperation(state.operation);
  }

  function clear() {
    state.image = null;
    state.mask = null;
    state.style = null;
    state.operation = "";
    render();
    onChange();
  }

  function setOperation(op, { factor } = {}) {
    state.operation = op;
    if (factor) state.factor = factor;
    operation.value = op;
    operationHint.textContent = OPERATIONS[op] ? OPERATIONS[op].hint : "";
    renderExtras();
    onChange();
  }

  function render() {
    if (!state.image) {
      fill(body, h("p", { class: "hint" }, "Drop, paste (Ctrl+V) or upload an image to upscale, edit, inpaint or extend it."));
      return;
    }
    const image = state.image;
    fill(operation, IMAGE_OPERATIONS.map((op) => h("option", { value: op, disabled: modelsFor(models, op).length === 0 }, OPERATIONS[op].label)));
    fill(body, 
      h(
        "div",
        { class: "source-card", id: "source-card", dataset: { sha: image.sha256 } },
        h("a", { href: image.url, target: "_blank", rel: "noopener", title: "Open full size" }, h("img", { src: image.thumbnail_url, alt: `Source image: ${image.name || image.sha256.slice(0, 12)}` })),
        h("div", { class: "source-facts" }, h("b", {}, image.name || "Image"), h("span", { class: "muted" }, `${image.width} × ${image.height} px`)),
        iconButton("x", "Remove the source image", clear, { id: "source-remove" }),
      ),
      h("div", { class: "field" }, h("label", { for: "operation" }, "Operation"), operation, operationHint),
      extras,
    );
  }

  function renderExtras({ keepInputs = false } = {}) {
    const op = state.operation;
    if (op === "upscale") {
      const factor = h("select", { id: "factor", class: "input" }, [2, 4].map((f) => h("option", { value: f }, `×${f}`)));
      factor.value = String(state.factor);
      factor.addEventListener("change", () => {
        state.factor = Number(factor.value);
        onChange();
      });
      fill(extras, h("div", { class: "field" }, h("label", { for: "factor" }, "Factor"), factor));
    } else if (op === "inpaint") {
      fill(extras, 
        h(
          "div",
          { class: "mask-row" },
          state.mask ? h("img", { class: "mask-thumb", src: state.mask.preview, alt: "The painted mask", id: "mask-thumb" }) : null,
          h("span", { class: "hint", id: "mask-summary" }, maskSummary()),
          button(state.mask ? "Repaint the mask" : "Paint the mask", { kind: "small", iconName: "edit", id: "paint-mask", onclick: editMask }),
        ),
      );
    } else if (op === "outpaint") {
      if (!keepInputs) extendInputs.update();
      const { left, top, right, bottom } = state.extend;
      const result = state.image ? `${state.image.width + left + right} × ${state.image.height + top + bottom} px` : "";
      if (!keepInputs || !extras.contains(extendInputs.node)) {
        fill(extras, h("span", { class: "field-label" }, "Extend by"), extendInputs.node, h("div", { class: "row" }, button("Drag the edges", { kind: "small", iconName: "sliders", id: "drag-edges", onclick: editEdges }), h("span", { class: "hint", id: "extend-summary" })));
      }
      extras.querySelector("#extend-summary").textContent = result ? `Result: ${result}` : "";
    } else if (op === "style_transfer") {
      fill(extras, 
        h(
          "div",
          { class: "mask-row" },
          state.style ? h("img", { class: "mask-thumb", src: state.style.thumbnail_url, alt: `Style image: ${state.style.name || ""}`, id: "style-thumb" }) : null,
          h("span", { class: "hint" }, state.style ? "The style to take on." : "No style image yet."),
          h("label", { class: "button small", for: "style-file", id: "style-pick" }, icon("image"), state.style ? "Another style image" : "Upload a style image"),
          stylePicker,
        ),
      );
    } else {
      fill(extras);
    }
  }

  function maskSummary() {
    if (!state.mask) return "No mask yet.";
    if (state.mask.coverage === null) return "The mask of the earlier job.";
    return `Mask covers ${Math.max(1, Math.round(state.mask.coverage * 100))}% of the image.`;
  }

  async function editMask() {
    const painted = await paintMask(state.image);
    if (!painted) return;
    setStatus("Uploading the mask…");
    try {
      const stored = await api.upload(new File([painted.blob], "mask.png", { type: "image/png" }));
      state.mask = { sha256: stored.sha256, coverage: painted.coverage, preview: painted.preview };
      setStatus("");
    } catch (error) {
      setStatus(problemText(error), true);
    }
    renderExtras();
    onChange();
  }

  async function editEdges() {
    const edges = await editExtend(state.image, state.extend);
    if (!edges) return;
    Object.assign(state.extend, edges);
    renderExtras();
    onChange();
  }

  render();
  const node = h(
    "div",
    { class: "field source", id: "source" },
    h("div", { class: "section-title" }, h("span", { class: "field-label" }, "Source image"), pick, picker),
    body,
    status,
  );

  return {
    node,
    set,
    clear,
    restore,
    uploadFile,
    setOperation,
    editMask,
    editEdges,
    get image() {
      return state.image;
    },
    /** The operation to run: "generate" without a source image. */
    get operation() {
      return state.image ? state.operation : "generate";
    },
    /** What `restore()` takes back: the image, operation and its inputs, or null. */
    saved() {
      if (!state.image) return null;
      const { image, operation: op, factor, extend, mask, style } = state;
      return { image, operation: op, factor, extend: { ...extend }, mask, style };
    },
    /** The job fields of the operation, or {} for a generation. */
    inputs() {
      const op = this.operation;
      if (op === "generate") return {};
      const fields = { operation: op, image: state.image.sha256 };
      if (op === "upscale") fields.factor = state.factor;
      if (op === "inpaint" && state.mask) fields.mask = state.mask.sha256;
      if (op === "outpaint") fields.extend = { ...state.extend };
      if (op === "style_transfer" && state.style) fields.style_image = state.style.sha256;
      return fields;
    },
    /** What is missing before the operation can run, or null. */
    missing() {
      const op = this.operation;
      if (op === "inpaint" && !state.mask) return "Paint the mask first: the area the inpaint repaints.";
      if (op === "outpaint" && !Object.values(state.extend).some((v) => v > 0)) return "Say how far to extend at least one side.";
      if (op === "style_transfer" && !state.style) return "Upload the style image first: the picture whose style to take on.";
      return null;
    },
  };
}
