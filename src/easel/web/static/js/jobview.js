// One job on screen: a header with its prompt, status, time and cost, and a card per
// variant grouped by model, kept live over SSE. `followJob` ties the view to the stream
// and re-reads the job whenever the stream (re)connects, so nothing stays stuck.

import { jobs } from "./api.js";
import { VariantCard } from "./cards.js";
import { sourceLink } from "./lineage.js";
import { jobTitle, operationTitle } from "./operations.js";
import { JobStream, savedPosition } from "./sse/stream.js";
import { duration, fill, h, icon, modelName, money, plural, problemText, toast } from "./ui.js";
import { priceLabel } from "./models.js";

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

export function jobStatus(statuses) {
  if (!statuses.length) return "canceled";
  if (statuses.every((s) => s === "queued")) return "queued";
  if (statuses.some((s) => !TERMINAL.has(s))) return "running";
  if (statuses.every((s) => s === "succeeded")) return "succeeded";
  if (statuses.includes("succeeded")) return "partial";
  if (statuses.every((s) => s === "canceled")) return "canceled";
  return "failed";
}

export class JobView {
  /**
   * @param {object} job  a JobOut
   * @param {object[]} models  the catalog
   * @param {{onOpen?: Function, onCompare?: Function, onRetried?: Function, onDismiss?: Function,
   *          onWorkOn?: Function}} options  onWorkOn(image, action) offers operations on results
   */
  constructor(job, models, options = {}) {
    this.job = job;
    this.models = models;
    this.options = options;
    this.cards = new Map();
    this.counter = 0;
    const kind = job.operation && job.operation !== "generate" ? "Operation" : "Generation";
    this.node = h("section", { class: "results-job", "aria-label": `${kind}: ${jobTitle(job).slice(0, 80)}`, dataset: { jobId: job.id, operation: job.operation || "generate" } });
    this.build();
  }

  build() {
    const job = this.job;
    this.statusNode = h("span", { class: "status" });
    this.countNode = h("span", { class: "count" });
    this.elapsedNode = h("span", { class: "elapsed" });
    this.costNode = h("span", { class: "cost" });
    this.cancelButton = h(
      "button",
      { type: "button", class: "button small danger", onclick: () => this.cancelAll() },
      icon("stop"),
      "Cancel",
    );
    const distinct = [...new Set(job.variants.map((v) => v.model))];
    const actions = h(
      "div",
      { class: "row wrap" },
      this.cancelButton,
      distinct.length > 1 && this.options.onCompare
        ? h("button", { type: "button", class: "button small", onclick: () => this.options.onCompare(job.id) }, icon("columns"), "Compare")
        : null,
      this.options.onDismiss
        ? h("button", { type: "button", class: "button small ghost", title: "Remove from the studio (it stays in History)", onclick: () => this.options.onDismiss(job.id) }, icon("x"), "Dismiss")
        : null,
    );
    const operation = job.operation && job.operation !== "generate" ? job.operation : null;
    const head = h(
      "div",
      { class: "card job-head" },
      operation
        ? h(
            "div",
            { class: "made-from" },
            h("span", { class: "chip accent operation" }, operationTitle(operation, job.params)),
            h("span", { class: "muted" }, "made from"),
            (job.made_from || []).map(sourceLink),
          )
        : null,
      job.prompt || !operation ? h("p", { class: "prompt" }, job.prompt) : null,
      h("div", { class: "job-meta" }, this.statusNode, this.countNode, this.elapsedNode, this.costNode, h("span", { class: "spacer" }), actions),
    );
    const groups = [];
    for (const model of distinct) {
      const variants = job.variants.filter((v) => v.model === model);
      const grid = h("div", { class: "variant-grid" });
      variants.forEach((variant, index) => {
        const card = new VariantCard(variant, {
          index,
          onCancel: (c) => this.cancelVariant(c),
          onRetry: (c) => this.retryVariant(c),
          onOpen: this.options.onOpen ? (c) => this.options.onOpen(job.id, c.id) : null,
          onWorkOn: this.options.onWorkOn ? (c, action) => this.options.onWorkOn(c.imageOut, action) : null,
          models: this.models,
        });
        this.cards.set(variant.id, card);
        grid.append(card.node);
      });
      const entry = this.models.find((m) => m.id === model);
      const group = h(
        "div",
        { class: "model-group", dataset: { model } },
        h("h2", {}, modelName(this.models, model), h("span", { class: "chip" }, plural(variants.length, "variant")), entry ? h("span", { class: "chip" }, priceLabel(entry)) : null),
        grid,
      );
      group.style.setProperty("--cards", String(Math.min(variants.length, 4)));
      groups.push(group);
    }
    fill(this.node, h("div", { class: "results" }, head, h("div", { class: "model-groups" }, groups)));
    this.renderHead();
  }

  get statuses() {
    return [...this.cards.values()].map((c) => c.state.status);
  }

  get finished() {
    return this.statuses.every((s) => TERMINAL.has(s));
  }

  renderHead() {
    const cards = [...this.cards.values()];
    const status = jobStatus(this.statuses);
    this.statusNode.dataset.status = status;
    this.statusNode.textContent = status;
    const done = cards.filter((c) => c.state.status === "succeeded").length;
    this.countNode.textContent = `${done} of ${plural(cards.length, "image")}`;
    const cost = cards.reduce((sum, c) => sum + (Number(c.state.cost) || 0), 0);
    this.costNode.textContent = money(cost);
    this.costNode.title = "Cost so far";
    const start = Date.parse(this.job.created_at);
    const ends = cards.map((c) => c.state.finishedAt || 0);
    const end = this.finished ? Math.max(...ends, start) : Date.now();
    this.elapsedNode.textContent = duration(Math.max(0, end - start));
    this.elapsedNode.title = "Elapsed";
    this.cancelButton.hidden = this.finished;
  }

  /** The newest (re)queue time of any card: job events older than it are replays. */
  get latestQueue() {
    return Math.max(0, ...[...this.cards.values()].map((c) => c.state.queuedAt || 0));
  }

  apply(type, data) {
    this.counter += 1;
    const card = data.variant_id ? this.cards.get(data.variant_id) : null;
    if (card) {
      card.touched = this.counter;
      card.apply(type, data);
    }
    if (type === "job.finished" && Date.parse(data.at) >= this.latestQueue) this.job.finished_at = data.at;
    this.renderHead();
  }

  /** Take a fresh GET; cards that heard newer events since `mark` keep their state. */
  sync(job, mark = Infinity) {
    this.job = { ...this.job, ...job, variants: job.variants };
    for (const variant of job.variants) {
      const card = this.cards.get(variant.id);
      if (card && !(card.touched > mark)) card.sync(variant);
    }
    this.renderHead();
  }

  tick() {
    for (const card of this.cards.values()) card.tick();
    if (!this.finished) this.renderHead();
  }

  async cancelAll() {
    try {
      this.sync(await jobs.cancel(this.job.id));
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  async cancelVariant(card) {
    try {
      this.sync(await jobs.cancelVariant(this.job.id, card.id));
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  async retryVariant(card) {
    try {
      this.sync(await jobs.retryVariant(this.job.id, card.id));
      if (this.options.onRetried) this.options.onRetried();
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }
}

/**
 * Keep a JobView live: open the job's SSE stream from the last position seen, re-read the
 * job on each (re)connection, and reopen after a retry. Returns {stop, reopen}.
 */
export function followJob(view) {
  const jobId = view.job.id;
  let stream = null;
  let stopped = false;

  async function resync() {
    const mark = view.counter;
    try {
      const job = await jobs.get(jobId);
      if (stopped) return;
      view.sync(job, mark);
      if (job.finished_at && view.finished && stream) stream.close();
    } catch (error) {
      if (error.status === 404 && stream) stream.close();
    }
  }

  function open() {
    if (stopped || (stream && !stream.closed)) return;
    const after = stream ? stream.position : savedPosition(jobId);
    stream = new JobStream(jobId, {
      after,
      onEvent: (type, data) => view.apply(type, data),
      onOpen: resync,
      // A replayed job.finished from before a retry must not end the stream.
      shouldClose: (type) => type === "job.deleted" || view.finished,
    }).open();
  }

  if (!view.finished) open();
  const timer = setInterval(() => view.tick(), 250);
  return {
    reopen: open,
    stop() {
      stopped = true;
      clearInterval(timer);
      if (stream) stream.close();
    },
  };
}
