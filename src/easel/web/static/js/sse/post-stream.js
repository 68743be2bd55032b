// Server-sent events from a POST (EventSource only GETs): read a fetch body as it arrives,
// split it into frames and hand each one over. Aborting the signal closes the connection,
// which makes the server cancel the upstream call.

import { API, ApiError, csrfHeaders } from "../api.js";

/** Split SSE text into frames; returns [frames, the unfinished rest]. */
export function parseFrames(buffer) {
  const frames = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue; // a comment (keep-alive)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      if (field === "data") data.push(value);
    }
    if (data.length) frames.push({ event, data: data.join("\n") });
  }
  return [frames, rest];
}

/**
 * POST `body` to `path` and call `onFrame(event, data)` for each frame, in order.
 * Resolves when the stream ends; rejects with an ApiError when the request is refused
 * and with an AbortError when `signal` aborts.
 */
export async function postStream(path, body, { signal, onFrame }) {
  const response = await fetch(API + path, {
    method: "POST",
    headers: { Accept: "text/event-stream", "Content-Type": "application/json", ...csrfHeaders() },
    body: JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
    signal,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const [frames, rest] = parseFrames(buffer + value);
    buffer = rest;
    for (const frame of frames) {
      if (frame.event === "ping") continue;
      let data = {};
      try {
        data = JSON.parse(frame.data);
      } catch {
        continue;
      }
      onFrame(frame.event, data);
    }
  }
}
