// Lineage on screen: the images a job worked from (each a thumbnail linking to it) and
// the jobs made from an image (links to them, and to History filtered to them all).

import { operationTitle } from "./operations.js";
import { h } from "./ui.js";

/** A thumbnail link to an image a job worked from, labelled with its role. */
export function sourceLink(source) {
  const role = source.role.replace("_", " ");
  return h(
    "a",
    { class: "source-link", href: source.image.url, target: "_blank", rel: "noopener", dataset: { role: source.role, sha: source.image.sha256 }, title: `The ${role} (${source.image.width} × ${source.image.height}), full size` },
    h("img", { src: source.image.thumbnail_url, alt: `The ${role}` }),
    h("span", {}, role),
  );
}

/**
 * What `job` was made from and what was made from `variant`'s image, for the detail
 * view; `onFollow` hears a click on a link (the dialog closes). Empty when neither.
 */
export function lineageBlock(job, variant, onFollow) {
  const uses = (variant && variant.made_into) || [];
  const from = (job.made_from || []).length
    ? h(
        "div",
        { class: "made-from", id: "detail-made-from" },
        h("span", { class: "field-label" }, `${operationTitle(job.operation, job.params)}, made from`),
        h("div", { class: "row wrap" }, job.made_from.map(sourceLink)),
      )
    : null;
  const into = uses.length
    ? h(
        "div",
        { class: "made-into", id: "detail-made-into" },
        h("span", { class: "field-label" }, "Made from this image"),
        h(
          "ul",
          {},
          uses.map((use) =>
            h(
              "li",
              {},
              h("a", { href: `/history/${use.job_id}`, "data-link": "", dataset: { jobId: use.job_id }, onclick: onFollow }, operationTitle(use.operation)),
              use.role !== "image" ? h("span", { class: "muted" }, ` (as ${use.role.replace("_", " ")})`) : null,
            ),
          ),
        ),
        h("a", { href: `/history?descendants_of=${variant.image.sha256}`, "data-link": "", id: "detail-descendants", onclick: onFollow }, "Everything made from it, in History"),
      )
    : null;
  return [from, into];
}
