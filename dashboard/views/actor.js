// One actor (IAM user, SSO person, role session, ...): what they used, when, what failed.
import { actorDirectory, actorLink, actorParts, actorText, roleText } from "../actors.js";
import { aggregateWindow } from "../aggregates.js";
import { barChart, chartPlaceholder } from "../charts.js";
import { el, errorBox } from "../dom.js";
import { downloadCsv, downloadJson } from "../export.js";
import { eventsTable } from "../events-table.js";
import { actorHref } from "../links.js";
import { go, routeHref, withParams } from "../route.js";
import { offerSpan } from "../span.js";
import { keys, show } from "./overview.js";
import { binItems, counterCards, counterPlaceholders, countedDaysNote, timelineNote, timelineTitle } from "./summary.js";

const config = window.TRACKER_CONFIG || {};
const MATCHES_SHOWN = 25;

export async function renderActor(root, { range, params, me }) {
  // A non-admin is only offered themselves: the API would refuse anyone else.
  const actor = me.admin ? params.get("actor") || "" : me.actor || "";
  const picker = el("section", { id: "actor-picker", className: "card" });
  root.replaceChildren(el("h2", {}, "Actor"), picker);
  const directory = actorDirectory().catch((error) => ({ error }));

  if (me.admin) {
    actorPicker(picker, actor, directory); // not awaited: the actor's numbers load meanwhile
  } else {
    picker.append(el("p", {}, "You are ", el("strong", { className: "me" }, me.actor || "not mapped to an actor"), "."));
  }
  if (!actor) {
    root.append(el("p", { className: "empty" }, "Search for an actor to see what they did."));
    await directory;
    return;
  }

  const heading = el("h3", { className: "actor-name" }, actor);
  const role = el("p", { className: "note actor-role" });
  const offer = el("div", { id: "span-slot" });
  const counters = el("section", { id: "counters", className: "counters", "aria-label": "counters" });
  const note = el("p", { className: "note counted-days" });
  const titles = { services: "Services used", "event-names": "Event names", timeline: "Timeline (UTC)", denied: "Denied and failed calls" };
  const sections = Object.fromEntries(Object.keys(titles).map((id) => [id, el("section", { id: `actor-${id}` })]));
  const events = el("section", { id: "events" });
  root.append(heading, role, offer, counters, note, el("div", { className: "grid" }, ...Object.values(sections)), events);
  counterPlaceholders(counters);
  for (const [id, title] of Object.entries(titles)) chartPlaceholder(sections[id], title);

  const extra = { user: actor };
  const [services, names, days, errors] = ["service", "eventName", "day", "errorCode"].map((by) => aggregateWindow(by, range, extra));
  const tableArgs = { title: `Events of ${actor}`, scope: { actor }, range,
    suggest: { eventNames: keys(names), errorCodes: keys(errors) } };
  const table = eventsTable(events, tableArgs);
  const filter = (change) => routeHref("actor", withParams(change));
  const topN = config.topN || 15;

  await Promise.all([
    directory.then((d) => {
      const known = d.byName && d.byName.get(actor);
      if (!known) return;
      const parts = actorParts(actor, known.role);
      role.textContent = [known.type, parts.role ? `role ${roleText(parts.role)}` : "", known.account ? `account ${known.account}` : "",
        known.lastSeen ? `last seen ${known.lastSeen}` : ""].filter(Boolean).join(" · ");
    }),
    show(counters, Promise.all([names, errors]), async ([n, e]) => {
      counterCards(counters, n, e, "actor");
      note.textContent = countedDaysNote(n);
      if (!n.total && !n.items.length) {
        const known = await directory;
        await offerSpan(offer, "actor", { lastSeen: (known.byName && known.byName.get(actor)?.lastSeen) || "" });
      }
    }),
    show(sections.services, services, (a) => barChart(sections.services, { title: titles.services, topN,
      items: a.items.map((i) => ({ ...i, href: filter({ service: i.key }) })) })),
    show(sections["event-names"], names, (a) => barChart(sections["event-names"], { title: titles["event-names"], topN,
      items: a.items.map((i) => ({ ...i, href: filter({ eventName: i.key }) })) })),
    show(sections.timeline, days, (a) => barChart(sections.timeline, { title: timelineTitle("Timeline: events", a.granularity),
      note: timelineNote(a.granularity), horizontal: false, items: binItems(a, "actor") })),
    show(sections.denied, errors, (a) => barChart(sections.denied, { title: titles.denied, topN,
      empty: "no failed calls in this range", items: a.items.map((i) => ({ ...i, href: filter({ errorCode: i.key }) })) })),
    table,
  ]);
  return { refilter: () => eventsTable(events, tableArgs) };
}

// A search box over every actor /users knows: matches (name, session or role, any case) as links.
async function actorPicker(container, selected, directoryPromise) {
  const search = el("input", { type: "search", id: "actor-search", name: "actor", placeholder: "search actors: name, session or role",
                               autocomplete: "off", spellcheck: false, value: "" });
  const count = el("span", { className: "note match-count", "aria-live": "polite" }, "loading actors…");
  const matches = el("ul", { id: "actor-matches", className: "actor-matches" });
  container.append(el("label", { htmlFor: "actor-search" }, "Actor "), search, count, matches);
  const directory = await directoryPromise;
  if (directory.error) {
    container.append(errorBox(directory.error));
    return;
  }
  const users = [...directory.users].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }));
  const haystack = new Map(users.map((u) => [u.name, `${u.name} ${actorText(u.name, u.role)} ${u.role} ${u.type}`.toLowerCase()]));
  const found = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    return users.filter((u) => words.every((w) => haystack.get(u.name).includes(w)));
  };
  const draw = () => {
    const hits = found();
    count.textContent = search.value ? `${hits.length} of ${users.length} actors` : `${users.length} actors`;
    matches.replaceChildren(...hits.slice(0, search.value ? MATCHES_SHOWN : 0).map((u) => {
      const li = el("li", { className: u.name === selected ? "selected" : "" }, actorLink(u.name, u.role),
        el("span", { className: "note" }, ` ${u.type || "?"}${u.lastSeen ? `, last seen ${u.lastSeen}` : ""}`));
      li.dataset.actor = u.name;
      return li;
    }));
    if (hits.length > MATCHES_SHOWN && search.value) matches.append(el("li", { className: "note" }, `… ${hits.length - MATCHES_SHOWN} more: type more`));
  };
  search.addEventListener("input", draw);
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const hits = found();
    const exact = hits.find((u) => u.name.toLowerCase() === search.value.trim().toLowerCase());
    const chosen = exact || (hits.length === 1 ? hits[0] : null);
    if (chosen) go("actor", new URLSearchParams(actorHref(chosen.name).split("?")[1]));
  });
  if (directory.more) container.append(el("p", { className: "note" }, "More actors exist than listed here."));
  container.append(actorExport(users));
  draw();
}

const ACTOR_COLUMNS = ["name", "type", "role", "account", "lastSeen"].map((name) => ({ name, value: (u) => u[name] ?? "" }));

// The actor list as a file: every actor /users knows, as listed.
function actorExport(users) {
  const csv = el("button", { type: "button", className: "export-csv" }, "CSV");
  const json = el("button", { type: "button", className: "export-json" }, "JSON");
  csv.addEventListener("click", () => downloadCsv("actors", ACTOR_COLUMNS, users));
  json.addEventListener("click", () => downloadJson("actors", users));
  return el("p", { className: "table-tools actor-export" }, "Export the actor list: ", csv, json);
}
