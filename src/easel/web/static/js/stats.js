// Stats: per-model counts, success rate, p50/p95 time and cost, with two charts.

import * as api from "./api.js";
import { barChart, durationChart } from "./charts.js";
import { duration, fill, fullDate, h, icon, modelColour, modelName, money, problemText, toast } from "./ui.js";

const DAYS = 30;

function kpi(label, value, id) {
  return h("div", { class: "card kpi" }, h("span", { class: "label" }, label), h("span", { class: "value", id }, value));
}

function rate(value) {
  if (value === null || value === undefined) return "—";
  const meter = h("span", {});
  meter.style.width = `${Math.round(value * 100)}%`;
  return h("span", { class: "rate" }, h("span", { class: "meter", "aria-hidden": "true" }, meter), `${Math.round(value * 100)}%`);
}

function checkLines(vendor) {
  const lines = [];
  for (const model of vendor.not_served) lines.push(["danger", `${model}: ${vendor.name} no longer serves it`]);
  for (const s of vendor.shutting_down) lines.push([s.news ? "danger" : "warning", `${s.model} shuts down on ${s.shutdown_date}${s.news ? " (new)" : ""}`]);
  for (const model of vendor.missing) lines.push(["accent", `${model}: served by ${vendor.name}, not in Easel's catalog`]);
  return lines;
}

/** For admins: what the last comparison of the catalog with the vendors found. */
function catalogCheck() {
  const body = h("div", { class: "check-body" });
  const when = h("p", { class: "sub" });
  const run = h("button", { type: "button", class: "button small", id: "check-models" }, "Check now");

  function show(report) {
    if (!report) {
      when.textContent = "Not checked yet. The server checks daily with EASEL_CHECK_MODELS=true.";
      fill(body);
      return;
    }
    when.textContent = `Last checked ${fullDate(report.checked_at)}`;
    fill(
      body,
      report.providers.map((vendor) => {
        const lines = checkLines(vendor);
        const detail = !vendor.checked
          ? h("p", { class: "muted small" }, vendor.note)
          : lines.length
            ? h("ul", { class: "check-lines" }, lines.map(([kind, text]) => h("li", {}, h("span", { class: `chip ${kind}` }, text))))
            : h("p", { class: "muted small" }, "Matches the catalog.");
        return h("div", { class: "check-vendor", dataset: { provider: vendor.provider } }, h("h3", {}, vendor.name), detail);
      }),
    );
  }

  run.addEventListener("click", async () => {
    run.disabled = true;
    try {
      show(await api.modelCheck.run());
    } catch (error) {
      toast(problemText(error), { error: true });
    } finally {
      run.disabled = false;
    }
  });
  api.modelCheck.read().then(show, (error) => toast(problemText(error), { error: true }));
  return h(
    "section",
    { class: "card", id: "catalog-check", "aria-labelledby": "catalog-check-title" },
    h("div", { class: "row" }, h("div", {}, h("h2", { id: "catalog-check-title" }, "Model catalog check"), when), h("span", { class: "spacer" }), run),
    body,
  );
}

export async function mount(root) {
  const [models, rows, spend, durations, account] = await Promise.all([api.models(), api.stats.models(), api.stats.spend(DAYS), api.stats.durations(), api.me.read()]);
  const order = rows.map((r) => r.model);
  const succeeded = rows.reduce((s, r) => s + r.succeeded, 0);
  const failed = rows.reduce((s, r) => s + r.failed, 0);
  const total = rows.reduce((s, r) => s + Number(r.total_cost_usd), 0);
  const allSamples = durations.flatMap((d) => d.samples_ms).sort((a, b) => a - b);
  const median = allSamples.length ? allSamples[Math.max(0, Math.ceil(allSamples.length / 2) - 1)] : null;

  const page = h("div", { class: "page" }, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Stats"), h("p", {}, "How each model does for you: volume, reliability, speed and spend."))));
  root.append(page);
  if (account.is_admin) page.append(catalogCheck());
  if (!rows.length) {
    page.append(h("div", { class: "card empty" }, icon("chart"), h("h2", {}, "No numbers yet"), h("p", {}, "Generate a few images and the stats fill in."), h("a", { class: "button primary", href: "/", "data-link": "" }, icon("wand"), "Open the studio")));
    return;
  }

  page.append(
    h(
      "div",
      { class: "kpis" },
      kpi("Images", String(succeeded), "kpi-images"),
      kpi("Success rate", succeeded + failed ? `${Math.round((succeeded / (succeeded + failed)) * 100)}%` : "—", "kpi-success"),
      kpi("Median time", duration(median), "kpi-median"),
      kpi("Total spend", money(total), "kpi-spend"),
    ),
  );

  // Spend over time, with a switch to images per day (offline models cost nothing).
  const spendHolder = h("div", { class: "chart-holder", id: "spend-chart" });
  const anySpend = spend.some((d) => Number(d.cost_usd) > 0);
  const modes = {
    spend: (width) => barChart(spend.map((d) => ({ date: d.date, value: Number(d.cost_usd) })), (v) => money(v), "Spend per day", width),
    images: (width) => barChart(spend.map((d) => ({ date: d.date, value: d.images })), (v) => String(Math.round(v * 10) / 10), "Images per day", width),
  };
  const toggles = {};
  let mode = anySpend ? "spend" : "images";
  const widthOf = (node) => Math.max(300, Math.round(node.clientWidth || 640));
  function show(next) {
    mode = next;
    fill(spendHolder, modes[mode](widthOf(spendHolder)));
    for (const [name, button] of Object.entries(toggles)) button.setAttribute("aria-pressed", String(name === mode));
  }
  for (const name of ["spend", "images"]) {
    toggles[name] = h("button", { type: "button", class: "button small ghost", "aria-pressed": "false", onclick: () => show(name) }, name === "spend" ? "Spend" : "Images");
  }

  const durationSeries = order
    .map((model) => durations.find((d) => d.model === model))
    .filter(Boolean)
    .map((d) => ({ ...d, label: modelName(models, d.model), colour: modelColour(order.indexOf(d.model)) }));

  const durationHolder = h("div", { class: "chart-holder", id: "duration-chart" });
  const drawDurations = () => fill(durationHolder, durationChart(durationSeries, widthOf(durationHolder)));
  page.append(
    h(
      "div",
      { class: "charts" },
      h(
        "section",
        { class: "card chart-card", "aria-labelledby": "durations-title" },
        h("div", {}, h("h2", { id: "durations-title" }, "Generation time by model"), h("p", { class: "sub" }, "Each dot is one image; latest 300 per model.")),
        durationSeries.length ? durationHolder : h("p", { class: "muted" }, "No finished images yet."),
        h("div", { class: "legend" }, h("span", {}, h("i", {}), "median"), h("span", {}, h("i", { class: "p95" }), "p95")),
      ),
      h(
        "section",
        { class: "card chart-card", "aria-labelledby": "spend-title" },
        h("div", { class: "row" }, h("div", {}, h("h2", { id: "spend-title" }, "Spend over time"), h("p", { class: "sub" }, `Last ${DAYS} days${anySpend ? "" : " · everything so far was free"}`)), h("span", { class: "spacer" }), toggles.spend, toggles.images),
        spendHolder,
      ),
    ),
  );
  show(mode);
  if (durationSeries.length) drawDurations();
  let lastWidth = 0;
  const resized = new ResizeObserver(() => {
    const width = widthOf(spendHolder);
    if (Math.abs(width - lastWidth) < 8) return;
    lastWidth = width;
    show(mode);
    if (durationSeries.length) drawDurations();
  });
  resized.observe(spendHolder);

  page.append(
    h(
      "section",
      { class: "card", "aria-labelledby": "models-table-title" },
      h("div", { class: "panel" }, h("h2", { id: "models-table-title" }, "Per model")),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data", id: "model-stats" },
          h("thead", {}, h("tr", {}, ["Model", "Variants", "Succeeded", "Failed", "Canceled", "Success", "p50", "p95", "Cost"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            rows.map((row, i) => {
              const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
              swatch.style.background = modelColour(i);
              return h(
                "tr",
                { dataset: { model: row.model } },
                h("td", {}, swatch, modelName(models, row.model)),
                h("td", {}, String(row.count)),
                h("td", {}, String(row.succeeded)),
                h("td", {}, String(row.failed)),
                h("td", {}, String(row.canceled)),
                h("td", {}, rate(row.success_rate)),
                h("td", {}, duration(row.p50_ms)),
                h("td", {}, duration(row.p95_ms)),
                h("td", {}, money(row.total_cost_usd)),
              );
            }),
          ),
        ),
      ),
    ),
  );
  return () => resized.disconnect();
}
