// A job's live events over SSE (EventSource), resumable.
//
// State changes carry an id; the last one seen is kept here and in sessionStorage. When a
// connection ends (the server closes a stream, a network drop, a restart), this opens a new
// EventSource at once with ?after=<last id>, so the server replays exactly what was missed;
// repeated failures back off up to 10 s. A reloaded page resumes from sessionStorage.
// Progress and previews are live frames without an id: they are applied as they come and
// never move the position (a new connection starts with the current ones).

import { API } from "../api.js";

export const EVENT_TYPES = [
  "job.created",
  "variant.queued",
  "variant.started",
  "variant.progress",
  "variant.preview",
  "variant.succeeded",
  "variant.failed",
  "variant.canceled",
  "job.finished",
  "job.deleted",
];
const TERMINAL = new Set(["job.finished", "job.deleted"]);
const LIVE = new Set(["variant.progress", "variant.preview"]);
const storageKey = (jobId) => `easel.stream.${jobId}`;

export function savedPosition(jobId) {
  try {
    return Number(sessionStorage.getItem(storageKey(jobId))) || 0;
  } catch {
    return 0;
  }
}

function savePosition(jobId, seq) {
  try {
    sessionStorage.setItem(storageKey(jobId), String(seq));
  } catch {
    /* private mode: resuming replays from the start instead */
  }
}

export class JobStream {
  /**
   * @param {string} jobId
   * @param {{after?: number, onEvent: (type: string, data: object, seq: number) => void,
   *          onOpen?: () => void, onState?: (state: string) => void}} handlers
   */
  constructor(jobId, { after = 0, onEvent, onOpen = () => {}, onState = () => {}, shouldClose = () => true }) {
    this.jobId = jobId;
    this.position = after;
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onState = onState;
    this.shouldClose = shouldClose;
    this.source = null;
    this.retryTimer = null;
    this.failures = 0;
    this.closed = false;
    // Back online: reconnect now instead of waiting out the back-off.
    this.onOnline = () => {
      if (!this.closed && this.retryTimer !== null) {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.open();
      }
    };
    window.addEventListener("online", this.onOnline);
  }

  open() {
    if (this.closed) return this;
    const url = `${API}/jobs/${encodeURIComponent(this.jobId)}/events?after=${this.position}`;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener("open", () => {
      this.onState("open");
      this.onOpen();
    });
    source.addEventListener("error", () => {
      if (this.closed || this.source !== source) return;
      this.onState("reconnecting");
      this.scheduleReopen();
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => this.receive(type, message));
    }
    return this;
  }

  receive(type, message) {
    if (this.closed) return;
    // A live frame has no id of its own (EventSource repeats the last one): not a position.
    const seq = LIVE.has(type) ? this.position : Number(message.lastEventId) || this.position;
    if (!LIVE.has(type)) {
      if (seq <= this.position && seq !== 0) return; // already applied (a replay overlap)
      this.position = seq;
      savePosition(this.jobId, seq);
    }
    this.failures = 0;
    let data = {};
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    this.onEvent(type, data, seq);
    if (TERMINAL.has(type) && this.shouldClose(type, data)) this.close();
  }

  scheduleReopen() {
    if (this.source) this.source.close();
    this.source = null;
    this.failures += 1;
    const delay = this.failures === 1 ? 0 : Math.min(10000, 500 * 2 ** (this.failures - 2));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  close() {
    this.closed = true;
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.source = null;
    this.onState("closed");
  }
}
