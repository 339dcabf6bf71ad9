// Overview: counters, per-service/actor/day/error charts from /aggregates, and every event in the range.
import { api } from "../api.js";
import { barChart } from "../charts.js";
import { el, errorBox } from "../dom.js";
import { eventsTable } from "../events-table.js";
import { counterCards, countedDaysNote, dayItems } from "./summary.js";

const config = window.TRACKER_CONFIG || {};

export async function renderOverview(root, { range }) {
  const counters = el("section", { id: "counters", className: "counters", "aria-label": "counters" });
  const note = el("p", { className: "note counted-days" });
  const byService = el("section", { id: "by-service" });
  const byActor = el("section", { id: "by-actor" });
  const byDay = el("section", { id: "by-day" });
  const byError = el("section", { id: "by-error" });
  const events = el("section", { id: "events" });
  root.replaceChildren(
    el("h2", {}, "Overview"), counters, note,
    el("div", { className: "grid" }, byService, byActor, byDay, byError), events);

  const table = eventsTable(events, { title: "Events", fetchPage: (page) => api.scan(range, page) });
  try {
    const [names, services, actors, days, errors] = await Promise.all(
      ["eventName", "service", "user", "day", "errorCode"].map((by) => api.aggregate(by, range)));
    counterCards(counters, names, errors);
    note.textContent = countedDaysNote(names);
    const topN = config.topN || 15;
    barChart(byService, { title: "Events per service", items: services.items, topN });
    barChart(byActor, { title: "Events per actor", items: actors.items, topN });
    barChart(byDay, { title: "Events per day (UTC)", items: dayItems(days.items), topN: 400, horizontal: false });
    barChart(byError, { title: "Denied and failed calls", items: errors.items, topN, empty: "no failed calls in this range" });
  } catch (error) {
    counters.replaceChildren(errorBox(error));
  }
  await table;
}
