// Pieces shared by the overview and the actor view: counter cards, the day chart's bins, and the
// link each chart item opens.
import { binEnd } from "../aggregates.js";
import { el } from "../dom.js";
import { routeHref, withParams } from "../route.js";

const config = window.TRACKER_CONFIG || {};

// One card per configured event name, then all events and failed calls; each card links to the
// view's events table filtered on what it counts.
export function counterCards(container, byEventName, byErrorCode, view) {
  const counts = new Map(byEventName.items.map((i) => [i.key, i.count]));
  const failed = byErrorCode.items.reduce((sum, i) => sum + i.count, 0);
  const cards = (config.counters || []).map((entry) => {
    // "RunInstances", or {label, eventNames: [...]} for calls CloudTrail names with a version suffix
    const label = typeof entry === "string" ? entry : entry.label;
    const names = typeof entry === "string" ? [entry] : entry.eventNames;
    const count = names.reduce((total, name) => total + (counts.get(name) || 0), 0);
    // the table filters on one name: the one with calls (the first when none has)
    const shownName = names.find((name) => counts.get(name)) || names[0];
    return card(label, count, label, filterHref(view, { eventName: shownName, errorCode: null }));
  });
  cards.push(card("All events", byEventName.total ?? sum(byEventName.items), "_total",
    filterHref(view, { eventName: null, errorCode: null })));
  cards.push(card("Denied / failed", failed, "_failed", filterHref(view, { eventName: null, errorCode: "any" }),
    failed ? "warn" : ""));
  container.removeAttribute("aria-busy");
  container.replaceChildren(...cards);
}

// The view itself with its table filtered (other filters dropped: a card counts all of the range).
function filterHref(view, change) {
  return `${routeHref(view, withParams({ service: null, actor: null, access: null, ...change }))}`;
}

function card(label, count, key, href, extra = "") {
  const node = el("a", { className: `counter ${extra}`.trim(), href },
    el("span", { className: "count" }, String(count)), el("span", { className: "label" }, label));
  node.dataset.key = key;
  node.dataset.count = String(count);
  return node;
}

export function counterPlaceholders(container) {
  container.setAttribute("aria-busy", "true");
  const labels = [...(config.counters || []).map((e) => (typeof e === "string" ? e : e.label)), "All events", "Denied / failed"];
  container.replaceChildren(...labels.map((label) => el("div", { className: "counter placeholder" },
    el("span", { className: "count" }, "…"), el("span", { className: "label" }, label))));
}

const sum = (items) => items.reduce((total, i) => total + i.count, 0);

export function countedDaysNote(aggregate) {
  const first = (aggregate.from || "").slice(0, 10);
  const last = (aggregate.to || "").slice(0, 10);
  return `Counts come from the daily counters and cover whole UTC days: ${first} to ${last}.`;
}

const UNIT = { day: "day", week: "week", month: "month" };

// The timeline's title and note for its bin size ("Events per week (UTC)", "each bar: 7 days from its date").
export function timelineTitle(prefix, granularity) {
  return `${prefix} per ${UNIT[granularity] || "day"} (UTC)`;
}

export function timelineNote(granularity) {
  if (granularity === "week") return "Bins of one week, labelled by their first day; the whole window is shown.";
  if (granularity === "month") return "Bins of one month, labelled by their first day; the whole window is shown.";
  return "One bar per UTC day; the whole window is shown.";
}

// Bins in calendar order, each a link to the view over exactly that bin's days.
export function binItems(answer, view, keep = {}) {
  const granularity = answer.granularity || "day";
  const lastDay = (answer.to || "").slice(0, 10);
  return [...answer.items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((item) => ({
    ...item,
    href: routeHref(view, withParams({ range: null, from: item.key, to: binEnd(item.key, granularity, lastDay), ...keep })),
  }));
}
