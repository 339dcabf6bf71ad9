// One actor (IAM user, SSO person, role session, ...): what they used, when, what failed.
import { api } from "../api.js";
import { barChart } from "../charts.js";
import { el, errorBox } from "../dom.js";
import { eventsTable } from "../events-table.js";
import { go, withParams } from "../route.js";
import { counterCards, countedDaysNote, dayItems } from "./summary.js";

const config = window.TRACKER_CONFIG || {};

export async function renderActor(root, { range, params, me }) {
  // A non-admin is only offered themselves: the API would refuse anyone else.
  const actor = me.admin ? params.get("actor") || "" : me.actor || "";
  const picker = el("section", { id: "actor-picker", className: "card" });
  root.replaceChildren(el("h2", {}, "Actor"), picker);

  if (me.admin) {
    await actorPicker(picker, actor);
  } else {
    picker.append(el("p", {}, "You are ", el("strong", { className: "me" }, me.actor || "not mapped to an actor"), "."));
  }
  if (!actor) {
    root.append(el("p", { className: "empty" }, "Pick an actor to see what they did."));
    return;
  }

  const counters = el("section", { id: "counters", className: "counters", "aria-label": "counters" });
  const note = el("p", { className: "note counted-days" });
  const sections = ["services", "event-names", "timeline", "denied"].map((id) => el("section", { id: `actor-${id}` }));
  const events = el("section", { id: "events" });
  root.append(el("h3", { className: "actor-name" }, actor), counters, note, el("div", { className: "grid" }, ...sections), events);

  const table = eventsTable(events, { title: `Events of ${actor}`, showActor: false,
    fetchPage: (page) => api.userEvents(actor, range, page) });
  try {
    const extra = { user: actor };
    const [services, names, days, errors] = await Promise.all(
      ["service", "eventName", "day", "errorCode"].map((by) => api.aggregate(by, range, extra)));
    counterCards(counters, names, errors);
    note.textContent = countedDaysNote(names);
    const topN = config.topN || 15;
    barChart(sections[0], { title: "Services used", items: services.items, topN });
    barChart(sections[1], { title: "Event names", items: names.items, topN });
    barChart(sections[2], { title: "Timeline: events per day (UTC)", items: dayItems(days.items), topN: 400, horizontal: false });
    barChart(sections[3], { title: "Denied and failed calls", items: errors.items, topN, empty: "no failed calls in this range" });
  } catch (error) {
    counters.replaceChildren(errorBox(error));
  }
  await table;
}

async function actorPicker(container, selected) {
  const select = el("select", { id: "actor-select", name: "actor" }, el("option", { value: "" }, "— pick an actor —"));
  container.append(el("label", { htmlFor: "actor-select" }, "Actor "), select);
  try {
    const answer = await api.users();
    const users = [...(answer.items || [])].sort((a, b) => a.name.localeCompare(b.name));
    for (const user of users) {
      const option = el("option", { value: user.name }, `${user.name} (${user.type || "?"}${user.lastSeen ? `, last seen ${user.lastSeen}` : ""})`);
      option.selected = user.name === selected;
      select.append(option);
    }
    if (answer.next) container.append(el("p", { className: "note" }, "More actors exist than listed here."));
  } catch (error) {
    container.append(errorBox(error));
  }
  select.addEventListener("change", () => go("actor", withParams({ actor: select.value })));
}
