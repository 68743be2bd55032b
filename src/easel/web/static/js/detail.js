// The detail view of a job: the full image, every parameter, and what to do with it.

import * as api from "./api.js";
import { actionButtons, handToStudio } from "./imageactions.js";
import { lineageBlock } from "./lineage.js";
import { jobTitle } from "./operations.js";
import { shareButton } from "./share.js";
import { REFILL } from "./studio.js";
import { confirmAction, duration, fill, fullDate, h, icon, iconButton, modelName, money, problemText, toast } from "./ui.js";

function fact(label, value) {
  if (value === null || value === undefined || value === "") return [];
  return [h("dt", {}, label), h("dd", {}, value)];
}

/** Settings for the studio that reproduce this job (and this variant's seed). */
export function settingsOf(job, variant) {
  const p = job.params || {};
  const own = (variant && variant.params) || {}; // a grid cell's own prompt and style
  const models = (p.models || []).map((m) => (typeof m === "string" ? { model: m, n: p.n || 1 } : { model: m.model, n: m.n || p.n || 1 }));
  return {
    prompt: own.prompt || job.prompt,
    negative_prompt: job.negative_prompt || "",
    models: models.length ? models : [...new Set(job.variants.map((v) => v.model))].map((model) => ({ model, n: 1 })),
    size: p.size,
    aspect_ratio: p.aspect_ratio,
    seed: variant && variant.seed !== null && variant.seed !== undefined ? variant.seed : (p.seed ?? null),
    style: own.style || p.style || "",
    source: sourceOf(job),
  };
}

/** The studio's source image and operation that redo an operation job, or null. */
function sourceOf(job) {
  const role = (name) => (job.made_from || []).find((s) => s.role === name);
  const image = role("image");
  if (!image || !job.operation || job.operation === "generate") return null;
  const p = job.params || {};
  const mask = role("mask");
  return {
    image: image.image,
    operation: job.operation,
    factor: p.factor,
    extend: p.extend,
    mask: mask ? { sha256: mask.image.sha256, preview: mask.image.thumbnail_url, coverage: null } : null,
  };
}

/**
 * Open the detail dialog of a job. `onChange(job|null)` hears favourites and deletion.
 * Resolves when the dialog closes.
 */
export async function openDetail(jobId, { variantId = null, navigate, onChange = () => {}, workOn = null } = {}) {
  const [job, models] = await Promise.all([api.jobs.get(jobId), api.models()]);
  let current = job.variants.find((v) => v.id === variantId) || job.variants.find((v) => v.image) || job.variants[0];
  const stage = h("div", { class: "detail-image" });
  const thumbs = h("div", { class: "thumbs", role: "tablist", "aria-label": "Images of this job" });
  const facts = h("dl", { class: "facts-list" });
  const favorite = iconButton("star", "Favourite", toggleFavorite, { "aria-pressed": String(job.favorite), id: "detail-favorite" });
  const download = h("a", { class: "button", id: "detail-download", download: "" }, icon("download"), "Download");
  const lineage = h("div", { class: "lineage", id: "detail-lineage" });
  const work = h(
    "div",
    { class: "work-on", id: "detail-work" },
    h("span", { class: "field-label", id: "detail-work-label" }, "Work on this image"),
    h(
      "div",
      { class: "row wrap", role: "group", "aria-labelledby": "detail-work-label" },
      actionButtons(models, (action) => {
        const image = current.image;
        dialog.close();
        if (workOn) workOn(image, action);
        else handToStudio(image, action, navigate);
      }),
    ),
  );

  function renderStage() {
    if (current && current.image) {
      fill(stage, 
        h("img", { src: current.image.url, alt: job.prompt, width: current.image.width, height: current.image.height, id: "detail-image", dataset: { sha: current.image.sha256, variantId: current.id } }),
      );
    } else if (current && current.error) {
      fill(stage, h("div", { class: "empty" }, icon("alert"), h("h2", {}, "This variant failed"), h("p", {}, current.error.message)));
    } else {
      fill(stage, h("div", { class: "empty" }, icon("image"), h("p", {}, current ? `This variant is ${current.status}.` : "No image.")));
    }
    for (const button of thumbs.children) button.setAttribute("aria-current", String(button.dataset.variantId === (current && current.id)));
    download.hidden = !(current && current.image);
    work.hidden = !(current && current.image);
    if (current && current.image) download.href = current.image.url;
    renderFacts();
    fill(lineage, lineageBlock(job, current, () => dialog.close()));
  }

  function renderFacts() {
    const v = current || {};
    const p = job.params || {};
    const size = v.params && v.params.width ? `${v.params.width} × ${v.params.height}` : p.size;
    fill(facts, 
      ...fact("Grid cell", v.cell ? [v.cell.row_label, v.cell.column_label].filter(Boolean).join(" · ") : null),
      ...fact("Prompt", v.params && v.params.prompt),
      ...fact("Model", v.model ? modelName(models, v.model) : null),
      ...fact("Status", v.status),
      ...fact("Seed", v.seed),
      ...fact("Size", size),
      ...fact("Aspect ratio", (v.params && v.params.aspect_ratio) || p.aspect_ratio),
      ...fact("Style", (v.params && v.params.style) || p.style),
      ...fact("Quality", (v.params && v.params.quality) || p.quality),
      ...fact("Time", v.duration_ms !== null && v.duration_ms !== undefined ? duration(v.duration_ms) : null),
      ...fact("Cost", v.cost_usd !== null && v.cost_usd !== undefined ? money(v.cost_usd) : null),
      ...fact("Job cost", money(job.cost_usd)),
      ...fact("Created", fullDate(job.created_at)),
      ...fact("Attempts", v.attempts > 1 ? v.attempts : null),
      ...fact("Error", v.error ? `${v.error.message} (${v.error.code})` : null),
      ...fact("Image", v.image ? `${v.image.mime_type}, ${Math.round(v.image.size_bytes / 1024)} KB` : null),
    );
  }

  for (const variant of job.variants) {
    const button = h(
      "button",
      {
        type: "button",
        class: `thumb${variant.image ? "" : " failed"}`,
        role: "tab",
        "aria-label": `${modelName(models, variant.model)} #${variant.position + 1} (${variant.status})`,
        dataset: { variantId: variant.id },
        onclick: () => {
          current = variant;
          renderStage();
        },
      },
      variant.image ? h("img", { src: variant.image.thumbnail_url, alt: "", loading: "lazy" }) : icon(variant.status === "failed" ? "alert" : "ban"),
    );
    thumbs.append(button);
  }

  async function toggleFavorite() {
    try {
      const updated = await api.jobs.favorite(job.id, !job.favorite);
      job.favorite = updated.favorite;
      favorite.setAttribute("aria-pressed", String(job.favorite));
      fill(favorite, icon(job.favorite ? "star-filled" : "star"));
      onChange(updated);
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }
  fill(favorite, icon(job.favorite ? "star-filled" : "star"));

  async function remove() {
    const ok = await confirmAction("Delete this job?", "Its images are deleted too. This cannot be undone.");
    if (!ok) return;
    try {
      await api.jobs.remove(job.id);
      toast("Deleted");
      onChange(null);
      dialog.close();
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  function reuse() {
    try {
      sessionStorage.setItem(REFILL, JSON.stringify(settingsOf(job, current)));
    } catch {
      /* storage disabled */
    }
    dialog.close();
    navigate("/");
  }

  const distinct = new Set(job.variants.map((v) => v.model));
  const dialog = h(
    "dialog",
    { class: "sheet", "aria-labelledby": "detail-title", id: "detail" },
    iconButton("x", "Close", () => dialog.close(), { class: "icon-button sheet-close" }),
    h(
      "div",
      { class: "detail" },
      h("div", { class: "detail-stage" }, stage, job.variants.length > 1 ? thumbs : null),
      h(
        "div",
        { class: "detail-side" },
        h("div", { class: "row" }, h("h2", { id: "detail-title" }, "Details"), h("span", { class: "status", dataset: { status: job.status } }, job.status)),
        h("p", { class: "prompt" }, jobTitle(job)),
        job.negative_prompt ? h("p", { class: "muted small" }, h("b", {}, "Without: "), job.negative_prompt) : null,
        facts,
        lineage,
        work,
        h(
          "div",
          { class: "detail-actions" },
          h("button", { type: "button", class: "button primary", id: "reuse", onclick: reuse }, icon("wand"), "Use these settings"),
          download,
          shareButton(() => ({ job, image: current && current.image })),
          favorite,
          distinct.size > 1 ? h("a", { class: "button", href: `/compare/${job.id}`, "data-link": "", onclick: () => dialog.close() }, icon("columns"), "Compare") : null,
          h("button", { type: "button", class: "button danger", id: "delete", onclick: remove }, icon("trash"), "Delete"),
        ),
      ),
    ),
  );
  // Left and right arrows step through the job's variants (not while typing).
  dialog.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step || job.variants.length < 2 || event.target.closest("input, textarea, select")) return;
    event.preventDefault();
    const at = job.variants.indexOf(current);
    current = job.variants[(at + step + job.variants.length) % job.variants.length];
    renderStage();
    const thumb = [...thumbs.children].find((b) => b.dataset.variantId === current.id);
    if (thumb && thumbs.contains(document.activeElement)) thumb.focus();
  });
  renderStage();
  document.body.append(dialog);
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  dialog.remove();
}
