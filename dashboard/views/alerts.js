// Alerts (/alerts): the alerts whose window starts in the range, newest first, with who, where, when (UTC),
// how many events and the events that triggered them; severity and rule filters live in the address, and
// "?id=" shows one alert (/alerts/{id}) with all of its kept events. Also the header's badge: how many
// alerts the last 7 days hold, in the colour of the worst of them.
import { actorLink } from "../actors.js";
import { api } from "../api.js";
import { el, errorBox } from "../dom.js";
import { alertsHref } from "../links.js";
import { openRecord } from "../record.js";
import { go, withParams } from "../route.js";
import { timeCell, utcTime } from "./running.js";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"]; // worst first
const FILTERS = ["severity", "rule"];
const MAX_DAYS = 92; // the API answers at most 92 days (routes/alerts.py MAX_ALERT_DAYS)
const EVENTS_IN_ROW = 5; // a row shows the first few triggering events; the detail shows them all
const DAY_MS = 24 * 3600e3;

export const severityBadge = (severity) =>
  el("span", { className: `severity severity-${severity}`, title: `severity ${severity}` }, severity);

// "≥25" when the alert kept only its first events (dal/alerts.py keeps 25).
export const countText = (alert) => `${alert.countIsAtLeast ? "≥" : ""}${alert.count}`;

// The last 92 UTC days of the range (the API counts the days the window touches, both ends included).
export function clampRange(range) {
  const to = new Date(range.to);
  const toDay = Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate());
  const earliest = new Date(toDay - (MAX_DAYS - 1) * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
  return new Date(range.from) < new Date(earliest) ? { from: earliest, to: range.to, clamped: true } : { ...range, clamped: false };
}

// An event ID opens the full record, as the events tables do.
function eventLink(event) {
  const link = el("a", { href: "#", className: "event-link", title: `${event.eventName} at ${utcTime(event.eventTime)}`,
    dataset: { eventId: event.eventID } }, event.eventID);
  link.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); openRecord(event.eventID, event.eventTime); });
  return link;
}

function eventsCell(alert) {
  const events = alert.events || [];
  const items = events.slice(0, EVENTS_IN_ROW).map((event) => el("li", {}, el("span", { className: "event-name" }, event.eventName), " ",
    eventLink(event)));
  const more = events.length > EVENTS_IN_ROW
    ? el("a", { className: "note more-events", href: detailHref(alert.id) }, `+${events.length - EVENTS_IN_ROW} more`) : null;
  return el("td", { className: "events" }, el("ul", { className: "alert-events" }, ...items), more);
}

// The detail of an alert keeps the list's range and filters beside it.
const detailHref = (id) => alertsHref({ ...Object.fromEntries(withParams({}).entries()), id });

function alertRow(alert) {
  const tr = el("tr", { className: `alert-row severity-row-${alert.severity}` },
    el("td", { className: "severity-cell" }, severityBadge(alert.severity)),
    el("td", { className: "title" }, el("a", { className: "alert-link", href: detailHref(alert.id) }, alert.title)),
    el("td", { className: "rule" }, alert.rule),
    el("td", { className: "who" }, alert.actor ? actorLink(alert.actor) : ""),
    el("td", { className: "account" }, alert.account || ""),
    timeCell(alert.firstSeen, "first-seen time"),
    timeCell(alert.lastSeen, "last-seen time"),
    el("td", { className: "count", title: alert.countIsAtLeast ? `only the first ${alert.count} events are kept` : "" }, countText(alert)),
    eventsCell(alert));
  Object.assign(tr.dataset, { alertId: alert.id, window: alert.window, firstSeen: alert.firstSeen || "", severity: alert.severity, rule: alert.rule, actor: alert.actor || "",
    count: String(alert.count), countIsAtLeast: String(Boolean(alert.countIsAtLeast)) });
  return tr;
}

// The API lists day by day, newest day first; inside a day the newest window (then first event) comes first too.
const newestFirst = (items) => [...items].sort((a, b) => String(b.window).localeCompare(String(a.window))
  || String(b.firstSeen || "").localeCompare(String(a.firstSeen || "")));

const HEADINGS = ["Severity", "Alert", "Rule", "Actor", "Account", "First seen (UTC)", "Last seen (UTC)", "Events", "Triggered by"];

function alertsTable(body, answer, filtered) {
  body.removeAttribute("aria-busy");
  if (!answer.items.length) {
    body.replaceChildren(el("p", { className: "empty" }, filtered ? "No alert in this range matches these filters." : "No alert fired in this range."));
    return;
  }
  const table = el("table", { id: "alerts-table", className: "alerts" },
    el("thead", {}, el("tr", {}, ...HEADINGS.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...answer.items.map(alertRow)));
  const cut = answer.truncated // the API answers with the newest 1,000 at most
    ? el("p", { className: "note", id: "alerts-truncated" },
      `The newest ${answer.items.length} alerts of this range; more fired. Narrow the range or filter by severity or rule.`)
    : null;
  body.replaceChildren(...[cut, table].filter(Boolean));
}

async function filterForm(form, filters, choices) {
  const severity = el("select", { name: "severity", id: "alerts-severity" }, el("option", { value: "" }, "any severity"),
    ...SEVERITIES.map((level) => el("option", { value: level }, level)));
  const rule = el("select", { name: "rule", id: "alerts-rule" }, el("option", { value: "" }, "any rule"));
  if (filters.rule) rule.append(el("option", { value: filters.rule }, filters.rule));
  severity.value = filters.severity || "";
  rule.value = filters.rule || "";
  const clear = el("button", { type: "button", className: "clear-filters" }, "Clear filters");
  form.append(el("label", { className: "filter" }, el("span", {}, "Severity"), severity),
    el("label", { className: "filter" }, el("span", {}, "Rule"), rule), clear);
  // a new filter shows the list, not the detail of an alert it may leave out
  const apply = () => go("alerts", withParams({ severity: severity.value, rule: rule.value, id: null }));
  severity.addEventListener("change", apply);
  rule.addEventListener("change", apply);
  clear.addEventListener("click", () => go("alerts", withParams({ severity: null, rule: null, id: null })));
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  try {
    const { items } = await choices;
    const rules = new Map(items.map((a) => [a.rule, a.title]));
    for (const id of [...rules.keys()].sort()) {
      if (id !== filters.rule) rule.append(el("option", { value: id }, id));
    }
    rule.value = filters.rule || "";
  } catch {
    // the choices are a convenience: the table shows its own error
  }
}

function detailPanel(panel, alert) {
  const fact = (name, ...value) => [el("dt", {}, name), el("dd", {}, ...value)];
  const events = (alert.events || []).map((event) => el("tr", { className: "alert-event", dataset: { eventId: event.eventID } },
    timeCell(event.eventTime), el("td", { className: "what" }, event.eventName), el("td", { className: "id" }, eventLink(event))));
  panel.dataset.alertId = alert.id;
  panel.replaceChildren(
    el("h3", {}, severityBadge(alert.severity), " ", alert.title),
    el("dl", { className: "facts" },
      ...fact("Rule", alert.rule),
      ...fact("Actor", alert.actor ? actorLink(alert.actor) : "-"),
      ...fact("Account", alert.account || "-"),
      ...fact("Window from", utcTime(alert.window)),
      ...fact("First / last seen", `${utcTime(alert.firstSeen) || "-"} / ${utcTime(alert.lastSeen) || "-"}`),
      ...fact("Events", `${countText(alert)} (threshold ${alert.threshold})`),
      ...fact("Fired", utcTime(alert.fired) || "not yet"),
      ...fact("Published", alert.published ? utcTime(alert.published) : "not sent (no topic, or a backfill)")),
    el("h4", {}, alert.countIsAtLeast ? `The first ${alert.count} triggering events` : "Triggering events"),
    el("div", { className: "table-scroll" }, el("table", { className: "alert-events" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Time (UTC)"), el("th", { scope: "col" }, "Event"), el("th", { scope: "col" }, "Event ID"))),
      el("tbody", {}, ...events))),
    el("p", {}, el("a", { href: alertsHref({ ...Object.fromEntries(withParams({ id: null }).entries()) }) }, "Close")));
}

export async function renderAlerts(root, { range, params }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, (params.get(k) || "").trim()]).filter(([, v]) => v));
  const id = (params.get("id") || "").trim();
  const shown = clampRange(range);
  const form = el("form", { id: "alerts-filters", className: "filters", role: "search", "aria-label": "filter alerts" });
  const note = el("p", { id: "alerts-range", className: "note" }, shown.clamped
    ? `The range is longer than ${MAX_DAYS} days: showing its last ${MAX_DAYS} days, ${utcTime(shown.from)} to ${utcTime(shown.to)}.`
    : `Alerts whose window starts between ${utcTime(shown.from)} and ${utcTime(shown.to)}, newest first.`);
  if (shown.clamped) note.classList.add("clamped");
  const body = el("div", { className: "table-scroll", "aria-busy": "true" }, el("p", { className: "loading" }, "loading alerts…"));
  const detail = id ? el("section", { id: "alert-detail", className: "card", "aria-busy": "true" }, el("p", { className: "loading" }, "loading the alert…")) : null;
  root.replaceChildren(...[el("h2", {}, "Alerts"), detail].filter(Boolean), el("section", { id: "alerts", className: "card" }, form, note, body));

  const query = { from: shown.from, to: shown.to, ...filters };
  const answer = api.alerts(query);
  const choices = Object.keys(filters).length ? api.alerts({ from: shown.from, to: shown.to }) : answer; // every rule, for the filter
  await Promise.all([
    filterForm(form, filters, choices),
    answer.then((a) => alertsTable(body, { ...a, items: newestFirst(a.items) }, Object.keys(filters).length > 0)).catch((error) => {
      body.removeAttribute("aria-busy");
      body.replaceChildren(errorBox(error));
    }),
    detail && api.alert(id).then((a) => detailPanel(detail, a)).catch((error) => detail.replaceChildren(errorBox(error)))
      .finally(() => detail.removeAttribute("aria-busy")),
  ]);
}

// The header's badge: the last 7 days' alerts (the API's default window), hidden when there are none.
export async function showAlertsBadge(badge) {
  try {
    const { items, truncated } = await api.alerts();
    Object.assign(badge.dataset, { count: String(items.length), state: "ready" });
    badge.hidden = !items.length;
    if (!items.length) return;
    const worst = SEVERITIES.find((level) => items.some((a) => a.severity === level)) || "info";
    badge.textContent = `${items.length}${truncated ? "+" : ""}`;
    badge.className = `nav-badge severity-${worst}`;
    badge.dataset.severity = worst;
    badge.title = `${items.length} alert${items.length === 1 ? "" : "s"} in the last 7 days, the worst ${worst}`;
  } catch (error) {
    badge.hidden = true; // the badge is a hint: the Alerts view shows the error
    badge.dataset.state = "failed";
    console.warn("alerts badge failed", error);
  }
}
