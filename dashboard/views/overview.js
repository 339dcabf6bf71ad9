// Overview: counters, per-service/actor/time/error charts from /aggregates, and every event in the
// range. Every part shows a placeholder at once and fills in as its own request answers (all in parallel).
import { actorDirectory, actorText } from "../actors.js";
import { aggregateWindow } from "../aggregates.js";
import { barChart, chartPlaceholder } from "../charts.js";
import { el, errorBox } from "../dom.js";
import { eventsTable } from "../events-table.js";
import { actorHref } from "../links.js";
import { routeHref, withParams } from "../route.js";
import { offerSpan } from "../span.js";
import { binItems, counterCards, counterPlaceholders, countedDaysNote, timelineNote, timelineTitle } from "./summary.js";

const config = window.TRACKER_CONFIG || {};

export async function renderOverview(root, { range, me }) {
  const counters = el("section", { id: "counters", className: "counters", "aria-label": "counters" });
  const offer = el("div", { id: "span-slot" });
  const note = el("p", { className: "note counted-days" });
  const sections = Object.fromEntries(["by-service", "by-actor", "by-day", "by-error"].map((id) => [id, el("section", { id })]));
  const events = el("section", { id: "events" });
  root.replaceChildren(el("h2", {}, "Overview"), offer, counters, note,
    el("div", { className: "grid" }, ...Object.values(sections)), events);
  counterPlaceholders(counters);
  chartPlaceholder(sections["by-service"], "Events per service");
  chartPlaceholder(sections["by-actor"], "Events per actor");
  chartPlaceholder(sections["by-day"], "Events over time (UTC)");
  chartPlaceholder(sections["by-error"], "Denied and failed calls");

  const ask = (by) => aggregateWindow(by, range);
  const [names, services, actors, days, errors] = ["eventName", "service", "user", "day", "errorCode"].map(ask);
  const tableArgs = { title: "Events", range, actorFilter: Boolean(me.admin),
    suggest: { eventNames: keys(names), errorCodes: keys(errors) } };
  const table = eventsTable(events, tableArgs);
  const filter = (change) => routeHref("overview", withParams(change));
  const topN = config.topN || 15;
  const directory = actorDirectory().catch(() => null); // roles for the actor labels; names alone without it

  await Promise.all([
    show(counters, Promise.all([names, errors]), async ([n, e]) => {
      counterCards(counters, n, e, "overview");
      note.textContent = countedDaysNote(n);
      if (!n.total && !sum(n.items)) await offerSpan(offer, "overview");
    }),
    show(sections["by-service"], services, (a) => barChart(sections["by-service"], { title: "Events per service", topN,
      items: a.items.map((i) => ({ ...i, href: filter({ service: i.key }) })) })),
    show(sections["by-actor"], Promise.all([actors, directory]), ([a, d]) => barChart(sections["by-actor"], {
      title: "Events per actor", topN,
      items: a.items.map((i) => ({ ...i, label: actorText(i.key, roleOf(d, i.key)), href: actorHref(i.key) })) })),
    show(sections["by-day"], days, (a) => barChart(sections["by-day"], { title: timelineTitle("Events", a.granularity),
      note: timelineNote(a.granularity), horizontal: false, items: binItems(a, "overview") })),
    show(sections["by-error"], errors, (a) => barChart(sections["by-error"], { title: "Denied and failed calls", topN,
      empty: "no failed calls in this range", items: a.items.map((i) => ({ ...i, href: filter({ errorCode: i.key }) })) })),
    table,
  ]);
  return { refilter: () => eventsTable(events, tableArgs) };
}

// Draws `answer` into its section once it comes, or the error in its place (the other parts still show).
export async function show(section, answer, draw) {
  try {
    await draw(await answer);
  } catch (error) {
    section.removeAttribute("aria-busy");
    section.replaceChildren(errorBox(error));
  }
}

export const keys = (answer) => answer.then((a) => a.items.map((i) => i.key)).catch(() => []);
export const roleOf = (directory, name) => (directory && directory.byName.get(name)?.role) || "";
const sum = (items) => items.reduce((total, i) => total + i.count, 0);
