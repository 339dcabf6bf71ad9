// The query API over fetch: JSON in, JSON out, errors as ApiError with the server's hint.
import { idToken, signOut } from "./auth.js";

const config = window.TRACKER_CONFIG || {};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.hint = (body && body.hint) || "";
    this.parameter = (body && body.parameter) || "";
  }
}

export function apiUrl(path, params = {}) {
  const base = (config.apiBase || "").replace(/\/$/, "");
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  }
  const text = query.toString();
  return `${base}${path}${text ? `?${text}` : ""}`;
}

export async function get(path, params = {}) {
  const headers = { Accept: "application/json" };
  const token = idToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(apiUrl(path, params), { headers });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null; // an HTML error page from a proxy: keep the status
  }
  if (response.status === 401 && config.auth && config.auth.enabled) {
    signOut(); // expired or revoked token: back to the sign-in form
    window.dispatchEvent(new Event("tracker:signed-out"));
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// Every endpoint the page uses, so the views never build paths themselves.
export const api = {
  whoami: () => get("/whoami"),
  users: () => get("/users", { limit: 1000 }),
  services: () => get("/services", { limit: 1000 }),
  span: () => get("/span"),
  aggregate: (by, range, extra = {}) => get("/aggregates", { by, from: range.from, to: range.to, ...extra }),
  // path: "/scan", "/users/<a>", "/services/<s>", "/errors", "/resources"; query: the filters
  events: (path, range, query = {}, page = {}) => get(path, { from: range.from, to: range.to, ...query, ...page }),
  // at: its eventTime (a stack without event-id locators finds the event by both)
  event: (eventId, at) => get(`/events/${encodeURIComponent(eventId)}`, at ? { at } : {}),
  progress: (actor) => get("/progress", { user: actor }),
  progressMatrix: (extra = {}) => get("/progress/matrix", extra),
  // what is running, what it costs, what a subject needs (routes/running.py, spend.py, policy.py)
  running: (filters = {}) => get("/running", filters), // filters: {actor, account, region, type}
  resource: (idOrArn, extra = {}) => get(`/resources/${encodeURIComponent(idOrArn)}`, extra), // extra: {account, region, type}
  userCost: (actor, range) => get(`/users/${encodeURIComponent(actor)}/cost`, { from: range.from, to: range.to }),
  userPolicy: (actor, range, includeDenied = false) => get(`/users/${encodeURIComponent(actor)}/policy`,
    { from: range.from, to: range.to, includeDenied: String(Boolean(includeDenied)) }),
  consoleSessions: (actor, range) => get(`/users/${encodeURIComponent(actor)}/console-sessions`, { from: range.from, to: range.to }),
  rolePolicy: (role, range, includeDenied = false) => get(`/roles/${encodeURIComponent(role)}/policy`,
    { from: range.from, to: range.to, includeDenied: String(Boolean(includeDenied)) }),
  // alerts (routes/alerts.py): params {from, to, rule, actor, severity}, at most 92 days; one alert with its events
  alerts: (params = {}) => get("/alerts", params),
  alert: (alertId) => get(`/alerts/${encodeURIComponent(alertId)}`),
};

// An API that does not take a parameter yet answers 400 naming it: lets a caller fall back.
export const refusesParameter = (error, name) => error instanceof ApiError && error.status === 400 && error.parameter === name;
