// Boot: find out who is signed in, then route on the path. Each page module exports
// `mount(root, context)` and may return a cleanup function.

import * as api from "./api.js";
import { fill, h, icon, problemText } from "./ui.js";

const PAGES = [
  { pattern: /^\/$/, nav: "studio", title: "Studio", load: () => import("./studio.js") },
  { pattern: /^\/history(?:\/([^/]+))?\/?$/, nav: "history", title: "History", load: () => import("./history.js") },
  { pattern: /^\/compare(?:\/([^/]+))?\/?$/, nav: "compare", title: "Compare", load: () => import("./compare.js") },
  { pattern: /^\/presets\/?$/, nav: "presets", title: "Presets", load: () => import("./presets.js") },
  { pattern: /^\/stats\/?$/, nav: "stats", title: "Stats", load: () => import("./stats.js") },
  { pattern: /^\/settings\/?$/, nav: "settings", title: "Settings", load: () => import("./settings.js") },
  { pattern: /^\/sign-in\/?$/, nav: null, title: "Sign in", load: () => import("./signin.js"), public: true },
];
const NOT_FOUND = { nav: null, title: "Not found", load: () => import("./notfound.js"), public: true };

const main = document.getElementById("main");
const topbar = document.querySelector(".topbar");
let cleanup = null;
let user = null;
let renderId = 0;

function match(path) {
  for (const page of PAGES) {
    const found = page.pattern.exec(path);
    if (found) return { page, params: found.slice(1).map((p) => (p ? decodeURIComponent(p) : p)) };
  }
  return null;
}

export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, location.origin);
  if (url.origin !== location.origin) {
    location.href = to;
    return;
  }
  if (replace) history.replaceState({}, "", url);
  else history.pushState({}, "", url);
  render();
}

async function render() {
  const id = ++renderId;
  const found = match(location.pathname) || { page: NOT_FOUND, params: [] };
  if (!found.page.public && !user) {
    const next = location.pathname + location.search;
    history.replaceState({}, "", `/sign-in${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`);
    Object.assign(found, match("/sign-in"));
  }
  if (cleanup) {
    try {
      cleanup();
    } catch (error) {
      console.warn(error);
    }
  }
  cleanup = null;
  topbar.hidden = !user;
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === found.page.nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${found.page.title} · Easel`;
  const root = h("div", {});
  fill(main, root);
  try {
    const module = await found.page.load();
    if (id !== renderId) return;
    const result = await module.mount(root, { navigate, user, params: found.params, onSignedIn });
    if (id !== renderId) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = typeof result === "function" ? result : null;
  } catch (error) {
    if (id !== renderId) return;
    if (error.status === 401) return; // whenSignedOut handles it
    fill(root, 
      h("div", { class: "card empty" }, icon("alert"), h("h2", {}, "This page could not load"), h("p", {}, problemText(error))),
    );
  }
}

function onSignedIn(session) {
  user = session.user;
  api.setCsrfToken(session.csrf_token);
  document.getElementById("user-name").textContent = user.name;
  const next = new URLSearchParams(location.search).get("next");
  navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
}

function signedOut() {
  user = null;
  api.setCsrfToken(null);
  if (!location.pathname.startsWith("/sign-in")) navigate("/sign-in", { replace: true });
}

// ------------------------------------------------------------------ theme

function effectiveTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen) return chosen;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function renderThemeToggle() {
  const toggle = document.getElementById("theme-toggle");
  const dark = effectiveTheme() === "dark";
  fill(toggle, icon(dark ? "sun" : "moon"));
  toggle.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
  toggle.title = toggle.getAttribute("aria-label");
}

document.getElementById("theme-toggle").addEventListener("click", () => {
  const next = effectiveTheme() === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  try {
    localStorage.setItem("easel.theme", next);
  } catch {
    /* not kept across loads */
  }
  renderThemeToggle();
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", renderThemeToggle);

// ------------------------------------------------------------------ wiring

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", render);

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await api.session.signOut();
  } finally {
    try {
      sessionStorage.clear();
    } catch {
      /* nothing kept */
    }
    signedOut();
  }
});

api.whenSignedOut(signedOut);

async function boot() {
  renderThemeToggle();
  try {
    const session = await api.session.read();
    if (session.user) {
      user = session.user;
      api.setCsrfToken(session.csrf_token);
      document.getElementById("user-name").textContent = user.name;
    }
  } catch (error) {
    console.warn("session check failed", error);
  }
  render();
}

boot();
