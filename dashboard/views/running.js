// Running now (/running): every resource still running, grouped by who created it, with its $/hour and
// cost so far. Prices are on-demand list prices; a price the table does not know, or one billed by use,
// says "unknown" or "usage" and is left out of the sums (never shown as $0). Also the shared helpers
// the resource card and the actor page show resources and money with.
import { actorLink, actorText } from "../actors.js";
import { api } from "../api.js";
import { el, errorBox } from "../dom.js";
import { downloadCsv, fileSafe } from "../export.js";
import { resourceHref } from "../links.js";
import { go, withParams } from "../route.js";
import { localTime, zoneName } from "../timerange.js";

const FILTERS = ["type", "region", "account"];
const NO_CREATOR = "unknown creator"; // actor "": the create event is not in the table
// Which way a first click on a column sorts: biggest money first, names A-Z, oldest first.
const SORTS = { actor: "asc", since: "asc", rate: "desc", cost: "desc" };

// ---- shared: money, times and sizes as every accountability view shows them
const money = (value, digits) => value.toLocaleString("en-US", { style: "currency", currency: "USD",
  minimumFractionDigits: 2, maximumFractionDigits: digits });
const unpriced = (basis) => (basis === "usage" ? "usage" : "unknown");

// $/hour of a row: null is unknown or billed by use, which is not zero.
export function rateText(row) {
  if (row.dollarsPerHour === null || row.dollarsPerHour === undefined) return unpriced(row.priceBasis);
  return money(row.dollarsPerHour, 4);
}

export function costText(value, basis) {
  return value === null || value === undefined ? unpriced(basis) : money(value, 2);
}

export const dollars = (value) => money(value || 0, 2);
export const dollarsPerHour = (value) => money(value || 0, 4);

// An API time ("...Z") in UTC, as written: "2024-01-15 10:04:05 UTC"; the browser's own time in the tooltip.
export function utcTime(utc) {
  if (!utc) return "";
  return `${utc.replace("T", " ").replace(/(\.\d+)?Z$/, "")} UTC`;
}

export function timeCell(utc, className = "time") {
  return el("td", { className, title: utc ? `${localTime(utc)} ${zoneName()}` : "" }, utcTime(utc));
}

// The size attributes people compare: instance type, DB class, GiB, memory ("t3.large", "db.t3.micro mysql").
export function sizeText(attributes = {}) {
  const a = attributes || {};
  return [a.instanceType, a.dBInstanceClass, a.engine, a.size ? `${a.size} GiB` : "", a.volumeType,
    a.multiAZ === "true" ? "Multi-AZ" : "", a.memorySize ? `${a.memorySize} MB` : "", a.runtime, a.publicIp]
    .filter(Boolean).join(" ");
}

// "N running · $x/hour · $y so far · k with unknown price" of a totals object ({running, dollarsPerHour, ...});
// sums of the known prices only, so where no price is known it says so instead of "$0.00".
export function totalText(total, { sayNoUnknown = true } = {}) {
  const head = `${total.running} running`;
  const usage = total.usageBilled || 0;
  if (total.running && total.unknownPrices + usage >= total.running) return `${head} · price unknown or billed by use`;
  const unknown = total.unknownPrices ? ` · ${total.unknownPrices} with unknown price (not in the sums)`
    : sayNoUnknown ? " · 0 with unknown price" : "";
  const byUse = usage ? ` · ${usage} billed by use` : "";
  return `${head} · ${dollarsPerHour(total.dollarsPerHour)}/hour · ${dollars(total.costSoFar)} so far${unknown}${byUse}`;
}

export function totalsLine(props, total) {
  const line = el("p", props, totalText(total));
  Object.assign(line.dataset, { running: String(total.running), dollarsPerHour: String(total.dollarsPerHour),
    costSoFar: String(total.costSoFar), unknownPrices: String(total.unknownPrices) });
  return line;
}

export function priceNote(answer) {
  return el("p", { className: "note price-note" },
    `Prices as of ${answer.priceTableDate || "?"}, on-demand list prices: estimate excludes data transfer, storage growth, `
    + `Savings Plans, free tier. Costs to ${utcTime(answer.asOf)}.`);
}

// A resource row of a table: type, id (a link to its page), region, since, size, $/hour, cost so far.
export function resourceCells(row) {
  return [
    el("td", { className: "type", title: row.type }, row.title || row.type),
    el("td", { className: "id" }, el("a", { className: "resource-link", href: resourceHref(row.arn || row.id, placeOf(row)),
      title: row.arn || row.id }, row.id)),
    el("td", { className: "region" }, row.region || ""),
    timeCell(row.since, "since time"),
    el("td", { className: "size" }, sizeText(row.attributes)),
    el("td", { className: `rate money${row.dollarsPerHour === null ? " unpriced" : ""}`, title: row.priceNote || "" }, rateText(row)),
    el("td", { className: `cost money${row.costSoFar === null ? " unpriced" : ""}` }, costText(row.costSoFar, row.priceBasis)),
  ];
}

// An id alone may name resources in several places: a link from a row names the row's.
const placeOf = (row) => (row.arn ? {} : { account: row.account, region: row.region, type: row.type });

export function resourceRowNode(row, before = []) {
  const tr = el("tr", { className: "resource-row" }, ...before, ...resourceCells(row));
  Object.assign(tr.dataset, { resourceId: row.id, type: row.type, region: row.region, account: row.account,
    creator: (row.creator && row.creator.actor) || "", state: row.state, since: row.since || "",
    dollarsPerHour: row.dollarsPerHour === null ? "" : String(row.dollarsPerHour),
    costSoFar: row.costSoFar === null ? "" : String(row.costSoFar) });
  return tr;
}

export const RESOURCE_HEADINGS = ["Type", "ID", "Region", "Since (UTC)", "Size", "$/hour", "Cost so far"];

// ---- the view
export async function renderRunning(root, { params }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, (params.get(k) || "").trim()]).filter(([, v]) => v));
  const form = el("form", { id: "running-filters", className: "filters", role: "search", "aria-label": "filter running resources" });
  const total = el("p", { id: "running-total", className: "running-total" }, "loading…");
  const note = el("div", { className: "price-slot" });
  const body = el("div", { className: "table-scroll", "aria-busy": "true" }, el("p", { className: "loading" }, "loading running resources…"));
  const exportButton = el("button", { type: "button", id: "running-export", className: "export-csv", disabled: true }, "CSV");
  root.replaceChildren(el("h2", {}, "Running now"),
    el("section", { id: "running", className: "card" }, form, total, note, body,
      el("p", { className: "table-tools" }, "Export the rows: ", exportButton)));

  const answer = api.running(filters);
  const choices = Object.keys(filters).length ? api.running() : answer; // every type/region/account, for the filters
  await Promise.all([
    filterForm(form, filters, choices),
    answer.then((a) => {
      total.replaceWith(totalsLine({ id: "running-total", className: "running-total" }, a.total));
      note.replaceChildren(priceNote(a), el("details", { className: "note" }, el("summary", {}, "price table source"), a.priceTableSource || ""));
      runningTable(body, exportButton, a, filters);
    }).catch((error) => {
      total.textContent = "";
      body.removeAttribute("aria-busy");
      body.replaceChildren(errorBox(error));
    }),
  ]);
}

async function filterForm(form, filters, choices) {
  const selects = Object.fromEntries(FILTERS.map((name) => [name,
    el("select", { name, id: `running-${name}` }, el("option", { value: "" }, `any ${name}`))]));
  for (const name of FILTERS) if (filters[name]) selects[name].append(el("option", { value: filters[name] }, filters[name]));
  const clear = el("button", { type: "button", className: "clear-filters" }, "Clear filters");
  form.append(...FILTERS.map((name) => el("label", { className: "filter" }, el("span", {}, name[0].toUpperCase() + name.slice(1)),
    selects[name])), clear);
  const apply = () => go("running", withParams(Object.fromEntries(FILTERS.map((name) => [name, selects[name].value]))));
  for (const select of Object.values(selects)) select.addEventListener("change", apply);
  clear.addEventListener("click", () => go("running", withParams(Object.fromEntries(FILTERS.map((name) => [name, null])))));
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  try {
    const { items } = await choices;
    const titles = new Map(items.map((row) => [row.type, row.title]));
    const known = { type: [...titles.keys()], region: items.map((row) => row.region), account: items.map((row) => row.account) };
    for (const name of FILTERS) {
      for (const value of [...new Set(known[name])].filter(Boolean).sort()) {
        if (value === filters[name]) continue;
        selects[name].append(el("option", { value }, name === "type" ? `${titles.get(value) || value} (${value})` : value));
      }
      selects[name].value = filters[name] || "";
    }
  } catch {
    // the choices are a convenience: the table shows its own error
  }
}

function runningTable(body, exportButton, answer, filters) {
  body.removeAttribute("aria-busy");
  if (!answer.items.length) {
    body.replaceChildren(el("p", { className: "empty" },
      Object.keys(filters).length ? "Nothing matching these filters is running." : "Nothing is running."));
    return;
  }
  const groups = new Map(answer.actors.map((a) => [a.actor, { ...a, rows: [] }]));
  for (const row of answer.items) {
    const actor = (row.creator && row.creator.actor) || "";
    if (!groups.has(actor)) groups.set(actor, { actor, running: 0, dollarsPerHour: 0, costSoFar: 0, unknownPrices: 0, usageBilled: 0, rows: [] });
    groups.get(actor).rows.push(row);
  }
  let sort = { key: "rate", dir: "desc" }; // the API's order: highest $/hour first
  let shown = [];
  const draw = () => {
    const ordered = sortGroups([...groups.values()], sort);
    shown = ordered.flatMap((g) => g.rows);
    const headings = [["Creator", "actor"], ...RESOURCE_HEADINGS.map((h) => [h, { "Since (UTC)": "since", "$/hour": "rate", "Cost so far": "cost" }[h]])];
    const head = el("tr", {}, ...headings.map(([text, key]) => {
      const th = el("th", { scope: "col" });
      if (!key) {
        th.append(text);
        return th;
      }
      const button = el("button", { type: "button", className: "sort", dataset: { sort: key } }, text);
      button.addEventListener("click", () => {
        sort = { key, dir: sort.key === key ? (sort.dir === "asc" ? "desc" : "asc") : SORTS[key] };
        draw();
      });
      th.setAttribute("aria-sort", sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none");
      th.append(button);
      return th;
    }));
    const bodies = ordered.map((group) => el("tbody", { className: "actor-group", dataset: { actor: group.actor } },
      ...group.rows.map((row, i) => resourceRowNode(row, i ? [] : [creatorCell(group)]))));
    body.replaceChildren(el("table", { id: "running-table", className: "running" }, el("thead", {}, head), ...bodies));
  };
  draw();
  exportButton.disabled = false;
  exportButton.onclick = () => downloadCsv(`running-${fileSafe(Object.values(filters).join("-"))}-${(answer.asOf || "").slice(0, 10)}`,
    CSV_COLUMNS, shown);
}

// The first row of a creator's group holds who it is and their sums, beside all of their rows.
function creatorCell(group) {
  const who = group.actor ? actorLink(group.actor, group.rows[0].creator?.role || "") : el("span", { className: "note" }, NO_CREATOR);
  return el("td", { className: "creator", rowSpan: group.rows.length }, who,
    el("div", { className: "note group-total" }, totalText({ ...group, running: group.running || group.rows.length }, { sayNoUnknown: false })));
}

function sortGroups(groups, { key, dir }) {
  const sign = dir === "asc" ? 1 : -1;
  const rowOrder = {
    rate: (a, b) => numberOrder(a.dollarsPerHour, b.dollarsPerHour, sign),
    cost: (a, b) => numberOrder(a.costSoFar, b.costSoFar, sign),
    since: (a, b) => sign * String(a.since || "").localeCompare(String(b.since || "")),
    actor: (a, b) => numberOrder(a.dollarsPerHour, b.dollarsPerHour, -1), // inside a group: highest $/hour first
  }[key];
  for (const group of groups) group.rows.sort(rowOrder);
  const name = (g) => (g.actor ? actorText(g.actor, g.rows[0].creator?.role || "") : "\uffff"); // the unknown creator last
  const groupOrder = {
    rate: (a, b) => sign * (a.dollarsPerHour - b.dollarsPerHour),
    cost: (a, b) => sign * (a.costSoFar - b.costSoFar),
    since: (a, b) => rowOrder(a.rows[0], b.rows[0]),
    actor: (a, b) => sign * name(a).localeCompare(name(b), undefined, { sensitivity: "base" }),
  }[key];
  return groups.sort((a, b) => groupOrder(a, b) || name(a).localeCompare(name(b)));
}

// Numbers in `sign` order (1: ascending), an unknown price (null) last either way.
function numberOrder(a, b, sign) {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return Number(missingA) - Number(missingB);
  return sign * (a - b);
}

const priceCell = (value, basis) => (value === null || value === undefined ? unpriced(basis) : value);
const CSV_COLUMNS = [
  ["creator", (r) => r.creator?.actor || ""], ["creatorRole", (r) => r.creator?.role || ""],
  ["creatorSourceIP", (r) => r.creator?.sourceIP || ""], ["type", (r) => r.type], ["title", (r) => r.title], ["id", (r) => r.id],
  ["arn", (r) => r.arn], ["account", (r) => r.account], ["region", (r) => r.region], ["state", (r) => r.state],
  ["since", (r) => r.since], ["createdAt", (r) => r.createdAt],
  ["attributes", (r) => Object.entries(r.attributes || {}).map(([k, v]) => `${k}=${v}`).join(" ")],
  ["dollarsPerHour", (r) => priceCell(r.dollarsPerHour, r.priceBasis)], ["costSoFar", (r) => priceCell(r.costSoFar, r.priceBasis)],
  ["priceBasis", (r) => r.priceBasis], ["priceNote", (r) => r.priceNote],
].map(([name, value]) => ({ name, value }));
