// "Improve": the assistant rewrites the prompt into a few better ones, streamed; each
// suggestion joins the list as soon as it is complete, and "Use" puts it in the prompt box.

import { button, fill, h } from "../ui.js";
import { AssistRun, problemLine } from "./run.js";

/**
 * @param {{idea: () => string, targets: () => string[], model: () => string|null,
 *          onPick: (suggestion: object) => void}} options
 * @returns {{button: HTMLElement, node: HTMLElement, stop: () => void}}
 */
export function improver({ idea, targets, model, onPick }) {
  const trigger = button("Improve", { kind: "small ghost", iconName: "sparkles", id: "improve", title: "Let the assistant suggest better prompts" });
  const status = h("span", { class: "assist-status", id: "improve-status" });
  const stop = button("Stop", { kind: "small danger", iconName: "stop", id: "improve-stop" });
  const writing = h("p", { class: "analysis-text writing", id: "improve-writing" });
  const list = h("ol", { class: "suggestions", id: "suggestions" });
  const problem = h("p", { class: "alert", role: "alert", hidden: true });
  const close = button("Close", { kind: "small ghost", iconName: "x", id: "improve-close" });
  const node = h(
    "div",
    { class: "improve", hidden: true, "aria-live": "polite" },
    h("div", { class: "row wrap assist-actions" }, h("span", { class: "field-label" }, "Suggestions"), status, h("span", { class: "spacer" }), stop, close),
    list,
    writing,
    problem,
  );
  const run = new AssistRun({ stop, status, live: node, onRunning: (running) => (trigger.disabled = running) });

  close.addEventListener("click", () => {
    run.abort();
    node.hidden = true;
  });

  function suggestionItem(s) {
    return h(
      "li",
      { dataset: { index: s.index } },
      h("p", { class: "suggestion-prompt" }, s.prompt),
      s.negative_prompt ? h("p", { class: "hint" }, h("b", {}, "Without: "), s.negative_prompt) : null,
      button("Use", { kind: "small", iconName: "check", "aria-label": `Use suggestion ${s.index + 1}`, onclick: () => onPick(s) }),
    );
  }

  trigger.addEventListener("click", async () => {
    const text = idea();
    node.hidden = false;
    fill(list);
    writing.textContent = "";
    problem.hidden = true;
    if (!text) {
      run.setStatus("Write an idea in the prompt box first.", "error");
      return;
    }
    const body = { idea: text, models: targets(), count: 3 };
    const chosen = model();
    if (chosen) body.model = chosen;
    await run.start("/assist/prompt", body, (event, data) => {
      if (event === "delta") writing.append(data.text);
      if (event === "suggestion") list.append(suggestionItem(data));
      if (event === "done") writing.textContent = "";
      if (event === "error") {
        problem.textContent = problemLine(data);
        problem.hidden = false;
      }
    });
  });

  return { button: trigger, node, stop: () => run.abort() };
}
