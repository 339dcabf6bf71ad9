// Course / lab progress, computed by the server from the daily counters over each checklist's window.
// Admins get the class matrix (the roster's people by default, everyone on request) beside the report
// card of the student they click; the matrix and the card load in parallel.
import { api, refusesParameter } from "../api.js";
import { actorDirectory, actorText } from "../actors.js";
import { el, errorBox } from "../dom.js";
import { downloadCsv, downloadJson } from "../export.js";
import { routeHref, withParams } from "../route.js";

export async function renderProgress(root, { params, me }) {
  const actor = me.admin ? params.get("actor") || "" : me.actor || "";
  const everyone = params.get("everyone") === "true";
  root.replaceChildren(el("h2", {}, "Course progress"),
    el("p", { className: "note" }, "Each checklist counts the calls made in its own date window (UTC days), set by the instructor."));
  const detail = el("section", { id: "progress-detail", "aria-live": "polite" });
  const work = [];
  if (me.admin) {
    const matrix = el("section", { id: "progress-matrix", className: "card" });
    root.append(el("div", { className: "progress-layout" }, matrix, detail));
    work.push(renderMatrix(matrix, actor, everyone, detail));
  } else {
    root.append(detail);
  }
  if (actor) work.push(renderDetail(detail, actor));
  else if (!me.admin) root.append(el("p", { className: "empty" }, "Your sign-in is not mapped to an actor yet."));
  else detail.append(el("p", { className: "empty note" }, "Click a student in the matrix for their report card."));
  await Promise.all(work);
}

function level(percent) {
  return percent >= 100 ? "done" : percent >= 50 ? "good" : "low";
}

// The matrix of the roster (or everyone): the API filters when it can; an API without the roster
// filter yet answers everyone, which the page says.
async function fetchMatrix(everyone) {
  try {
    return { answer: await api.progressMatrix(everyone ? { everyone: "true" } : {}), filtered: true };
  } catch (error) {
    if (!refusesParameter(error, "everyone")) throw error;
    return { answer: await api.progressMatrix(), filtered: false };
  }
}

async function renderMatrix(container, selected, everyone, detail) {
  const toggle = el("label", { className: "everyone-toggle" },
    el("input", { type: "checkbox", id: "everyone", checked: everyone }), " everyone (not only the roster's people)");
  toggle.querySelector("input").addEventListener("change", (event) => {
    window.location.hash = routeHref("progress", withParams({ everyone: event.target.checked ? "true" : null }));
  });
  const tools = el("span", { className: "table-tools" });
  container.setAttribute("aria-busy", "true");
  container.append(el("div", { className: "matrix-head" }, el("h3", {}, "Class: people × checklists"), toggle, tools),
    el("p", { className: "loading" }, "loading the class matrix…"));
  let fetched;
  const directory = actorDirectory().catch(() => null); // roles for the session names; names alone without it
  try {
    fetched = await fetchMatrix(everyone);
  } catch (error) {
    container.lastChild.replaceWith(errorBox(error));
    return;
  } finally {
    container.removeAttribute("aria-busy");
  }
  const { answer, filtered } = fetched;
  const shown = container.lastChild;
  if (!answer.checklists.length) return shown.replaceWith(el("p", { className: "empty" }, "No checklists are configured."));
  const rows = [...answer.items].sort((a, b) => sortName(a).localeCompare(sortName(b), undefined, { sensitivity: "base" }));
  const parts = [];
  if (!filtered) parts.push(el("p", { className: "note roster-unsupported" }, "This API lists everyone: it has no roster filter yet."));
  parts.push(el("p", { className: "note matrix-count" }, `${rows.length} ${everyone || !filtered ? "actors" : "people"}`));
  if (!rows.length) {
    parts.push(el("p", { className: "empty" }, everyone ? "Nobody has activity in the checklists' windows."
      : "Nobody on the roster yet: tick \u201ceveryone\u201d to see every actor."));
    return shown.replaceWith(...parts);
  }
  const head = el("tr", {}, el("th", {}, "Student"),
    ...answer.checklists.map((c) => el("th", { title: `${c.from} to ${c.to}` }, c.title)));
  const roles = await directory;
  const roleOf = (actor) => (roles && roles.byName.get(actor)?.role) || "";
  const body = rows.map((row) => matrixRow(row, answer.checklists, selected, roleOf(row.actor)));
  const table = el("table", { className: "matrix" }, el("thead", {}, head), el("tbody", {}, ...body));
  table.addEventListener("click", (event) => {
    // open the card beside the matrix, without reloading the matrix; the address still says who
    const link = event.target.closest("a.student");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    history.pushState(null, "", link.getAttribute("href"));
    for (const tr of table.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    link.closest("tr").classList.add("selected");
    renderDetail(detail, link.closest("tr").dataset.actor).then(() => showWhereLooking(detail));
  });
  parts.push(el("div", { className: "table-scroll matrix-scroll" }, table));
  shown.replaceWith(...parts);
  tools.append(...gradeSheetButtons(answer.checklists, rows));
}

const sortName = (row) => row.name || row.actor;

// The card beside the matrix (wide screens, sticky) is already in view; stacked below it (narrow
// screens), it is scrolled to the top of the window.
function showWhereLooking(detail) {
  const top = detail.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight / 2) detail.scrollIntoView({ block: "start" });
  detail.focus({ preventScroll: true });
}

function matrixRow(row, checklists, selected, role) {
  const link = el("a", { className: "student", href: routeHref("progress", withParams({ actor: row.actor })), title: row.actor });
  if (row.name && row.name !== row.actor) {
    link.append(el("span", { className: "roster-name" }, row.name), " ", el("span", { className: "note" }, actorText(row.actor, role)));
  } else {
    link.append(actorText(row.actor, role));
  }
  const tr = el("tr", { className: row.actor === selected ? "selected" : "" }, el("th", { scope: "row" }, link));
  tr.dataset.actor = row.actor;
  if (row.name) tr.dataset.name = row.name;
  if (row.inRoster !== undefined) tr.dataset.inRoster = String(row.inRoster);
  for (const c of checklists) {
    const cell = row.checklists[c.id];
    const td = el("td", { className: `pct ${level(cell.percent)}`, title: cell.missing.join(", ") || "complete" }, `${cell.percent}%`);
    td.dataset.checklist = c.id;
    td.dataset.percent = String(cell.percent);
    tr.append(td);
  }
  return tr;
}

// The grade sheet: actor, name, then one percent column per checklist (its title), as shown.
function gradeSheetButtons(checklists, rows) {
  const columns = [{ name: "actor", value: (r) => r.actor }, { name: "name", value: (r) => r.name || "" },
    ...checklists.map((c) => ({ name: c.title, value: (r) => r.checklists[c.id].percent }))];
  const csv = el("button", { type: "button", className: "export-csv" }, "Grade sheet CSV");
  const json = el("button", { type: "button", className: "export-json" }, "JSON");
  csv.addEventListener("click", () => downloadCsv("grade-sheet", columns, rows));
  json.addEventListener("click", () => downloadJson("grade-sheet", { checklists, items: rows }));
  return [csv, json];
}

let detailTicket = 0; // a later click wins over a slower earlier card

async function renderDetail(container, actor) {
  const ticket = ++detailTicket;
  container.tabIndex = -1;
  container.setAttribute("aria-busy", "true");
  Object.assign(container.dataset, { actor, state: "loading" }); // "ready" once this actor's card is drawn
  container.replaceChildren(el("h3", {}, `Progress of ${actor}`), el("p", { className: "loading" }, "loading the report card…"));
  let answer;
  try {
    answer = await api.progress(actor);
  } catch (error) {
    if (ticket === detailTicket) {
      container.replaceChildren(el("h3", {}, `Progress of ${actor}`), errorBox(error));
      container.dataset.state = "ready";
    }
    return;
  } finally {
    container.removeAttribute("aria-busy");
  }
  if (ticket !== detailTicket) return;
  const cards = answer.items.map((p) => {
    const bar = el("div", { className: `bar ${level(p.percent)}`, role: "progressbar",
      "aria-valuenow": String(p.percent), "aria-valuemin": "0", "aria-valuemax": "100" });
    bar.style.width = `${Math.min(100, p.percent)}%`;
    const items = p.items.map((i) => {
      const li = el("li", { className: i.missing ? "missing" : "done" },
        `${i.label}: ${i.done} of ${i.required}${i.missing ? ` (missing ${i.missing})` : " ✓"}`);
      li.dataset.event = i.label;
      li.dataset.missing = String(i.missing);
      return li;
    });
    const card = el("article", { className: "card checklist" },
      el("h4", {}, p.title, " ", el("span", { className: `pct ${level(p.percent)}` }, `${p.percent}%`)),
      el("p", { className: "note" }, `${p.from} to ${p.to} (UTC days)`),
      el("div", { className: "track" }, bar),
      el("ul", { className: "items" }, ...items));
    card.dataset.checklist = p.checklist;
    card.dataset.percent = String(p.percent);
    return card;
  });
  container.replaceChildren(el("h3", {}, `Progress of ${actor}`), ...cards);
  container.dataset.state = "ready";
}
