// Sign in with an API token; the server answers with an HttpOnly session cookie.

import * as api from "./api.js";
import { fill, h, icon } from "./ui.js";

export async function mount(root, { user, navigate, onSignedIn }) {
  if (user) {
    navigate("/", { replace: true });
    return;
  }
  const token = h("input", {
    id: "token",
    name: "token",
    class: "input",
    type: "password",
    autocomplete: "current-password",
    placeholder: "esl_…",
    required: true,
    spellcheck: "false",
    "aria-describedby": "token-hint",
  });
  const problem = h("div", { class: "alert", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "button primary large", id: "sign-in" }, "Sign in");

  async function onSubmit(event) {
    event.preventDefault();
    problem.hidden = true;
    if (!token.value.trim()) {
      fill(problem, icon("alert"), h("div", {}, "Paste an API token first."));
      problem.hidden = false;
      token.focus();
      return;
    }
    submit.disabled = true;
    try {
      onSignedIn(await api.session.signIn(token.value.trim()));
    } catch (error) {
      fill(problem, icon("alert"), h("div", {}, error.message, error.hint ? h("span", { class: "hint" }, error.hint) : null));
      problem.hidden = false;
      token.select();
    } finally {
      submit.disabled = false;
    }
  }

  root.append(
    h("div", { class: "signin-bg", "aria-hidden": "true" }),
    h(
      "div",
      { class: "page signin" },
      h(
        "form",
        { class: "card signin-card", onsubmit: onSubmit, "aria-labelledby": "signin-title", novalidate: true },
        h("img", { class: "logo", src: "/static/img/favicon.svg", alt: "" }),
        h("div", {}, h("h1", { id: "signin-title" }, "Sign in to Easel"), h("p", {}, "Your self-hosted image studio.")),
        h(
          "div",
          { class: "field" },
          h("label", { for: "token" }, "API token"),
          token,
          h("span", { class: "hint", id: "token-hint" }, "Create one on the server with ", h("code", {}, "easel token create"), "."),
        ),
        problem,
        submit,
      ),
    ),
  );
  token.focus();
}
