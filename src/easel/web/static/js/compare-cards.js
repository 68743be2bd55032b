// What both compare views share: the variant cards of one job, kept live by followJob
// (they quack like JobView: apply, sync, tick, finished), and Retry on a failed card.
// A subclass lays the cards out and may redraw its summaries in `changed()`.

import * as api from "./api.js";
import { problemText, toast } from "./ui.js";

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

export class LiveCards {
  constructor(job, models, onPicked) {
    this.job = job;
    this.models = models;
    this.onPicked = onPicked;
    this.cards = new Map();
    this.counter = 0;
  }

  /** Redraw what sums the cards up (a column's time and cost); nothing by default. */
  changed() {}

  get finished() {
    return [...this.cards.values()].every((c) => TERMINAL.has(c.state.status));
  }

  apply(type, data) {
    this.counter += 1;
    const card = data.variant_id ? this.cards.get(data.variant_id) : null;
    if (card) {
      card.touched = this.counter;
      card.apply(type, data);
    }
    this.changed();
  }

  sync(job, mark = Infinity) {
    this.job = job;
    for (const variant of job.variants) {
      const card = this.cards.get(variant.id);
      if (card && !(card.touched > mark)) card.sync(variant);
    }
    this.changed();
  }

  tick() {
    for (const card of this.cards.values()) card.tick();
  }

  async retry(card) {
    try {
      this.sync(await api.jobs.retryVariant(this.job.id, card.id));
      if (this.follower) this.follower.reopen();
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }
}
