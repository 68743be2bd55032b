// Compare: one job's models side by side, a column each with time and cost, or a grid
// job along any two axes (compare-grid.js); pick the winner (of a grid: per row), and the
// picks add up into a per-model leaderboard.

import * as api from "./api.js";
import { VariantCard } from "./cards.js";
import { LiveCards } from "./compare-cards.js";
import { GridView, gridTitle, rowPicks } from "./compare-grid.js";
import { gridBuilder } from "./compare-grid-builder.js";
import { followJob } from "./jobview.js";
import { duration, fill, h, icon, modelName, money, plural, problemText, toast, when } from "./ui.js";

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function renderLeaderboard(node, models) {
  let standings = [];
  try {
    standings = await api.stats.leaderboard();
  } catch (error) {
    fill(node, h("p", { class: "muted" }, problemText(error)));
    return;
  }
  const top = Math.max(1, ...standings.map((s) => s.wins));
  fill(node, 
    h("h2", {}, "Leaderboard"),
    standings.length
      ? h(
          "ol",
          { id: "leaderboard" },
          standings.map((s, i) => {
            const meter = h("span", {});
            meter.style.width = `${Math.round((s.wins / top) * 100)}%`;
            return h(
              "li",
              { dataset: { model: s.model } },
              h("span", { class: "rank" }, String(i + 1)),
              h("span", { class: "name" }, modelName(models, s.model)),
              h("span", { class: "wins", title: `${Math.round(s.win_rate * 100)}% of ${plural(s.contests, "comparison")}` }, plural(s.wins, "win")),
              h("div", { class: "meter", "aria-hidden": "true" }, meter),
            );
          }),
        )
      : h("p", { class: "muted small" }, "Pick a winner in a comparison and the models start adding up wins here."),
  );
}

/** The columns of one job, a column per model. */
class CompareView extends LiveCards {
  constructor(job, winner, models, onPicked) {
    super(job, models, onPicked);
    this.winner = winner;
    this.columns = [];
    const distinct = [...new Set(job.variants.map((v) => v.model))];
    this.node = h("div", { class: "compare-columns", id: "compare-columns" });
    for (const model of distinct) {
      const sub = h("span", { class: "sub" });
      const list = h("div", { class: "compare-column-cards" });
      const column = h("section", { class: "compare-column", dataset: { model }, "aria-label": modelName(models, model) }, h("header", {}, h("h2", {}, modelName(models, model)), sub), list);
      job.variants
        .filter((v) => v.model === model)
        .forEach((variant, index) => {
          const card = new VariantCard(variant, {
            index,
            winner: variant.id === winner,
            onPick: (c) => this.pick(c),
            onRetry: (c) => this.retry(c),
          });
          this.cards.set(variant.id, card);
          list.append(card.node);
        });
      this.columns.push({ model, sub });
      this.node.append(column);
    }
    this.changed();
  }

  /** Each column's median time and total cost. */
  changed() {
    for (const { model, sub } of this.columns) {
      const cards = [...this.cards.values()].filter((c) => c.model === model);
      const times = cards.filter((c) => c.state.status === "succeeded").map((c) => c.elapsed()).filter((t) => t !== null);
      const cost = cards.reduce((sum, c) => sum + (Number(c.state.cost) || 0), 0);
      const entry = this.models.find((m) => m.id === model);
      sub.textContent = `${times.length ? `median ${duration(median(times))}` : "no image yet"} · ${money(cost)} total${entry ? ` · ${entry.provider}` : ""}`;
    }
  }

  async pick(card) {
    const next = this.winner === card.id ? null : card.id;
    try {
      const result = await api.jobs.setWinner(this.job.id, next);
      this.winner = result.variant_id;
      for (const c of this.cards.values()) c.setWinner(c.id === this.winner);
      toast(this.winner ? `${modelName(this.models, result.model)} wins this one` : "Pick cleared");
      this.onPicked();
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }
}

async function recentComparisons() {
  const found = [];
  let before = null;
  for (let page = 0; page < 6 && found.length < 24; page += 1) {
    const result = await api.jobs.list({ limit: 100, before });
    for (const job of result.items) {
      if (job.grid || new Set(job.variants.map((v) => v.model)).size > 1) found.push(job);
    }
    if (!result.next_cursor) break;
    before = result.next_cursor;
  }
  return found;
}

export async function mount(root, { navigate, params }) {
  const models = await api.models();
  const board = h("aside", { class: "card leaderboard", "aria-label": "Model leaderboard" });
  const content = h("div", { class: "compare-main" });
  root.append(
    h(
      "div",
      { class: "page" },
      h(
        "div",
        { class: "page-head" },
        h("div", {}, h("h1", {}, "Compare"), h("p", {}, "Run one prompt on several models, or a grid along any two axes, then pick the best images.")),
        h("span", { class: "spacer" }),
        params[0] ? h("a", { class: "button small", href: "/compare", "data-link": "" }, icon("back"), "All comparisons") : null,
      ),
      h("div", { class: "compare-layout" }, content, board),
    ),
  );
  renderLeaderboard(board, models);

  if (!params[0]) {
    const jobs = await recentComparisons();
    content.append(gridBuilder(models, (id) => navigate(`/compare/${id}`)));
    content.append(
      jobs.length
        ? h(
            "div",
            { class: "job-list", id: "comparisons" },
            jobs.map((job) => {
              const first = job.variants.find((v) => v.image);
              const distinct = [...new Set(job.variants.map((v) => v.model))];
              return h(
                "a",
                { class: "card job-row", href: `/compare/${job.id}`, "data-link": "", dataset: { jobId: job.id } },
                first ? h("img", { src: first.image.thumbnail_url, alt: "", loading: "lazy" }) : h("div", { class: "ph" }),
                h("div", {}, h("div", { class: "prompt" }, job.prompt), h("div", { class: "sub" }, `${job.grid ? `Grid: ${gridTitle(job.grid)}` : distinct.map((m) => modelName(models, m)).join(" vs ")} · ${when(job.created_at)}`)),
                icon("open"),
              );
            }),
          )
        : h(
            "div",
            { class: "card empty" },
            icon("columns"),
            h("h2", {}, "No comparisons yet"),
            h("p", {}, "Build a grid above, or pick two or more models for one prompt in the studio; the job shows up here."),
            h("a", { class: "button primary", href: "/", "data-link": "" }, icon("wand"), "Open the studio"),
          ),
    );
    return undefined;
  }

  let job;
  try {
    job = await api.jobs.get(params[0]);
  } catch (error) {
    if (error.status === 404) {
      content.append(h("div", { class: "card empty" }, icon("search"), h("h2", {}, "No such job"), h("p", {}, "It may have been deleted.")));
      return undefined;
    }
    throw error;
  }
  const refreshBoard = () => renderLeaderboard(board, models);
  const view = job.grid
    ? new GridView(job, await rowPicks(job.id), models, refreshBoard)
    : new CompareView(job, job.winner_variant_id, models, refreshBoard);
  content.append(
    h(
      "div",
      { class: "card job-head" },
      h("p", { class: "prompt" }, job.prompt),
      h(
        "div",
        { class: "job-meta" },
        h("span", {}, when(job.created_at)),
        h("span", {}, money(job.cost_usd)),
        job.grid ? h("span", { class: "chip" }, `Grid: ${gridTitle(job.grid)}`) : null,
        h("span", { class: "spacer" }),
        h("a", { class: "button small", href: `/history/${job.id}`, "data-link": "" }, icon("open"), "Details"),
      ),
    ),
    h("div", { class: "results" }, view.node),
  );
  view.follower = followJob(view);
  return () => view.follower.stop();
}
