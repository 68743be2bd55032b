// One streamed assist run on screen: start it, show it running, stop it. Stopping aborts
// the fetch, so the server sees the client leave and cancels the upstream call.

import { postStream } from "../sse/post-stream.js";

export class AssistRun {
  /**
   * @param {{stop: HTMLButtonElement, status: HTMLElement, live: HTMLElement,
   *          onRunning?: (running: boolean) => void}} parts  `live` is the region the
   *          text streams into: busy while it streams, so a screen reader reads it once.
   */
  constructor({ stop, status, live, onRunning = () => {} }) {
    this.stop = stop;
    this.status = status;
    this.live = live;
    this.onRunning = onRunning;
    this.controller = null;
    stop.hidden = true;
    stop.addEventListener("click", () => this.abort());
  }

  get running() {
    return this.controller !== null;
  }

  abort() {
    if (this.controller) this.controller.abort();
  }

  setStatus(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }

  /**
   * Stream `path` with `body`; `onFrame(event, data)` hears each frame. Resolves with
   * "done", "error" or "stopped".
   */
  async start(path, body, onFrame) {
    this.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.stop.hidden = false;
    this.live.setAttribute("aria-busy", "true");
    this.onRunning(true);
    this.setStatus("Writing…", "running");
    let outcome = "stopped";
    try {
      await postStream(path, body, {
        signal: controller.signal,
        onFrame: (event, data) => {
          if (event === "done") outcome = "done";
          if (event === "error") outcome = "error";
          onFrame(event, data);
        },
      });
    } catch (error) {
      if (error.name !== "AbortError") {
        outcome = "error";
        onFrame("error", { detail: error.message, hint: error.hint });
      }
      if (outcome === "stopped" && !controller.signal.aborted) {
        outcome = "error";
        onFrame("error", { detail: "The connection closed before the assistant finished.", hint: "Try again." });
      }
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.stop.hidden = true;
        this.live.setAttribute("aria-busy", "false");
        this.onRunning(false);
      }
    }
    if (outcome === "stopped") this.setStatus("Stopped", "stopped");
    if (outcome === "done") this.setStatus("Done", "done");
    if (outcome === "error") this.setStatus("Failed", "error");
    return outcome;
  }
}

export function problemLine(data) {
  return [data.detail || data.title || "The assistant failed.", data.hint].filter(Boolean).join(" ");
}
