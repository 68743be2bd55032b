// The HTTP API, as the dashboard uses it: same-origin fetch with the session cookie and,
// on every unsafe method, the session's CSRF token in X-CSRF-Token.

export const API = "/api/v1";

let csrfToken = null;
let onSignedOut = () => {};

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Headers an unsafe same-origin request needs (the session's CSRF token). */
export function csrfHeaders() {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** An error answer of the API (problem+json): `message` is its detail, `hint` how to fix it. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.hint = this.problem.hint || "";
    this.field = this.problem.field || "";
  }
}

export async function api(path, { method = "GET", body, query, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let url = API + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
    signal,
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && !path.startsWith("/session")) onSignedOut(error);
    throw error;
  }
  return data;
}

export const session = {
  read: () => api("/session"),
  signIn: (token) => api("/session", { method: "POST", body: { token } }),
  signOut: () => api("/session", { method: "DELETE" }),
};

/** What can act as the signed-in person: API tokens and browser sessions. */
export const access = {
  tokens: () => api("/tokens"),
  revokeToken: (id) => api(`/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
  sessions: () => api("/sessions"),
  revokeSession: (id) => api(`/sessions/${encodeURIComponent(id)}`, { method: "DELETE" }),
};

export const jobs = {
  create: (spec) => api("/jobs", { method: "POST", body: spec }),
  get: (id) => api(`/jobs/${encodeURIComponent(id)}`),
  list: (query, signal) => api("/jobs", { query, signal }),
  cancel: (id) => api(`/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  cancelVariant: (id, variantId) =>
    api(`/jobs/${encodeURIComponent(id)}/variants/${encodeURIComponent(variantId)}/cancel`, {
      method: "POST",
    }),
  retryVariant: (id, variantId) =>
    api(`/jobs/${encodeURIComponent(id)}/variants/${encodeURIComponent(variantId)}/retry`, {
      method: "POST",
    }),
  favorite: (id, favorite) =>
    api(`/jobs/${encodeURIComponent(id)}/favorite`, { method: "PUT", body: { favorite } }),
  remove: (id) => api(`/jobs/${encodeURIComponent(id)}`, { method: "DELETE" }),
  setWinner: (id, variantId) =>
    api(`/jobs/${encodeURIComponent(id)}/winner`, { method: "PUT", body: { variant_id: variantId } }),
};

/** Store an image of one's own (a File) for assist and image-in operations. */
export async function upload(file, signal) {
  const form = new FormData();
  form.append("file", file, file.name || "image");
  const response = await fetch(`${API}/uploads`, {
    method: "POST",
    headers: { Accept: "application/json", ...csrfHeaders() },
    body: form,
    credentials: "same-origin",
    signal,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const assist = {
  models: () => api("/assist/models"),
  run: (id) => api(`/assist/${encodeURIComponent(id)}`),
};

export const presets = {
  list: () => api("/presets"),
  create: (body) => api("/presets", { method: "POST", body }),
  update: (id, body) => api(`/presets/${encodeURIComponent(id)}`, { method: "PUT", body }),
  remove: (id) => api(`/presets/${encodeURIComponent(id)}`, { method: "DELETE" }),
};

let modelsPromise = null;

/** The model catalog, fetched once per page load. */
export function models() {
  if (!modelsPromise) {
    modelsPromise = api("/models").catch((error) => {
      modelsPromise = null;
      throw error;
    });
  }
  return modelsPromise;
}

export const me = {
  read: () => api("/me"),
  setDefaults: (models) => api("/me/defaults", { method: "PUT", body: { models } }),
};

/** The last comparison of the catalog with what vendors serve (admins only). */
export const modelCheck = {
  read: () => api("/models/check"),
  run: () => api("/models/check", { method: "POST" }),
};

export const stats = {
  models: () => api("/stats/models"),
  spend: (days) => api("/stats/spend", { query: { days, tz_offset: -new Date().getTimezoneOffset() } }),
  durations: () => api("/stats/durations"),
  leaderboard: () => api("/leaderboard"),
};
