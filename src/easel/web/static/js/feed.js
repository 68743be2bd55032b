// The studio's feed: every job started or opened in this browser session, newest first,
// each kept live over its own stream. The list of ids lives in sessionStorage, so a
// reload brings the whole session back; clicking an image opens the detail view in place.

import { jobs } from "./api.js";
import { openDetail } from "./detail.js";
import { JobView, followJob } from "./jobview.js";
import { h, problemText, toast } from "./ui.js";

const KEY = "easel.sessionJobs";
const MAX_JOBS = 20; // older ones leave the page (they stay in History)

function savedIds() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    return Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export class Feed {
  /**
   * @param {object[]} models  the catalog
   * @param {{navigate: Function, welcome: () => HTMLElement, workOn?: Function}} options
   *   workOn(image, action) runs an operation on a result (see imageactions.js)
   */
  constructor(models, { navigate, welcome, workOn = null }) {
    this.models = models;
    this.workOn = workOn;
    this.navigate = navigate;
    this.welcome = welcome;
    this.entries = new Map(); // job id -> {view, follower}
    this.node = h("div", { class: "feed", id: "feed" });
    this.renderEmpty();
  }

  get newest() {
    return [...this.entries.keys()].at(-1) || null;
  }

  renderEmpty() {
    if (this.entries.size === 0) this.node.replaceChildren(this.welcome());
  }

  save() {
    const ids = [...this.entries.keys()];
    try {
      sessionStorage.setItem(KEY, JSON.stringify(ids));
    } catch {
      /* storage disabled: a reload starts an empty feed */
    }
    const url = new URL(location.href);
    if (ids.length) url.searchParams.set("job", ids.at(-1));
    else url.searchParams.delete("job");
    history.replaceState(history.state, "", url);
  }

  /** Put a job at the top of the feed (moving it there if it is already shown). */
  add(job, { reveal = false } = {}) {
    if (this.entries.has(job.id)) this.remove(job.id, { save: false });
    if (this.entries.size === 0) this.node.replaceChildren();
    const view = new JobView(job, this.models, {
      onOpen: (jobId, variantId) => this.open(jobId, variantId),
      onCompare: (jobId) => this.navigate(`/compare/${jobId}`),
      onRetried: () => this.entries.get(job.id)?.follower.reopen(),
      onDismiss: (jobId) => this.remove(jobId),
      onWorkOn: this.workOn,
    });
    this.entries.set(job.id, { view, follower: followJob(view) });
    this.node.prepend(view.node);
    while (this.entries.size > MAX_JOBS) this.remove(this.entries.keys().next().value, { save: false });
    this.save();
    // On a phone the feed is below the form: bring the new job's progress into view.
    if (reveal) view.node.scrollIntoView({ block: "start", behavior: "instant" });
    return view;
  }

  remove(jobId, { save = true } = {}) {
    const entry = this.entries.get(jobId);
    if (!entry) return;
    entry.follower.stop();
    entry.view.node.remove();
    this.entries.delete(jobId);
    if (save) this.save();
    this.renderEmpty();
  }

  /** Bring back this session's jobs (and `extra`, a job named in the URL). */
  async resume(extra = null) {
    const ids = savedIds();
    if (extra && !ids.includes(extra)) ids.push(extra);
    const found = await Promise.all(
      ids.map((id) =>
        jobs.get(id).catch((error) => {
          if (error.status !== 404) toast(problemText(error), { error: true });
          return null;
        }),
      ),
    );
    for (const job of found) if (job) this.add(job);
    this.save();
  }

  async open(jobId, variantId) {
    try {
      await openDetail(jobId, {
        variantId,
        navigate: this.navigate,
        onChange: (job) => job === null && this.remove(jobId),
        workOn: this.workOn,
      });
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  stop() {
    for (const entry of this.entries.values()) entry.follower.stop();
  }
}
