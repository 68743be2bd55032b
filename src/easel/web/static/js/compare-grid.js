// Compare grids: one job laid out as a table of one axis (columns) by another (rows),
// each cell its variant cards, the rows and columns labelled from the job's own record;
// a winner is picked per row, and the picks add up in the leaderboard like any other.

import * as api from "./api.js";
import { VariantCard } from "./cards.js";
import { LiveCards } from "./compare-cards.js";
import { h, modelName, problemText, toast } from "./ui.js";
const AXIS_NAMES = { model: "Model", style: "Style", seed: "Seed", quality: "Quality", size: "Size", prompt: "Prompt" };

export const axisName = (axis) => AXIS_NAMES[axis] || axis;

/** "Seed × Style": what a grid compares, columns first. */
export function gridTitle(grid) {
  return grid.y ? `${axisName(grid.x.axis)} × ${axisName(grid.y.axis)}` : axisName(grid.x.axis);
}

/** A job's picks by row (GET /jobs/{id}/winners), row index → variant id. */
export async function rowPicks(jobId) {
  const picks = await api.api(`/jobs/${encodeURIComponent(jobId)}/winners`);
  const rows = new Map();
  for (const pick of picks) if (pick.row !== null && pick.column === null && pick.variant_id) rows.set(pick.row, pick.variant_id);
  return rows;
}

function pickRow(jobId, row, variantId) {
  return api.api(`/jobs/${encodeURIComponent(jobId)}/winner`, { method: "PUT", body: { variant_id: variantId, row } });
}

/** The table of one grid job, a cell per (row, column). */
export class GridView extends LiveCards {
  constructor(job, picks, models, onPicked) {
    super(job, models, onPicked);
    this.picks = picks;
    this.rowOf = new Map();
    const { x, y } = job.grid;
    const rows = y ? y.labels : [null];
    this.rowNotes = [];
    const head = h(
      "tr",
      {},
      h("th", { class: "grid-corner", scope: "col" }, y ? `${axisName(y.axis)} ╲ ${axisName(x.axis)}` : axisName(x.axis)),
      x.labels.map((label, column) => h("th", { scope: "col", class: "grid-col-head", dataset: { column: String(column) }, title: label }, this.label(x.axis, x.values[column], label))),
    );
    const body = rows.map((label, row) => {
      const note = h("span", { class: "row-winner" });
      this.rowNotes.push(note);
      return h(
        "tr",
        { dataset: { row: String(row) } },
        h("th", { scope: "row", class: "grid-row-head", title: label || "" }, h("span", { class: "row-label" }, label === null ? "" : this.label(y.axis, y.values[row], label)), note),
        x.labels.map((_, column) => {
          const cell = h("td", { class: "grid-cell", dataset: { row: String(row), column: String(column) } });
          job.variants
            .filter((v) => v.cell && v.cell.row === row && v.cell.column === column)
            .forEach((variant, index) => {
              const card = new VariantCard(variant, {
                index,
                winner: picks.get(row) === variant.id,
                onPick: (c) => this.pick(c),
                onRetry: (c) => this.retry(c),
              });
              this.cards.set(variant.id, card);
              this.rowOf.set(variant.id, row);
              cell.append(card.node);
            });
          return cell;
        }),
      );
    });
    const table = h("table", { class: "compare-grid", id: "compare-grid", "aria-label": `Grid: ${gridTitle(job.grid)}` }, h("thead", {}, head), h("tbody", {}, body));
    table.style.minWidth = `${164 + x.labels.length * 192}px`;
    this.node = h("div", { class: "compare-grid-scroll" }, table);
    this.renderNotes();
  }

  label(axis, value, label) {
    return axis === "model" ? modelName(this.models, value) : label;
  }

  renderNotes() {
    this.rowNotes.forEach((note, row) => {
      const variant = this.job.variants.find((v) => v.id === this.picks.get(row));
      note.textContent = variant ? `Best: ${variant.cell.column_label}` : "";
    });
  }

  async pick(card) {
    const row = this.rowOf.get(card.id);
    const next = this.picks.get(row) === card.id ? null : card.id;
    try {
      const result = await pickRow(this.job.id, row, next);
      if (result.variant_id) this.picks.set(row, result.variant_id);
      else this.picks.delete(row);
      for (const [id, c] of this.cards) if (this.rowOf.get(id) === row) c.setWinner(id === result.variant_id);
      this.renderNotes();
      toast(result.variant_id ? "Picked the best of this row" : "Pick cleared");
      this.onPicked();
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }
}
