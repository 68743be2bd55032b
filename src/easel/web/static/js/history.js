// History: every job, newest first, in an endlessly scrolling gallery with filters.
// Filters live in the query string; /history/{job_id} opens the job's detail view.

import * as api from "./api.js";
import { openDetail } from "./detail.js";
import { jobTitle } from "./operations.js";
import { fill, fullDate, h, icon, iconButton, modelName, money, plural, problemText, toast, when } from "./ui.js";

const PAGE_SIZE = 36;
const STATUSES = ["succeeded", "partial", "failed", "canceled", "running", "queued"];

function dayStart(value, addDays = 0) {
  if (!value) return null;
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

function mosaic(job) {
  const variants = job.variants;
  const cells = variants.slice(0, 9).map((variant) => {
    if (variant.image) {
      return h(
        "div",
        { class: "cell" },
        h("img", {
          src: variant.image.thumbnail_url,
          alt: "",
          loading: "lazy",
          decoding: "async",
          width: 192,
          height: 192,
          dataset: { sha: variant.image.sha256 },
        }),
      );
    }
    if (variant.status === "failed") return h("div", { class: "cell failed", title: variant.error ? variant.error.message : "Failed" }, icon("alert"));
    if (variant.status === "canceled") return h("div", { class: "cell canceled", title: "Canceled" }, icon("ban", "Canceled"));
    return h("div", { class: "cell pending" }, variant.status);
  });
  // Square cells on a 1×1, 2×2 or 3×3 grid: never one image cut into a narrow strip.
  const count = Math.min(variants.length, 9);
  const side = count === 1 ? 1 : count <= 4 ? 2 : 3;
  const mosaicNode = h("div", { class: "mosaic", dataset: { count: String(count) } }, cells);
  mosaicNode.style.setProperty("--side", String(side));
  return mosaicNode;
}

function tile(job, models, open) {
  const distinct = [...new Set(job.variants.map((v) => v.model))];
  const images = job.variants.filter((v) => v.image).length;
  return h(
    "a",
    {
      class: "card tile",
      href: `/history/${job.id}`,
      dataset: { jobId: job.id, status: job.status },
      "aria-label": `${jobTitle(job)} — ${plural(images, "image")}, ${job.status}`,
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        open(job.id);
      },
    },
    mosaic(job),
    h(
      "div",
      { class: "tile-body" },
      h("p", { class: "prompt" }, jobTitle(job)),
      h(
        "div",
        { class: "meta" },
        h("span", { class: "status", dataset: { status: job.status } }, job.status),
        job.favorite ? h("span", { class: "fav", title: "Favourite" }, icon("star-filled", "Favourite")) : null,
        h("time", { class: "when", datetime: job.created_at, title: fullDate(job.created_at) }, when(job.created_at)),
      ),
      h(
        "p",
        { class: "models" },
        `${plural(images, "image")} · ${distinct.map((m) => modelName(models, m)).join(", ")}${Number(job.cost_usd) ? ` · ${money(job.cost_usd)}` : ""}`,
      ),
    ),
  );
}

export async function mount(root, { navigate, params }) {
  const models = await api.models();
  const query = new URLSearchParams(location.search);
  const filters = {
    q: query.get("q") || "",
    model: query.get("model") || "",
    status: query.get("status") || "",
    since: query.get("since") || "",
    until: query.get("until") || "",
    favorite: query.get("favorite") === "true",
    descendants_of: query.get("descendants_of") || "", // set by a detail's lineage link
  };
  const state = { cursor: null, done: false, loading: false, generation: 0, controller: null, count: 0, total: null };

  const search = h("input", { id: "filter-q", class: "input", type: "search", placeholder: "Search prompts", value: filters.q });
  const model = h(
    "select",
    { id: "filter-model", class: "input" },
    h("option", { value: "" }, "All models"),
    models.map((m) => h("option", { value: m.id }, m.name)),
  );
  const status = h(
    "select",
    { id: "filter-status", class: "input" },
    h("option", { value: "" }, "Any status"),
    STATUSES.map((s) => h("option", { value: s }, s[0].toUpperCase() + s.slice(1))),
  );
  const since = h("input", { id: "filter-since", class: "input", type: "date", value: filters.since });
  const until = h("input", { id: "filter-until", class: "input", type: "date", value: filters.until });
  const favorite = h("input", { id: "filter-favorite", type: "checkbox", checked: filters.favorite });
  const lineage = h(
    "div",
    { class: "chip accent lineage-filter", id: "filter-lineage", hidden: !filters.descendants_of },
    `Made from image ${filters.descendants_of.slice(0, 10)}…`,
    iconButton("x", "Show every job, not only those made from this image", () => {
      filters.descendants_of = "";
      lineage.hidden = true;
      reset();
    }),
  );
  model.value = filters.model;
  status.value = filters.status;

  const gallery = h("div", { class: "gallery", id: "gallery", "aria-live": "polite", "aria-busy": "false" });
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  const footer = h("div", { class: "loading-row" });
  const summary = h("p", { id: "history-summary" });
  const gone = h(
    "div",
    { class: "alert warning", id: "job-gone", role: "alert", tabindex: -1, hidden: true },
    icon("alert"),
    h("div", {}, h("b", {}, "That job is gone."), " It was deleted, or the link is to someone else's job. Everything you have is below."),
  );

  function readFilters() {
    filters.q = search.value.trim();
    filters.model = model.value;
    filters.status = status.value;
    filters.since = since.value;
    filters.until = until.value;
    filters.favorite = favorite.checked;
    const url = new URL(location.href);
    for (const [key, value] of Object.entries(filters)) {
      if (value) url.searchParams.set(key, String(value));
      else url.searchParams.delete(key);
    }
    history.replaceState(history.state, "", url);
  }

  async function loadMore() {
    if (state.loading || state.done) return;
    state.loading = true;
    const generation = state.generation;
    gallery.setAttribute("aria-busy", "true");
    fill(footer, h("div", { class: "spinner", "aria-hidden": "true" }), h("span", {}, "\u00a0 Loading…"));
    state.controller = new AbortController();
    try {
      const page = await api.jobs.list(
        {
          q: filters.q,
          model: filters.model,
          status: filters.status,
          since: dayStart(filters.since),
          until: dayStart(filters.until, 1),
          favorite: filters.favorite ? "true" : null,
          descendants_of: filters.descendants_of,
          before: state.cursor,
          limit: PAGE_SIZE,
        },
        state.controller.signal,
      );
      if (generation !== state.generation) return;
      for (const job of page.items) gallery.append(tile(job, models, open));
      state.count += page.items.length;
      if (page.total !== null && page.total !== undefined) state.total = page.total;
      state.cursor = page.next_cursor;
      state.done = !page.next_cursor;
      renderFooter();
    } catch (error) {
      if (error.name === "AbortError" || generation !== state.generation) return;
      fill(footer, h("span", {}, problemText(error)), h("button", { type: "button", class: "button small", onclick: () => loadMore() }, "Try again"));
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        gallery.setAttribute("aria-busy", "false");
      }
    }
    // Keep filling while the sentinel is still on screen (tall screens, short pages).
    if (!state.done && generation === state.generation && isVisible(sentinel)) loadMore();
  }

  function isVisible(node) {
    const rect = node.getBoundingClientRect();
    return rect.top < window.innerHeight + 600;
  }

  function renderFooter() {
    const filtered = Object.values(filters).some(Boolean);
    const total = state.done ? state.count : (state.total ?? state.count);
    summary.textContent = `${plural(total, "job")}${filtered ? " matching the filters" : ""}`;
    if (!state.done) {
      footer.replaceChildren();
      return;
    }
    if (state.count === 0) {
      fill(footer, 
        h(
          "div",
          { class: "empty" },
          icon(filtered ? "search" : "image"),
          h("h2", {}, filtered ? "Nothing matches" : "No images yet"),
          h("p", {}, filtered ? "Try other filters." : "Generate something in the studio and it shows up here."),
          filtered ? null : h("a", { class: "button primary", href: "/", "data-link": "" }, icon("wand"), "Open the studio"),
        ),
      );
    } else {
      fill(footer, h("span", {}, "That's everything."));
    }
  }

  function reset() {
    state.generation += 1;
    if (state.controller) state.controller.abort();
    Object.assign(state, { cursor: null, done: false, loading: false, count: 0, total: null });
    gallery.replaceChildren();
    readFilters();
    loadMore();
  }

  let debounce = null;
  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(reset, 300);
  });
  for (const control of [model, status, since, until, favorite]) control.addEventListener("change", reset);

  async function open(jobId, variantId = null) {
    const path = `/history/${jobId}`;
    if (location.pathname !== path) history.pushState({}, "", path + location.search);
    try {
      await openDetail(jobId, {
        variantId,
        navigate,
        onChange: (job) => {
          const existing = gallery.querySelector(`[data-job-id="${CSS.escape(jobId)}"]`);
          if (!existing) return;
          if (job) existing.replaceWith(tile(job, models, open));
          else existing.remove();
        },
      });
    } catch (error) {
      const back = new URL(location.href);
      back.pathname = "/history";
      back.searchParams.delete("variant");
      history.replaceState({}, "", back);
      if (error.status !== 404) {
        toast(problemText(error), { error: true });
        return;
      }
      // A link to a job that was deleted (or is not yours): say so, above the gallery.
      gone.hidden = false;
      gone.focus();
      return;
    }
    if (location.pathname === path) {
      const url = new URL(location.href);
      url.pathname = "/history";
      url.searchParams.delete("variant");
      history.pushState({}, "", url);
      const again = gallery.querySelector(`[data-job-id="${CSS.escape(jobId)}"]`);
      if (again) again.focus();
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "600px 0px" });

  root.append(
    h(
      "div",
      { class: "page" },
      h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "History"), summary)),
      gone,
      h(
        "form",
        { class: "card filters", role: "search", "aria-label": "Filter history", onsubmit: (e) => e.preventDefault() },
        h("div", { class: "field" }, h("label", { for: "filter-q" }, "Prompt contains"), search),
        h("div", { class: "field" }, h("label", { for: "filter-model" }, "Model"), model),
        h("div", { class: "field" }, h("label", { for: "filter-status" }, "Status"), status),
        h("div", { class: "field" }, h("label", { for: "filter-since" }, "From"), since),
        h("div", { class: "field" }, h("label", { for: "filter-until" }, "To"), until),
        h("label", { class: "switch" }, favorite, "Favourites"),
        lineage,
      ),
      gallery,
      sentinel,
      footer,
    ),
  );
  readFilters();
  observer.observe(sentinel);
  loadMore();
  if (params[0]) open(params[0], new URLSearchParams(location.search).get("variant"));

  return () => {
    observer.disconnect();
    state.generation += 1;
    if (state.controller) state.controller.abort();
    clearTimeout(debounce);
    const dialog = document.getElementById("detail");
    if (dialog) dialog.close();
  };
}
