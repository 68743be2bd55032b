// Settings: what can act as you. Your API tokens and the browsers signed in with them,
// each with a Revoke button; a revoked one stops working on its next request. Below
// them, your share links (share.js).

import * as api from "./api.js";
import { shareSection } from "./share.js";
import { confirmAction, fill, fullDate, h, icon, problemText, toast, when } from "./ui.js";

function browserName(agent) {
  if (!agent) return "Unknown browser";
  const browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox" : /Chrom(e|ium)\//.test(agent) ? "Chromium" : /Safari\//.test(agent) ? "Safari" : null;
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Mac OS X/.test(agent) ? "macOS" : /Windows/.test(agent) ? "Windows" : /Linux/.test(agent) ? "Linux" : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser || system || agent.slice(0, 60);
}

function table(id, headings, rows, empty) {
  if (!rows.length) return h("p", { class: "muted settings-empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data settings-table", id },
      h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows),
    ),
  );
}

export async function mount(root) {
  let tokens = await api.access.tokens();
  let sessions = await api.access.sessions();
  const tokenHolder = h("div", {});
  const sessionHolder = h("div", {});

  async function signedOutHere() {
    // This browser's own session or token is gone: start again at the sign-in page.
    location.assign("/sign-in");
  }

  async function revokeSession(session) {
    const title = session.current ? "Sign this browser out?" : `Sign out ${browserName(session.user_agent)}?`;
    if (!(await confirmAction(title, "Its cookie stops working on its next request.", "Sign out"))) return;
    try {
      await api.access.revokeSession(session.id);
      if (session.current) return signedOutHere();
      sessions = sessions.filter((s) => s.id !== session.id);
      render();
      toast("Signed out that browser");
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  async function revokeToken(token) {
    const body = "Anything using it stops working, and every browser signed in with it is signed out.";
    if (!(await confirmAction(`Revoke the token ${token.prefix}…?`, body, "Revoke"))) return;
    try {
      await api.access.revokeToken(token.id);
      if (token.current) return signedOutHere();
      tokens = tokens.filter((t) => t.id !== token.id);
      sessions = sessions.filter((s) => s.token_id !== token.id);
      render();
      toast(`Revoked ${token.prefix}…`);
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  function render() {
    fill(
      sessionHolder,
      table(
        "session-list",
        ["Browser", "Signed in", "Last seen", "Expires", ""],
        sessions.map((s) =>
          h(
            "tr",
            { dataset: { sessionId: s.id, current: String(s.current) } },
            h("td", {}, browserName(s.user_agent), s.current ? h("span", { class: "chip accent" }, "This browser") : null),
            h("td", { title: fullDate(s.created_at) }, when(s.created_at)),
            h("td", { title: fullDate(s.last_seen_at) }, when(s.last_seen_at)),
            h("td", {}, fullDate(s.expires_at)),
            h("td", {}, h("button", { type: "button", class: "button small danger ghost", onclick: () => revokeSession(s), "aria-label": `Sign out ${browserName(s.user_agent)}, signed in ${when(s.created_at)}` }, icon("ban"), "Sign out")),
          ),
        ),
        "No browser is signed in with your tokens.",
      ),
    );
    fill(
      tokenHolder,
      table(
        "token-list",
        ["Token", "Label", "Created", "Last sign-in", ""],
        tokens.map((t) =>
          h(
            "tr",
            { dataset: { tokenId: t.id, current: String(t.current) } },
            h("td", {}, h("code", {}, `${t.prefix}…`), t.current ? h("span", { class: "chip accent" }, "In use here") : null),
            h("td", {}, t.label || "—"),
            h("td", { title: fullDate(t.created_at) }, when(t.created_at)),
            h("td", {}, t.last_used_at ? when(t.last_used_at) : "never"),
            h("td", {}, h("button", { type: "button", class: "button small danger ghost", onclick: () => revokeToken(t), "aria-label": `Revoke token ${t.prefix}` }, icon("trash"), "Revoke")),
          ),
        ),
        "You have no API tokens.",
      ),
    );
  }

  root.append(
    h(
      "div",
      { class: "page" },
      h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Settings"), h("p", {}, "The tokens and browsers that can act as you. Revoke any you do not recognise."))),
      h(
        "div",
        { class: "settings" },
        h("section", { class: "card", "aria-labelledby": "sessions-title" }, h("div", { class: "panel" }, h("h2", { id: "sessions-title" }, "Signed-in browsers")), sessionHolder),
        h(
          "section",
          { class: "card", "aria-labelledby": "tokens-title" },
          h("div", { class: "panel" }, h("h2", { id: "tokens-title" }, "API tokens"), h("p", { class: "muted small" }, "Create tokens with ", h("code", {}, "easel token create"), ". Only their first characters are shown.")),
          tokenHolder,
        ),
        shareSection(),
      ),
    ),
  );
  render();
}
