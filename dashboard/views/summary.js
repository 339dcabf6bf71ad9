// Pieces shared by the overview and the actor view.
import { el } from "../dom.js";

const config = window.TRACKER_CONFIG || {};

// One card per configured event name, then all events and failed calls.
export function counterCards(container, byEventName, byErrorCode) {
  const counts = new Map(byEventName.items.map((i) => [i.key, i.count]));
  const failed = byErrorCode.items.reduce((sum, i) => sum + i.count, 0);
  const cards = (config.counters || []).map((entry) => {
    // "RunInstances", or {label, eventNames: [...]} for calls CloudTrail names with a version suffix
    const label = typeof entry === "string" ? entry : entry.label;
    const names = typeof entry === "string" ? [entry] : entry.eventNames;
    return card(label, names.reduce((total, name) => total + (counts.get(name) || 0), 0), label);
  });
  cards.push(card("All events", byEventName.total ?? sum(byEventName.items), "_total"));
  cards.push(card("Denied / failed", failed, "_failed", failed ? "warn" : ""));
  container.replaceChildren(...cards);
}

function card(label, count, key, extra = "") {
  const node = el("div", { className: `counter ${extra}`.trim() },
    el("span", { className: "count" }, String(count)), el("span", { className: "label" }, label));
  node.dataset.key = key;
  node.dataset.count = String(count);
  return node;
}

const sum = (items) => items.reduce((total, i) => total + i.count, 0);

export function countedDaysNote(aggregate) {
  const first = (aggregate.from || "").slice(0, 10);
  const last = (aggregate.to || "").slice(0, 10);
  return `Counts come from the daily counters and cover whole UTC days: ${first} to ${last}.`;
}

// Days in calendar order (the API may sort by count).
export function dayItems(items) {
  return [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
