// A path that is no page of the dashboard (the server answered it 404): say so plainly.

import { h, icon } from "./ui.js";

export function mount(root) {
  root.append(
    h(
      "div",
      { class: "page" },
      h(
        "div",
        { class: "card empty not-found" },
        icon("search"),
        h("h1", {}, "Page not found"),
        h("p", {}, "There is no page at ", h("code", {}, location.pathname), "."),
        h("div", { class: "row" }, h("a", { class: "button primary", href: "/", "data-link": "" }, icon("wand"), "Open the studio"), h("a", { class: "button", href: "/history", "data-link": "" }, "History")),
      ),
    ),
  );
}
