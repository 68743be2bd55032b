// A card per variant: live progress, previews, then the image, its time and cost;
// failures say why and offer Retry. Fed by GET /jobs/{id} (`sync`) and SSE (`apply`).

import { actionMenu } from "./imageactions.js";
import { duration, fill, h, icon, iconButton, money } from "./ui.js";

const ACTIVE = new Set(["queued", "running"]);
const STATUS_TEXT = {
  queued: "Queued",
  running: "Generating",
  succeeded: "Done",
  failed: "Failed",
  canceled: "Canceled",
};

const ms = (iso) => (iso ? Date.parse(iso) : null);
// A provider's last word is often "Finished" while the image is still being stored: the
// card then says it is saving, never "Generating" beside "Finished".
const DONE_WORDS = /^\s*(finished|done|complete|completed|succeeded)\b/i;

/** The running card's status line and stage text, which must agree. */
export function runningText(progress, message) {
  const pct = Math.round(progress * 100);
  if (pct >= 100 || DONE_WORDS.test(message || "")) return { status: "Saving", stage: "Saving the image…" };
  return { status: pct > 0 ? `${STATUS_TEXT.running} · ${pct}%` : STATUS_TEXT.running, stage: message || "Generating…" };
}

export class VariantCard {
  /**
   * @param {object} variant  a VariantOut from the API
   * @param {{index: number, onCancel?: Function, onRetry?: Function, onOpen?: Function,
   *          onPick?: Function, winner?: boolean}} options
   */
  constructor(variant, options = {}) {
    this.options = options;
    this.id = variant.id;
    this.model = variant.model;
    this.state = {};
    this.sync(variant);
    this.build();
    this.render();
  }

  /** Take the server's full record (GET); it is the truth after a reload or reconnect. */
  sync(variant) {
    this.state = {
      status: variant.status,
      progress: variant.progress || 0,
      message: "",
      queuedAt: ms(variant.queued_at),
      startedAt: ms(variant.started_at),
      finishedAt: ms(variant.finished_at),
      durationMs: variant.duration_ms,
      cost: variant.cost_usd,
      seed: variant.seed,
      error: variant.error,
      image: variant.image ? variant.image.url : null,
      imageOut: variant.image || null,
      download: variant.image ? variant.image.url : null,
      preview: this.state.preview && ACTIVE.has(variant.status) ? this.state.preview : null,
      width: variant.params.width,
      height: variant.params.height,
    };
    if (this.node) this.render();
  }

  /** Apply one SSE event; false when it is older than the attempt shown (a replay). */
  apply(type, data) {
    const s = this.state;
    const at = ms(data.at);
    if (at !== null && s.queuedAt !== null && at < s.queuedAt) return false;
    switch (type) {
      case "variant.queued":
        Object.assign(s, { status: "queued", progress: 0, message: data.reason === "retry" ? "" : data.reason || "", error: null });
        s.queuedAt = at ?? s.queuedAt;
        Object.assign(s, { startedAt: null, finishedAt: null, durationMs: null, image: null, preview: null });
        break;
      case "variant.started":
        Object.assign(s, { status: "running", progress: 0, startedAt: at, error: null, message: "Starting" });
        break;
      case "variant.progress":
      case "variant.preview":
        if (!ACTIVE.has(s.status)) return false;
        s.status = "running";
        s.progress = Math.max(s.progress, data.progress || 0);
        s.message = data.message || s.message;
        if (data.preview) s.preview = data.preview;
        break;
      case "variant.succeeded":
        Object.assign(s, {
          status: "succeeded",
          progress: 1,
          finishedAt: at,
          durationMs: data.duration_ms,
          cost: data.cost_usd,
          seed: data.seed,
          image: data.image,
          download: data.image,
          imageOut: {
            sha256: data.image.split("/").pop(),
            url: data.image,
            thumbnail_url: data.thumbnail,
            width: data.width,
            height: data.height,
          },
        });
        break;
      case "variant.failed":
        Object.assign(s, {
          status: "failed",
          finishedAt: at,
          error: { code: data.error_code, message: data.error },
        });
        break;
      case "variant.canceled":
        Object.assign(s, { status: "canceled", finishedAt: at });
        break;
      default:
        return false;
    }
    this.render();
    return true;
  }

  /** The card's image as the API describes one (sha256, url, size), or null. */
  get imageOut() {
    return this.state.status === "succeeded" ? this.state.imageOut : null;
  }

  get active() {
    return ACTIVE.has(this.state.status);
  }

  build() {
    const { width, height } = this.state;
    this.frame = h("div", { class: "frame" });
    if (width && height) this.frame.style.aspectRatio = `${width} / ${height}`;
    this.bar = h("div", { class: "bar" });
    this.progress = h(
      "div",
      {
        class: "progress",
        role: "progressbar",
        "aria-label": `Progress of ${this.model} #${(this.options.index ?? 0) + 1}`,
        "aria-valuemin": "0",
        "aria-valuemax": "100",
      },
      this.bar,
    );
    this.statusNode = h("span", { class: "status" });
    this.facts = h("div", { class: "facts" });
    this.actions = h("div", { class: "actions" });
    this.node = h(
      "article",
      { class: "card variant", dataset: { variantId: this.id, model: this.model } },
      this.frame,
      this.progress,
      h("div", { class: "variant-foot" }, h("div", { class: "line" }, this.statusNode, this.actions), this.facts),
    );
  }

  render() {
    const s = this.state;
    this.node.dataset.status = s.status;
    this.node.classList.toggle("is-winner", Boolean(this.options.winner));
    const pct = s.status === "succeeded" ? 100 : Math.round(s.progress * 100);
    this.bar.style.width = `${s.status === "queued" ? 0 : Math.max(pct, s.status === "running" ? 3 : 0)}%`;
    this.progress.setAttribute("aria-valuenow", String(pct));
    this.progress.setAttribute("aria-valuetext", `${STATUS_TEXT[s.status] || s.status}, ${pct}%`);
    this.statusNode.dataset.status = s.status;
    this.statusNode.textContent = s.status === "running" ? runningText(s.progress, s.message).status : STATUS_TEXT[s.status] || s.status;
    this.renderFrame();
    this.renderFacts();
    this.renderActions();
  }

  renderFrame() {
    const s = this.state;
    const frame = this.frame;
    const keep = [];
    if (s.status === "succeeded" && s.image) {
      let img = frame.querySelector("img.final");
      if (!img || img.dataset.src !== s.image) {
        img = h("img", { class: "final", alt: `Image from ${this.model}`, src: s.image, dataset: { src: s.image }, decoding: "async" });
        // The image itself opens the full-size view (the button below does too).
        if (this.options.onOpen) img.addEventListener("click", () => this.options.onOpen(this));
        const preview = frame.querySelector("img.preview");
        if (preview) img.addEventListener("load", () => preview.remove(), { once: true });
      }
      keep.push(img);
      const preview = frame.querySelector("img.preview");
      if (preview && !img.complete) keep.unshift(preview);
    } else if (s.preview && s.status !== "failed") {
      let img = frame.querySelector("img.preview");
      if (!img) img = h("img", { class: "preview", alt: `Preview from ${this.model}` });
      if (img.getAttribute("src") !== s.preview) img.src = s.preview;
      keep.push(img);
    } else if (s.status === "queued" || s.status === "running") {
      keep.push(frame.querySelector(".placeholder") || h("div", { class: "placeholder", "aria-hidden": "true" }));
    }
    if (s.status === "failed") {
      keep.push(
        h(
          "div",
          { class: "overlay failed", role: "alert" },
          icon("alert"),
          h("div", { class: "error-message" }, (s.error && s.error.message) || "The generation failed."),
          s.error && s.error.code ? h("div", { class: "error-code" }, s.error.code) : null,
        ),
      );
    } else if (s.status === "canceled") {
      keep.push(h("div", { class: "overlay canceled" }, icon("ban"), h("div", {}, "Canceled")));
    } else if (this.active) {
      const text = s.status === "queued" ? s.message || "Waiting for a worker…" : runningText(s.progress, s.message).stage;
      keep.push(h("div", { class: "stage" }, text));
    }
    if (this.options.winner) {
      keep.push(h("div", { class: "winner-badge" }, icon("trophy"), "Winner"));
    }
    fill(frame, ...keep);
  }

  elapsed() {
    const s = this.state;
    if (s.durationMs !== null && s.durationMs !== undefined && !this.active) return s.durationMs;
    if (!s.startedAt) return null;
    const end = this.active ? Date.now() : s.finishedAt || Date.now();
    return Math.max(0, end - s.startedAt);
  }

  renderFacts() {
    const s = this.state;
    const parts = [];
    const elapsed = this.elapsed();
    if (elapsed !== null) parts.push(h("span", { title: "Time", class: "elapsed" }, h("b", {}, duration(elapsed))));
    if (s.status === "succeeded") parts.push(h("span", { title: "Cost", class: "cost" }, h("b", {}, money(s.cost))));
    if (s.seed !== null && s.seed !== undefined) parts.push(h("span", { title: "Seed" }, `seed ${s.seed}`));
    fill(this.facts, ...parts);
  }

  /** Re-render the ticking clock of a running card. */
  tick() {
    if (this.state.status === "running") this.renderFacts();
  }

  renderActions() {
    const s = this.state;
    const o = this.options;
    const buttons = [];
    if (this.active && o.onCancel) buttons.push(iconButton("stop", "Cancel this variant", () => o.onCancel(this)));
    if ((s.status === "failed" || s.status === "canceled") && o.onRetry) {
      buttons.push(h("button", { type: "button", class: "button small", onclick: () => o.onRetry(this) }, icon("retry"), "Retry"));
    }
    if (s.status === "succeeded") {
      if (o.onPick) {
        buttons.push(
          h(
            "button",
            {
              type: "button",
              class: `button small${o.winner ? " primary" : ""}`,
              "aria-pressed": o.winner ? "true" : "false",
              onclick: () => o.onPick(this),
            },
            icon("trophy"),
            o.winner ? "Winner" : "Pick",
          ),
        );
      }
      if (s.download) {
        buttons.push(
          h("a", { class: "icon-button", href: s.download, download: "", "aria-label": "Download image", title: "Download" }, icon("download")),
        );
      }
      if (o.onWorkOn && o.models) buttons.push(actionMenu(o.models, (action) => o.onWorkOn(this, action), "Work on this image"));
      if (o.onOpen) buttons.push(iconButton("open", "Open details", () => o.onOpen(this)));
    }
    fill(this.actions, ...buttons);
  }

  setWinner(value) {
    this.options.winner = value;
    this.render();
  }
}
