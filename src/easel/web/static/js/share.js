// Share links: a link to one image, or to a job's read-only page, that works without
// signing in. Made from the detail view (`shareButton`), listed and revoked on the
// Settings page (`shareSection`). The server keeps only a hash of each link, so a link is
// shown once, when it is made.

import { api } from "./api.js";
import { confirmAction, fill, fullDate, h, icon, problemText, showDialog, toast, when } from "./ui.js";

export const shares = {
  list: () => api("/shares"),
  create: (target, expiresIn) => api("/shares", { method: "POST", body: { target, expires_in: expiresIn || undefined } }),
  revoke: (id) => api(`/shares/${encodeURIComponent(id)}`, { method: "DELETE" }),
};

const LIFETIMES = [
  ["", "Never (until revoked)"],
  [String(3600), "In an hour"],
  [String(86400), "In a day"],
  [String(7 * 86400), "In a week"],
  [String(30 * 86400), "In 30 days"],
];

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard (insecure origin, or refused): the link stays selectable
  }
}

/** The dialog that makes a link to the image shown (or the whole job) and copies it. */
async function openShareDialog(job, image) {
  const choice = (value, label, checked, disabled = false) =>
    h("label", { class: "share-choice" }, h("input", { type: "radio", name: "share-kind", value, checked, disabled }), label);
  const kinds = h(
    "fieldset",
    { class: "share-kinds" },
    h("legend", { class: "field-label" }, "Share"),
    choice("image", "This image", Boolean(image), !image),
    choice("job", "The job's page: its images, prompt and models, read-only", !image),
  );
  const lifetime = h("select", { id: "share-expires", class: "input" }, LIFETIMES.map(([value, label]) => h("option", { value }, label)));
  const result = h("div", { class: "field", hidden: true });
  const create = h("button", { type: "button", class: "button primary", id: "share-create" }, icon("open"), "Create link");

  create.onclick = async () => {
    const kind = kinds.querySelector("input:checked").value;
    const target = kind === "image" ? { kind, id: image.sha256 } : { kind, id: job.id };
    create.disabled = true;
    try {
      const made = await shares.create(target, Number(lifetime.value));
      const field = h("input", { id: "share-url", class: "input", readonly: true, value: made.url, "aria-label": "Share link", onfocus: (e) => e.target.select() });
      const copied = await copy(made.url);
      const note = copied ? "Copied to the clipboard." : "Copy it from here.";
      fill(result, h("label", { for: "share-url" }, "Anyone with this link can see it, without signing in"), field, h("p", { class: "hint", id: "share-copied" }, note));
      result.hidden = false;
      field.select();
    } catch (error) {
      toast(problemText(error), { error: true });
    } finally {
      create.disabled = false;
    }
  };

  const dialog = h(
    "dialog",
    { class: "sheet narrow", "aria-labelledby": "share-title", id: "share-dialog" },
    h(
      "form",
      { method: "dialog", class: "confirm" },
      h("h2", { id: "share-title" }, "Share a link"),
      kinds,
      h("div", { class: "field" }, h("label", { for: "share-expires" }, "Stops working"), lifetime),
      result,
      h("p", { class: "muted small" }, "Revoke links on the Settings page; deleting the job ends them too."),
      h("div", { class: "row" }, h("button", { class: "button", value: "close" }, "Done"), create),
    ),
  );
  await showDialog(dialog);
}

/** The detail view's Share button; `current()` gives the job and the image on show. */
export function shareButton(current) {
  return h(
    "button",
    {
      type: "button",
      class: "button",
      id: "detail-share",
      onclick: () => {
        const { job, image } = current();
        openShareDialog(job, image || null);
      },
    },
    icon("open"),
    "Share",
  );
}

function linkRow(link, revoke) {
  const what =
    link.kind === "image"
      ? [h("img", { class: "share-thumb", src: `${link.target_url}/thumbnail`, alt: "", loading: "lazy" }), "Image"]
      : [h("a", { href: `/history/${encodeURIComponent(link.target_id)}`, "data-link": "" }, "Job page")];
  return h(
    "tr",
    { dataset: { shareId: link.id, kind: link.kind } },
    h("td", {}, h("span", { class: "share-what" }, what)),
    h("td", { title: fullDate(link.created_at) }, when(link.created_at)),
    h("td", {}, link.expires_at ? fullDate(link.expires_at) : "never"),
    h("td", {}, h("button", { type: "button", class: "button small danger ghost", onclick: () => revoke(link), "aria-label": `Revoke the link made ${when(link.created_at)}` }, icon("trash"), "Revoke")),
  );
}

/** The Settings page's list of your working links, each with Revoke. */
export function shareSection() {
  const holder = h("div", {}, h("p", { class: "muted settings-empty" }, "Loading…"));
  let links = [];

  async function revoke(link) {
    const body = "It stops working at once, wherever it was posted.";
    if (!(await confirmAction("Revoke this link?", body, "Revoke"))) return;
    try {
      await shares.revoke(link.id);
      links = links.filter((l) => l.id !== link.id);
      render();
      toast("Link revoked");
    } catch (error) {
      toast(problemText(error), { error: true });
    }
  }

  function render() {
    if (!links.length) {
      fill(holder, h("p", { class: "muted settings-empty" }, "You have no share links. Make one with Share in an image's details."));
      return;
    }
    fill(
      holder,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data settings-table", id: "share-list" },
          h("thead", {}, h("tr", {}, ["Shows", "Made", "Stops working", ""].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, links.map((link) => linkRow(link, revoke))),
        ),
      ),
    );
  }

  shares
    .list()
    .then((found) => {
      links = found;
      render();
    })
    .catch((error) => fill(holder, h("p", { class: "muted settings-empty" }, problemText(error))));

  return h(
    "section",
    { class: "card", "aria-labelledby": "shares-title" },
    h("div", { class: "panel" }, h("h2", { id: "shares-title" }, "Share links"), h("p", { class: "muted small" }, "Links that show an image or a job's page without signing in. Revoked links stop working at once.")),
    holder,
  );
}
