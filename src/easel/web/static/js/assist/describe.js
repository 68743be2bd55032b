// Reference images: drop or pick them, and the assistant's analysis streams in word by
// word; "Use as prompt" puts the prompt it ends with into the prompt box.

import * as api from "../api.js";
import { button, fill, h, icon, problemText } from "../ui.js";
import { AssistRun, problemLine } from "./run.js";

const ACCEPT = "image/png,image/jpeg,image/webp";
const MAX_IMAGES = 8; // the server's limit per describe

/**
 * @param {{model: () => string|null, onUse: (prompt: string) => void}} options
 * @returns {{node: HTMLElement, stop: () => void}}
 */
export function referencePanel({ model, onUse }) {
  const images = []; // {sha256, thumbnail_url, name}
  let prompt = "";
  const picker = h("input", { type: "file", id: "reference-files", accept: ACCEPT, multiple: true, class: "visually-hidden" });
  const zone = h(
    "label",
    { class: "drop-zone", for: "reference-files", id: "drop-zone" },
    icon("image"),
    h("span", {}, h("b", {}, "Drop reference images"), " or click to pick: the assistant describes them."),
  );
  const thumbs = h("div", { class: "reference-thumbs", id: "reference-thumbs" });
  const analysis = h("div", { class: "analysis", id: "analysis", "aria-live": "polite", hidden: true });
  const status = h("span", { class: "assist-status", id: "describe-status" });
  const stop = button("Stop", { kind: "small danger", iconName: "stop", id: "describe-stop" });
  const use = button("Use as prompt", { kind: "small primary", iconName: "wand", id: "use-analysis", hidden: true });
  const again = button("Describe again", { kind: "small ghost", iconName: "retry", id: "describe-again", hidden: true });
  const clear = button("Clear", { kind: "small ghost", iconName: "x", id: "references-clear", hidden: true });
  const run = new AssistRun({ stop, status, live: analysis });

  use.addEventListener("click", () => prompt && onUse(prompt));
  again.addEventListener("click", () => describe());
  clear.addEventListener("click", () => {
    run.abort();
    images.length = 0;
    prompt = "";
    renderThumbs();
    analysis.hidden = true;
    use.hidden = again.hidden = clear.hidden = true;
    status.textContent = "";
  });

  function renderThumbs() {
    fill(thumbs, images.map((image) => h("img", { src: image.thumbnail_url, alt: image.name, title: image.name, dataset: { sha: image.sha256 } })));
  }

  async function describe() {
    if (!images.length) return;
    prompt = "";
    use.hidden = again.hidden = true;
    analysis.hidden = false;
    analysis.dataset.state = "running";
    fill(analysis);
    const text = h("p", { class: "analysis-text" });
    analysis.append(text);
    const body = { images: images.map((i) => i.sha256) };
    const chosen = model();
    if (chosen) body.model = chosen;
    const outcome = await run.start("/assist/describe", body, (event, data) => {
      if (event === "delta") text.append(data.text);
      if (event === "done") {
        text.textContent = data.text;
        prompt = data.prompt || "";
      }
      if (event === "error") analysis.append(h("p", { class: "alert", role: "alert" }, problemLine(data)));
    });
    analysis.dataset.state = outcome;
    use.hidden = !prompt;
    again.hidden = clear.hidden = false;
  }

  async function add(files) {
    const wanted = [...files].filter((f) => ACCEPT.split(",").includes(f.type)).slice(0, MAX_IMAGES - images.length);
    if (!wanted.length) {
      run.setStatus("Drop PNG, JPEG or WebP images (up to 8).", "error");
      return;
    }
    run.abort();
    run.setStatus(`Uploading ${wanted.length === 1 ? "the image" : `${wanted.length} images`}…`, "running");
    try {
      for (const file of wanted) {
        const stored = await api.upload(file);
        images.push({ sha256: stored.sha256, thumbnail_url: stored.thumbnail_url, name: file.name });
      }
    } catch (error) {
      run.setStatus(problemText(error) + (error.hint ? ` ${error.hint}` : ""), "error");
      return;
    } finally {
      renderThumbs();
    }
    await describe();
  }

  picker.addEventListener("change", () => {
    add(picker.files);
    picker.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer) add(event.dataTransfer.files);
  });

  const node = h(
    "div",
    { class: "field references" },
    h("span", { class: "field-label" }, "Reference images"),
    picker,
    zone,
    thumbs,
    analysis,
    h("div", { class: "row wrap assist-actions" }, status, h("span", { class: "spacer" }), stop, use, again, clear),
  );
  return { node, stop: () => run.abort() };
}
