// One actor (IAM user, SSO person, role session, ...): what they used, when, what failed.
import { actorDirectory, actorLink, actorParts, actorText, roleText } from "../actors.js";
import { aggregateWindow } from "../aggregates.js";
import { barChart, chartPlaceholder } from "../charts.js";
import { el, errorBox } from "../dom.js";
import { api } from "../api.js";
import { download, downloadCsv, downloadJson, fileSafe } from "../export.js";
import { eventsTable } from "../events-table.js";
import { actorHref, resourceHref, runningHref } from "../links.js";
import { openRecord } from "../record.js";
import { go, routeHref, withParams } from "../route.js";
import { offerSpan } from "../span.js";
import { keys, show } from "./overview.js";
import { costText, dollars, priceNote, RESOURCE_HEADINGS, resourceRowNode, timeCell, totalsLine, utcTime } from "./running.js";
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
  const running = el("section", { id: "actor-running", className: "card", "aria-busy": "true" });
  const spend = el("section", { id: "actor-spend", className: "card", "aria-busy": "true" });
  const policy = el("section", { id: "actor-policy", className: "card" });
  const consoleSessions = el("section", { id: "actor-console-sessions", className: "card", "aria-busy": "true" });
  root.append(heading, role, offer, counters, note, el("div", { className: "grid" }, ...Object.values(sections)),
    el("div", { className: "grid accountability" }, running, spend), consoleSessions, policy, events);
  for (const [section, title] of [[running, "Running now"], [spend, "Spend in this range"], [consoleSessions, CONSOLE_TITLE]]) {
    section.append(el("h3", {}, title), el("p", { className: "loading" }, "loading…"));
  }
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
    show(running, api.running({ actor }), (a) => runningPanel(running, actor, a)),
    show(spend, api.userCost(actor, range), (a) => spendPanel(spend, a)),
    show(consoleSessions, api.consoleSessions(actor, range), (a) => consolePanel(consoleSessions, a)),
    policyPanel(policy, actor, range),
    table,
  ]);
  return { refilter: () => eventsTable(events, tableArgs) };
}

// What they left running now (whatever the range), with its $/hour and cost so far.
function runningPanel(section, actor, answer) {
  section.removeAttribute("aria-busy");
  const parts = [el("h3", {}, "Running now"), totalsLine({ className: "running-count" }, answer.total)];
  if (answer.items.length) {
    parts.push(el("div", { className: "table-scroll" }, el("table", { className: "running" },
      el("thead", {}, el("tr", {}, ...RESOURCE_HEADINGS.map((h) => el("th", {}, h)))),
      el("tbody", {}, ...answer.items.map((row) => resourceRowNode(row))))));
  } else {
    parts.push(el("p", { className: "empty" }, "Nothing they created is running."));
  }
  parts.push(priceNote(answer), el("p", {}, el("a", { href: runningHref() }, "Everything running")));
  section.replaceChildren(...parts);
}

// What their resources cost inside the range: the total, per resource, per UTC day.
function spendPanel(section, answer) {
  section.removeAttribute("aria-busy");
  const unknown = answer.unknownPrices ? `; ${answer.unknownPrices} with unknown price, not in the total` : "";
  const total = el("p", { className: "spend-total" }, el("strong", {}, dollars(answer.total)),
    ` on ${answer.resources.length} resource${answer.resources.length === 1 ? "" : "s"} from ${utcTime(answer.from)} to ${utcTime(answer.to)}${unknown}`);
  total.dataset.total = String(answer.total);
  total.dataset.unknownPrices = String(answer.unknownPrices);
  const parts = [el("h3", {}, "Spend in this range"), total];
  if (answer.resources.length) {
    parts.push(el("div", { className: "table-scroll" }, el("table", { className: "spend" },
      el("thead", {}, el("tr", {}, ...["ID", "Type", "Region", "State", "Hours", "Cost"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...answer.resources.map((r) => el("tr", { dataset: { resourceId: r.id } },
        el("td", {}, el("a", { className: "resource-link", href: resourceHrefOf(r) }, r.id)), el("td", {}, r.type),
        el("td", {}, r.region), el("td", {}, r.state), el("td", { className: "money" }, r.hours.toFixed(1)),
        el("td", { className: "money" }, costText(r.cost, r.priceBasis))))))));
  }
  if (answer.days.length) {
    parts.push(el("h4", {}, "Per day (UTC)"), el("ol", { className: "numbers spend-days" },
      ...answer.days.map((d) => el("li", { dataset: { day: d.day, cost: String(d.cost) } },
        el("span", { className: "key" }, d.day), el("span", { className: "count" }, dollars(d.cost))))));
  }
  parts.push(el("p", { className: "note" }, `Prices as of ${answer.priceTableDate}: on-demand list prices, an estimate.`));
  section.replaceChildren(...parts);
}

// Their console sign-ins in the range, newest first, each with the console changes (ClickOps) of its session.
const CONSOLE_TITLE = "Console sessions";

function consolePanel(section, answer) {
  section.removeAttribute("aria-busy");
  const parts = [el("h3", {}, CONSOLE_TITLE)];
  if (!answer.sessions.length) {
    parts.push(el("p", { className: "empty" }, "no console sign-ins in this range"));
  } else {
    parts.push(el("ol", { className: "console-sessions" }, ...answer.sessions.map((s) => consoleSessionNode(s, answer.from))));
  }
  if (answer.truncated) parts.push(el("p", { className: "note console-truncated" }, `Only the newest ${answer.sessions.length} sessions are listed: narrow the range for older ones.`));
  if (answer.partial) parts.push(el("p", { className: "note console-partial" }, "Only the newest part of the range was read (too many events): narrow the range."));
  section.replaceChildren(...parts);
}

function consoleSessionNode(session, rangeStart) {
  const signIn = session.signIn;
  const item = el("li", { className: `console-session${signIn ? "" : " before-range"}` });
  Object.assign(item.dataset, { signInId: signIn ? signIn.eventID : "", sessionStart: session.sessionStart,
    outcome: signIn ? signIn.outcome : "", mfa: signIn ? signIn.mfa : "", sourceIp: signIn ? signIn.sourceIP : "",
    changeCount: String(session.changeCount) });
  const head = el("p", { className: "console-sign-in" });
  if (signIn) {
    const failed = signIn.outcome === "Failure";
    head.append(timeNode(signIn.eventTime), " ", eventLink(signIn.eventID, signIn.eventTime, "sign-in", "sign-in"),
      " ", el("strong", { className: `outcome${failed ? " failed" : ""}` }, signIn.outcome || "outcome unknown"),
      el("span", { className: "mfa" }, ` · MFA ${signIn.mfa || "unknown"}`),
      el("span", { className: "source-ip" }, signIn.sourceIP ? ` · from ${signIn.sourceIP}` : ""),
      el("span", { className: "note" }, signIn.region ? ` · ${signIn.region}` : ""));
  } else {
    // no sign-in in the range: before it, or not in the trail (another region's, or a deleted log)
    const before = !session.sessionStart || session.sessionStart < rangeStart;
    head.append(el("strong", {}, before ? "Started before this range" : "Sign-in not recorded"),
      session.sessionStart ? el("span", {}, " (session from ", timeNode(session.sessionStart), ")") : el("span", { className: "note" }, " (session start unknown)"));
  }
  item.append(head);
  if (session.changes.length) {
    item.append(el("ul", { className: "console-changes" }, ...session.changes.map((c) => {
      const li = el("li", { className: "console-change" }, timeNode(c.eventTime), " ", eventLink(c.eventID, c.eventTime, c.eventName, "change"),
        el("span", { className: "note" }, ` ${c.service} · ${c.region}`),
        ...c.resources.map((arn) => el("span", {}, " ", el("a", { className: "resource-link", href: resourceHref(arn) }, arn))));
      Object.assign(li.dataset, { eventId: c.eventID, eventName: c.eventName });
      return li;
    })));
  } else if (signIn && signIn.outcome !== "Failure") {
    item.append(el("p", { className: "note" }, "no console changes"));
  }
  if (session.truncated) item.append(el("p", { className: "note" }, `… ${session.changeCount - session.changes.length} more changes`));
  return item;
}

// A time as every table shows it: UTC as written, the browser's local time in the tooltip.
function timeNode(utc) {
  const cell = timeCell(utc);
  return el("time", { className: "time", dateTime: utc, title: cell.title }, cell.textContent);
}

// As the alert and resource panels link events: the record opens in place.
function eventLink(eventId, eventTime, text, kind) {
  const link = el("a", { href: "#", className: `event-link ${kind}-link`, dataset: { eventId } }, text);
  link.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); openRecord(eventId, eventTime); });
  return link;
}

// An id alone may name resources in several places: the link names this one's.
const resourceHrefOf = (r) => resourceHref(r.id, { account: r.account, region: r.region, type: r.type });

// A least-privilege IAM policy from their calls in the range; the denied and unknown calls apart.
// Several documents (each under IAM's managed-policy size limit) show, copy and download as one JSON array.
async function policyPanel(section, actor, range) {
  const includeDenied = el("input", { type: "checkbox", id: "policy-include-denied" });
  const body = el("div", { className: "policy-body", "aria-busy": "true" }, el("p", { className: "loading" }, "loading…"));
  section.replaceChildren(el("h3", {}, "Least-privilege policy"),
    el("label", { className: "policy-option" }, includeDenied, " include denied calls (grant what was asked for and refused too)"), body);
  const load = async () => {
    includeDenied.disabled = true;
    body.setAttribute("aria-busy", "true");
    try {
      drawPolicy(body, actor, await api.userPolicy(actor, range, includeDenied.checked));
    } catch (error) {
      body.replaceChildren(errorBox(error));
    }
    body.removeAttribute("aria-busy");
    includeDenied.disabled = false;
  };
  includeDenied.addEventListener("change", load);
  await load();
}

function drawPolicy(body, actor, answer) {
  const documents = answer.policies.length === 1 ? answer.policies[0] : answer.policies;
  const text = `${JSON.stringify(documents, null, 2)}\n`;
  const note = el("span", { className: "note copy-status", "aria-live": "polite" });
  const pre = el("pre", { id: "policy-json", className: "record policy-json" }, text);
  pre.dataset.includeDenied = String(answer.includeDenied);
  const copy = el("button", { type: "button", id: "policy-copy" }, "Copy");
  const save = el("button", { type: "button", id: "policy-download" }, "Download");
  copy.addEventListener("click", () => copyText(pre, text, note));
  save.addEventListener("click", () => download(`policy-${fileSafe(actor)}.json`, text, "application/json"));
  const parts = [
    el("p", { className: "note" }, `From ${answer.calls} calls, ${utcTime(answer.from)} to ${utcTime(answer.to)}`,
      answer.policies.length > 1 ? `; ${answer.policies.length} documents (a JSON array): attach each as its own policy` : "",
      `. IAM action data: ${answer.iamDataSource} (${answer.iamDataDate}).`),
  ];
  if (answer.policies.length) parts.push(el("p", { className: "table-tools" }, copy, save, note), pre);
  else parts.push(el("p", { className: "empty" }, "No calls in this range needed a permission."));
  parts.push(callList("policy-denied", "Asked for but not granted", answer.denied,
    answer.includeDenied ? "granted above, as asked" : "not in the policy: tick the box to grant them"));
  parts.push(callList("policy-unknown", "Unknown actions", answer.unknown, "not in the IAM action list: never put in a policy"));
  parts.push(callList("policy-no-permission", "Needing no permission", answer.noPermissionNeeded, ""));
  body.replaceChildren(...parts);
}

function callList(id, title, calls, explain) {
  const section = el("section", { id, className: "policy-calls" }, el("h4", {}, title, explain ? el("span", { className: "note" }, ` (${explain})`) : ""));
  if (!calls.length) {
    section.append(el("p", { className: "note" }, "none"));
    return section;
  }
  section.append(el("ul", {}, ...calls.map((c) => el("li", { dataset: { action: c.action || "", eventName: c.eventName } },
    el("code", {}, c.action || `${c.eventSource} ${c.eventName}`), ` × ${c.count}`,
    c.resources && c.resources.length ? el("span", { className: "note" }, ` on ${c.resources.join(", ")}`) : ""))));
  return section;
}

// The clipboard when the page may use it; else the text selected for Ctrl+C (or copied the old way).
async function copyText(pre, text, note) {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = "copied";
    return;
  } catch {
    // no clipboard permission (or not a secure context): fall back below
  }
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(pre);
  selection.removeAllRanges();
  selection.addRange(range);
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  note.textContent = copied ? "copied" : "selected: press Ctrl+C (⌘C) to copy";
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
