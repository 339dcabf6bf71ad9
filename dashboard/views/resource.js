// One resource: given an id or ARN, its card from /resources/{id} (who created it, from where, its
// size, $/hour, cost so far, lifecycle, the events that changed or named it), then who did what to
// its ARN in the range (/resources?arn=). An ARN no create/stop/start/delete event named still shows
// its events: the card then says the resource is not tracked, quietly, instead of failing the page.
import { actorLink, roleText } from "../actors.js";
import { api } from "../api.js";
import { el, errorBox } from "../dom.js";
import { eventsTable } from "../events-table.js";
import { openRecord } from "../record.js";
import { go, withParams } from "../route.js";
import { costText, rateText, resourceRowNode, RESOURCE_HEADINGS, sizeText, timeCell, utcTime } from "./running.js";

const PLACE_KEYS = ["account", "region", "type"]; // which of several resources of one id

export async function renderResource(root, { range, params, me }) {
  const wanted = (params.get("id") || params.get("arn") || "").trim(); // ?arn= is the older link
  const input = el("input", { type: "text", name: "id", id: "arn-input", value: wanted, required: true,
    placeholder: "i-0abc12345def67890, my-bucket or arn:aws:s3:::my-bucket", autocomplete: "off", spellcheck: false });
  const form = el("form", { id: "resource-form", className: "card inline-form" },
    el("label", { htmlFor: "arn-input" }, "Resource ID or ARN"), input, el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("resource", withParams({ id: input.value.trim(), arn: null, account: null, region: null, type: null }));
  });
  root.replaceChildren(el("h2", {}, "Resource"), form);
  if (!wanted) {
    root.append(el("p", { className: "empty" },
      "Give an ID or ARN, open one from Running, or open an event in another view and follow one of its resources."));
    return;
  }
  const card = el("section", { id: "resource-card", className: "card", "aria-busy": "true" },
    el("p", { className: "loading" }, "loading the resource…"));
  const events = el("section", { id: "events" });
  root.append(card, events);

  const place = Object.fromEntries(PLACE_KEYS.map((k) => [k, params.get(k) || ""]).filter(([, v]) => v));
  const detail = api.resource(wanted, place);
  const isArn = wanted.startsWith("arn:");
  let tableArgs = null;
  const table = (arn) => {
    tableArgs = { title: `Who did what to ${arn}`, scope: { arn }, range, actorFilter: Boolean(me.admin) };
    return eventsTable(events, tableArgs);
  };
  await Promise.all([
    detail.then((answer) => drawCard(card, answer), (error) => drawUnknown(card, error, isArn)),
    // an ARN's events load meanwhile; an id's once the card has named its ARN
    isArn ? table(wanted) : detail.then((answer) => (answer.resource.arn ? table(answer.resource.arn) : null), () => null),
  ]);
  return { refilter: () => (tableArgs ? eventsTable(events, tableArgs) : undefined) };
}

function drawUnknown(card, error, isArn) {
  card.removeAttribute("aria-busy");
  if (isArn && error.status === 404) {
    // the ARN's events still answer who did what; only the lifecycle and cost are missing
    card.replaceChildren(el("p", { className: "note not-tracked" }, `Not a tracked resource: ${error.message}. ${error.hint || ""}`));
    return;
  }
  card.replaceChildren(errorBox(error));
}

function drawCard(card, answer) {
  const row = answer.resource;
  card.removeAttribute("aria-busy");
  card.dataset.resourceId = row.id;
  card.dataset.state = row.state;
  const creator = row.creator;
  const facts = el("dl", { className: "facts" },
    ...fact("Type", `${row.title} (${row.type})`),
    ...fact("ID", row.id),
    ...fact("ARN", row.arn || "-"),
    ...fact("Account / region", `${row.account || "-"} / ${row.region || "-"}`),
    ...fact("State", el("span", { className: `state state-${row.state}` }, row.state), row.since ? ` since ${utcTime(row.since)}` : ""),
    ...fact("Created", row.createdAt ? utcTime(row.createdAt) : "before the tracked events (no create event)"),
    ...creatorFacts("Creator", creator, "creator"),
    ...fact("Size", sizeText(row.attributes) || "-", attributeList(row.attributes)),
    ...fact("$/hour", el("span", { className: "rate" }, rateText(row)), row.priceNote ? el("span", { className: "note" }, ` ${row.priceNote}`) : ""),
    ...fact("Cost so far", el("span", { className: "cost" }, costText(row.costSoFar, row.priceBasis)), ` (to ${utcTime(answer.asOf)})`),
    ...(row.deletedAt || row.deletedBy
      ? [...fact("Deleted", utcTime(row.deletedAt) || "?"), ...creatorFacts("Deleted by", row.deletedBy, "deleted-by")]
      : fact("Deleted", "not deleted")));
  const parts = [el("h3", {}, `${row.title} ${row.id}`), facts, lifecycle(answer.intervals, answer.asOf)];
  if (answer.others.length) parts.push(others(answer.others));
  parts.push(changeEvents(answer.events, answer.truncated));
  card.replaceChildren(...parts);
}

function fact(name, ...value) {
  return [el("dt", {}, name), el("dd", {}, ...value)];
}

// Who made (or deleted) it, from where, with what, and the event that did it.
function creatorFacts(name, who, className) {
  if (!who) return fact(name, el("span", { className: `${className} note` }, "unknown (the event is not in the table)"));
  const event = el("a", { href: "#", className: "event-link" }, "the event");
  event.addEventListener("click", (e) => { e.preventDefault(); openRecord(who.eventID, who.time); });
  return [
    ...fact(name, el("span", { className }, actorLink(who.actor, who.role)), ` (${who.actorType || "?"})`),
    ...fact("Role", who.role ? roleText(who.role) : "-"),
    ...fact("Source IP", who.sourceIP || "-"),
    ...fact("User agent", who.userAgent || "-"),
    ...fact("At", utcTime(who.time), " · ", event),
  ];
}

function attributeList(attributes) {
  const entries = Object.entries(attributes || {});
  if (!entries.length) return "";
  return el("ul", { className: "attributes note" }, ...entries.map(([k, v]) => el("li", {}, `${k}: ${v}`)));
}

// Running and stopped spans: a bar (widths by duration) over a list with the times.
function lifecycle(intervals, asOf) {
  const section = el("section", { id: "resource-lifecycle", className: "lifecycle" }, el("h4", {}, "Lifecycle (UTC)"));
  if (!intervals.length) {
    section.append(el("p", { className: "note" }, "No running or stopped spans are known."));
    return section;
  }
  const end = (i) => new Date(i.end || asOf).getTime();
  const hours = (i) => Math.max(0, end(i) - new Date(i.start).getTime()) / 3600e3;
  const whole = intervals.reduce((sum, i) => sum + hours(i), 0) || 1;
  section.append(
    el("div", { className: "lifecycle-bar", "aria-hidden": "true" }, ...intervals.map((i) =>
      el("span", { className: `span-${i.state}`, title: `${i.state} ${utcTime(i.start)} to ${i.end ? utcTime(i.end) : "now"}`,
        style: `flex-grow: ${Math.max(hours(i) / whole, 0.01)}` }))),
    el("ol", { className: "intervals" }, ...intervals.map((i) => {
      const li = el("li", { className: `interval span-${i.state}` }, el("strong", {}, i.state), ` from ${utcTime(i.start)} to `,
        i.end ? utcTime(i.end) : "now", el("span", { className: "note" }, ` (${hours(i).toFixed(1)} h)`));
      Object.assign(li.dataset, { state: i.state, start: i.start, end: i.end || "" });
      return li;
    })));
  return section;
}

function others(rows) {
  return el("section", { className: "others" }, el("h4", {}, "Other resources with this id"),
    el("div", { className: "table-scroll" }, el("table", { className: "running" },
      el("thead", {}, el("tr", {}, ...RESOURCE_HEADINGS.map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows.map((row) => resourceRowNode(row))))));
}

// The events that created, stopped, started, resized or deleted it, or named it; a row opens the record.
function changeEvents(events, truncated) {
  const section = el("section", { id: "resource-events" }, el("h4", {}, "Events naming it (newest first)"));
  if (!events.length) {
    section.append(el("p", { className: "empty" }, "No events name it."));
    return section;
  }
  const rows = events.map((e) => {
    const open = el("a", { href: "#", className: "event-link" }, e.eventName);
    open.addEventListener("click", (event) => { event.preventDefault(); event.stopPropagation(); openRecord(e.eventID, e.eventTime); });
    const who = e.actor ? actorLink(e.actor) : "";
    if (who) who.addEventListener("click", (event) => event.stopPropagation());
    const tr = el("tr", { className: e.errorCode ? "resource-event failed" : "resource-event", tabIndex: 0 },
      timeCell(e.eventTime), el("td", { className: "what" }, open), el("td", { className: "who" }, who),
      el("td", { className: "change" }, e.change || ""), el("td", { className: "error" }, e.errorCode || ""));
    Object.assign(tr.dataset, { eventId: e.eventID, change: e.change || "" });
    tr.addEventListener("click", () => openRecord(e.eventID, e.eventTime));
    tr.addEventListener("keydown", (event) => { if (event.key === "Enter") openRecord(e.eventID, e.eventTime); });
    return tr;
  });
  section.append(el("div", { className: "table-scroll" }, el("table", { className: "resource-events" },
    el("thead", {}, el("tr", {}, ...["Time (UTC)", "Event", "Who", "Change", "Error"].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows))));
  if (truncated) section.append(el("p", { className: "note" }, "More events name it than one answer reads: the newest are shown."));
  return section;
}
