// A paged, filterable table of event rows; a row opens the full record, names in it link to their
// views. Filters live in the address (see filters.js), pages come from the API's cursor (the cursors
// seen are kept so "Previous" can go back), and the rows matching the filters export as CSV or JSON.
import { api } from "./api.js";
import { actorDirectory, actorLink } from "./actors.js";
import { el, errorBox } from "./dom.js";
import { downloadCsv, downloadJson, fileSafe } from "./export.js";
import { ANY_ERROR, FILTER_KEYS, describeFilters, eventsRequest, filtersOf } from "./filters.js";
import { resourceHref } from "./links.js";
import { openRecord } from "./record.js";
import { currentRoute, go, routeHref, withParams } from "./route.js";
import { localTime, zoneName } from "./timerange.js";

const config = window.TRACKER_CONFIG || {};
const EXPORT_LIMIT = 5000; // rows per download: the API is paged, a download walks at most this many
let services = null; // /services once per page load: the filter's choices and name -> eventSource

function serviceList() {
  if (!services) services = api.services().then((a) => a.items || []).catch(() => { services = null; return []; });
  return services;
}

// scope: {actor} or {arn} or {}; suggest: {eventNames, errorCodes} promises of names for the filters.
// actorFilter: false for a non-admin, whose rows are all their own anyway.
export function eventsTable(container, { title, scope = {}, range, suggest = {}, actorFilter = true }) {
  const { view, params } = currentRoute();
  const filters = filtersOf(params);
  if (scope.actor || !actorFilter) delete filters.actor; // the actor view's table is that actor's
  const cursors = [null]; // cursors[i] fetches page i
  let page = 0;
  let request = null;
  container.innerHTML = "";
  container.classList.add("card", "events-card");
  const body = el("div", { className: "table-scroll", "aria-busy": "true" }, el("p", { className: "loading" }, "loading events…"));
  const status = el("span", { className: "page-status" }, "loading…");
  const previous = el("button", { type: "button", className: "previous", disabled: true }, "Previous");
  const next = el("button", { type: "button", className: "next", disabled: true }, "Next");
  const tools = toolbar(() => request, title);
  const described = describeFilters(filters);
  container.append(el("h3", {}, title), filterForm(filters, !scope.actor && actorFilter, suggest, view));
  if (described) container.append(el("p", { className: "note active-filters" }, `Filtered on ${described}.`));
  container.append(body, el("div", { className: "pager" }, tools, previous, status, next));

  async function load() {
    previous.disabled = next.disabled = true;
    status.textContent = "loading…";
    body.setAttribute("aria-busy", "true");
    try {
      if (!request) request = { ...eventsRequest(scope, filters, await eventSourceLookup(filters.service)), range };
      const answer = await api.events(request.path, request.range, request.query,
        { limit: config.pageSize || 25, next: cursors[page] || undefined });
      render(answer.items || []);
      if (answer.next) cursors[page + 1] = answer.next;
      else cursors.length = page + 1;
      next.disabled = !answer.next;
      previous.disabled = page === 0;
      status.textContent = `page ${page + 1}`;
    } catch (error) {
      body.replaceChildren(errorBox(error), ...closestNames(error, view));
      status.textContent = "";
    }
    body.removeAttribute("aria-busy");
  }

  function render(items) {
    if (!items.length) {
      body.replaceChildren(el("p", { className: "empty" },
        described ? "No events match these filters in this range." : "No events in this range."));
      return;
    }
    const showActor = !scope.actor;
    const headRow = el("tr", {},
      el("th", {}, `Time (${zoneName()})`), showActor ? el("th", {}, "Who") : null, el("th", {}, "What"),
      el("th", {}, "Service"), el("th", {}, "Region"), el("th", {}, "Resources"), el("th", {}, "Error"));
    const rows = items.map((row) => eventRow(row, showActor, view));
    body.replaceChildren(el("table", { className: "events" }, el("thead", {}, headRow), el("tbody", {}, ...rows)));
  }

  previous.addEventListener("click", () => { page = Math.max(0, page - 1); load(); });
  next.addEventListener("click", () => { page += 1; load(); });
  return load(); // resolves once the first page is on screen
}

// The API's 404 for an unknown name hints "closest: a, b (...)": each of those as a link replacing it.
const FILTER_OF_PARAMETER = { service: "service", user: "actor", eventName: "eventName", errorCode: "errorCode" };

function closestNames(error, view) {
  const key = FILTER_OF_PARAMETER[error.parameter];
  const listed = /closest: ([^(]+)/.exec(error.hint || "");
  if (error.status !== 404 || !key || !listed) return [];
  const names = listed[1].split(",").map((n) => n.trim()).filter(Boolean);
  return [el("p", { className: "did-you-mean" }, "Did you mean ",
    ...joined(names.map((name) => el("a", { href: routeHref(view, withParams({ [key]: name })) }, name))), "?")];
}

const service = (row) => (row.eventSource || "").replace(/\.amazonaws\.com$/, "");
const lastPart = (arn) => arn.split(/[:/]/).filter(Boolean).pop() || arn;

function eventRow(row, showActor, view) {
  // links inside a row go to their view; a click elsewhere on the row opens the record
  const stay = (node) => { node.addEventListener("click", (e) => e.stopPropagation()); return node; };
  const resources = (row.resources || []).slice(0, 3).map((arn) =>
    stay(el("a", { className: "resource-link", href: resourceHref(arn), title: arn }, lastPart(arn))));
  if ((row.resources || []).length > 3) resources.push(el("span", { className: "note" }, ` +${row.resources.length - 3}`));
  const tr = el("tr", { className: row.errorCode ? "event-row failed" : "event-row", tabIndex: 0 },
    el("td", { className: "time" }, localTime(row.eventTime)),
    showActor ? el("td", { className: "who", title: row.actorType || "" },
      row.actor ? stay(actorLink(row.actor, row.role)) : row.userIdentity_userName || "") : null,
    el("td", { className: "what" }, stay(el("a", { href: narrowed(view, { eventName: row.eventName }) }, row.eventName))),
    el("td", { className: "service" }, stay(el("a", { href: narrowed(view, { service: service(row) }) }, service(row)))),
    el("td", { className: "region" }, row.region || ""),
    el("td", { className: "resources" }, ...joined(resources)),
    el("td", { className: "error" }, row.errorCode || ""));
  Object.assign(tr.dataset, { eventId: row.eventID, eventTime: row.eventTime || "", eventName: row.eventName || "", service: service(row),
    actor: row.actor || "", errorCode: row.errorCode || "", readOnly: String(row.readOnly) });
  tr.addEventListener("click", () => openRecord(row.eventID, row.eventTime));
  tr.addEventListener("keydown", (e) => { if (e.key === "Enter") openRecord(row.eventID, row.eventTime); });
  return tr;
}

// A name in the table adds itself to the table's filters (the others stay).
const narrowed = (view, change) => routeHref(view, withParams(change));

const joined = (nodes) => nodes.flatMap((node, i) => (i ? [" ", node] : [node]));

async function eventSourceLookup(name) {
  if (!name) return undefined;
  const known = (await serviceList()).find((s) => s.name === name);
  return (s) => (known ? known.eventSource : `${s}.amazonaws.com`);
}

function filterForm(filters, withActor, suggest, view) {
  const form = el("form", { className: "filters", id: "event-filters", role: "search", "aria-label": "filter events" });
  const serviceSelect = el("select", { name: "service", id: "filter-service" }, el("option", { value: "" }, "any service"));
  addOption(serviceSelect, filters.service);
  serviceList().then((items) => {
    for (const s of items) addOption(serviceSelect, s.name);
    serviceSelect.value = filters.service || "";
  });
  const eventName = textFilter("eventName", "filter-event-name", "event name", filters.eventName, suggest.eventNames);
  const actor = !withActor ? null : textFilter("actor", "filter-actor", "actor", filters.actor,
    actorDirectory().then((d) => d.users.map((u) => u.name)).catch(() => []));
  const errorSelect = el("select", { name: "errorCode", id: "filter-error" },
    el("option", { value: "" }, "any outcome"), el("option", { value: ANY_ERROR }, "failed (any code)"));
  addOption(errorSelect, filters.errorCode);
  Promise.resolve(suggest.errorCodes).then((codes) => {
    for (const code of codes || []) addOption(errorSelect, code);
    errorSelect.value = filters.errorCode || "";
  }).catch(() => {});
  const access = el("select", { name: "access", id: "filter-access" },
    el("option", { value: "" }, "reads and writes"), el("option", { value: "read" }, "read-only"),
    el("option", { value: "write" }, "writes"));
  access.value = filters.access || "";
  const clear = el("button", { type: "button", className: "clear-filters" }, "Clear filters");
  form.append(...[labelled("Service", serviceSelect), eventName, actor, labelled("Outcome", errorSelect),
    labelled("Calls", access), el("button", { type: "submit" }, "Apply"), clear].filter(Boolean));

  const apply = () => {
    const values = Object.fromEntries(FILTER_KEYS.map((k) => [k, form.elements[k] ? form.elements[k].value.trim() : null]));
    if (!withActor) delete values.actor;
    go(view, withParams(values));
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  for (const select of [serviceSelect, errorSelect, access]) select.addEventListener("change", apply);
  clear.addEventListener("click", () => go(view, withParams(Object.fromEntries(FILTER_KEYS.map((k) => [k, null])))));
  return form;
}

function addOption(select, value) {
  if (!value || [...select.options].some((o) => o.value === value)) return;
  select.append(el("option", { value }, value));
}

const labelled = (text, control) => el("label", { className: "filter" }, el("span", {}, text), control);

// A text box with suggestions (a datalist fills in as the names arrive).
function textFilter(name, id, text, value, names) {
  const list = el("datalist", { id: `${id}-names` });
  const input = el("input", { type: "search", name, id, value: value || "", placeholder: `any ${text}`,
                              autocomplete: "off", spellcheck: false });
  input.setAttribute("list", list.id);
  Promise.resolve(names).then((items) => list.append(...(items || []).map((n) => el("option", { value: n })))).catch(() => {});
  return el("label", { className: "filter" }, el("span", {}, text[0].toUpperCase() + text.slice(1)), input, list);
}

const CSV_COLUMNS = [
  ["eventTime", (r) => r.eventTime], ["actor", (r) => r.actor], ["role", (r) => r.role], ["actorType", (r) => r.actorType],
  ["account", (r) => r.account], ["region", (r) => r.region], ["eventName", (r) => r.eventName],
  ["eventSource", (r) => r.eventSource], ["errorCode", (r) => r.errorCode], ["readOnly", (r) => r.readOnly],
  ["resources", (r) => (r.resources || []).join(" ")], ["eventID", (r) => r.eventID],
].map(([name, value]) => ({ name, value }));

// Copy link, CSV, JSON: the address already holds range and filters, the downloads every matching row.
function toolbar(currentRequest, title) {
  const note = el("span", { className: "note export-status", "aria-live": "polite" });
  const shown = el("input", { type: "text", readOnly: true, className: "shared-link", hidden: true, "aria-label": "link to this view" });
  const copy = el("button", { type: "button", id: "copy-link" }, "Copy link");
  copy.addEventListener("click", async () => {
    shown.value = window.location.href;
    shown.hidden = false;
    shown.select();
    try {
      await navigator.clipboard.writeText(window.location.href);
      note.textContent = "link copied";
    } catch {
      note.textContent = "copy the selected link"; // no clipboard permission: the link is selected instead
    }
  });
  let collected = null;
  const exporter = (kind) => async () => {
    const request = currentRequest();
    if (!request) return;
    note.textContent = "collecting rows…";
    try {
      // the JSON after the CSV (or again) reuses the rows collected for this table's request
      if (!collected || collected.request !== request) collected = { request, ...(await allRows(request)) };
      const { rows, more } = collected;
      const name = `events-${fileSafe(title)}`;
      if (kind === "csv") downloadCsv(name, CSV_COLUMNS, rows);
      else downloadJson(name, rows);
      note.textContent = `${rows.length} rows${more ? ` (the first ${EXPORT_LIMIT}: narrow the range for the rest)` : ""}`;
    } catch (error) {
      note.textContent = `export failed: ${error.message}`;
    }
  };
  const csv = el("button", { type: "button", className: "export-csv" }, "CSV");
  const json = el("button", { type: "button", className: "export-json" }, "JSON");
  csv.addEventListener("click", exporter("csv"));
  json.addEventListener("click", exporter("json"));
  return el("span", { className: "table-tools" }, copy, csv, json, note, shown);
}

async function allRows(request) {
  const rows = [];
  let cursor;
  do {
    const answer = await api.events(request.path, request.range, request.query, { limit: 1000, next: cursor });
    rows.push(...(answer.items || []));
    cursor = answer.next;
  } while (cursor && rows.length < EXPORT_LIMIT);
  return { rows: rows.slice(0, EXPORT_LIMIT), more: Boolean(cursor) || rows.length > EXPORT_LIMIT };
}
