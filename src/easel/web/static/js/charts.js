// Two small SVG charts, drawn by hand: generation-time distribution per model (a strip
// plot with median and p95 marks) and a per-day bar chart.

import { duration, modelColour, shortDay, svg } from "./ui.js";

function niceStep(max, count) {
  const raw = max / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || power * 10;
  return step;
}

function quantile(sorted, q) {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** A deterministic jitter in [-1, 1] so dots don't dance between renders. */
function jitter(i) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

/**
 * @param {{model: string, label: string, samples_ms: number[]}[]} series
 */
export function durationChart(series, width = 640) {
  const left = Math.round(Math.min(190, width * 0.34));
  const maxChars = Math.max(10, Math.floor(left / 6.4));
  const right = 24;
  const rowHeight = 52;
  const top = 8;
  const height = top + series.length * rowHeight + 28;
  const max = Math.max(1, ...series.flatMap((s) => s.samples_ms));
  const step = niceStep(max, width < 480 ? 3 : 5);
  const limit = Math.ceil(max / step) * step;
  const x = (value) => left + (value / limit) * (width - left - right);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Generation time per model" });
  const grid = svg("g", { class: "grid" });
  for (let tick = 0; tick <= limit + 1e-9; tick += step) {
    grid.append(
      svg("line", { x1: x(tick), x2: x(tick), y1: top, y2: height - 24 }),
      svg("text", { x: x(tick), y: height - 8, "text-anchor": "middle" }, duration(tick)),
    );
  }
  root.append(grid);
  series.forEach((s, row) => {
    const cy = top + row * rowHeight + rowHeight / 2;
    const sorted = [...s.samples_ms].sort((a, b) => a - b);
    const colour = s.colour || modelColour(row);
    const group = svg("g", { class: "series", "data-model": s.model });
    group.append(
      svg("text", { x: left - 12, y: cy + 4, "text-anchor": "end" }, s.label.length > maxChars ? `${s.label.slice(0, maxChars - 1)}…` : s.label),
    );
    if (sorted.length) {
      group.append(svg("line", { class: "range", x1: x(sorted[0]), x2: x(sorted[sorted.length - 1]), y1: cy, y2: cy }));
      sorted.forEach((value, i) => {
        const dot = svg("circle", { class: "dot", cx: x(value), cy: cy + jitter(i) * (rowHeight * 0.28), r: 3.2 }, svg("title", {}, duration(value)));
        dot.style.fill = colour;
        group.append(dot);
      });
      const p50 = quantile(sorted, 0.5);
      const p95 = quantile(sorted, 0.95);
      group.append(
        svg("line", { class: "median", x1: x(p50), x2: x(p50), y1: cy - 14, y2: cy + 14 }, svg("title", {}, `median ${duration(p50)}`)),
        svg("line", { class: "p95", x1: x(p95), x2: x(p95), y1: cy - 14, y2: cy + 14 }, svg("title", {}, `p95 ${duration(p95)}`)),
      );
    }
    root.append(group);
  });
  return root;
}

/**
 * @param {{date: string, value: number}[]} days
 * @param {(value: number) => string} format
 */
export function barChart(days, format, label, width = 640) {
  const height = 220;
  const left = 52;
  const bottom = 26;
  const top = 10;
  const max = Math.max(0, ...days.map((d) => d.value));
  const step = niceStep(max || 1, 4);
  const limit = Math.max(step, Math.ceil(max / step) * step);
  const plotWidth = width - left - 8;
  const band = plotWidth / Math.max(1, days.length);
  const y = (value) => top + (1 - value / limit) * (height - top - bottom);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  const grid = svg("g", { class: "grid" });
  for (let tick = 0; tick <= limit + 1e-9; tick += step) {
    grid.append(
      svg("line", { x1: left, x2: width - 8, y1: y(tick), y2: y(tick) }),
      svg("text", { x: left - 8, y: y(tick) + 4, "text-anchor": "end" }, format(tick)),
    );
  }
  root.append(grid);
  const labelEvery = Math.ceil(days.length / Math.max(2, Math.floor(width / 100)));
  days.forEach((day, i) => {
    const bx = left + i * band + band * 0.18;
    const bw = Math.max(2, band * 0.64);
    const by = y(day.value);
    const bar = svg("rect", { class: "bar", x: bx, y: by, width: bw, height: Math.max(day.value ? 2 : 0, y(0) - by), rx: 3 }, svg("title", {}, `${shortDay(day.date)}: ${format(day.value)}`));
    root.append(bar);
    if ((days.length - 1 - i) % labelEvery === 0) {
      root.append(svg("text", { x: bx + bw / 2, y: height - 8, "text-anchor": "middle" }, shortDay(day.date)));
    }
  });
  return root;
}
