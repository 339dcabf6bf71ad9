// Course / lab progress, computed by the server from the daily counters over each checklist's window.
import { api } from "../api.js";
import { el, errorBox } from "../dom.js";
import { routeHref, withParams } from "../route.js";

export async function renderProgress(root, { params, me }) {
  const actor = me.admin ? params.get("actor") || "" : me.actor || "";
  root.replaceChildren(el("h2", {}, "Course progress"),
    el("p", { className: "note" }, "Each checklist counts the calls made in its own date window (UTC days), set by the instructor."));
  if (me.admin) {
    const matrix = el("section", { id: "progress-matrix", className: "card" });
    root.append(matrix);
    await renderMatrix(matrix, actor);
  }
  if (actor) {
    const detail = el("section", { id: "progress-detail" });
    root.append(detail);
    await renderDetail(detail, actor);
  } else if (!me.admin) {
    root.append(el("p", { className: "empty" }, "Your sign-in is not mapped to an actor yet."));
  }
}

function level(percent) {
  return percent >= 100 ? "done" : percent >= 50 ? "good" : "low";
}

async function renderMatrix(container, selected) {
  container.append(el("h3", {}, "Class: actors × checklists"));
  let answer;
  try {
    answer = await api.progressMatrix();
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  if (!answer.checklists.length) {
    container.append(el("p", { className: "empty" }, "No checklists are configured."));
    return;
  }
  if (!answer.items.length) {
    container.append(el("p", { className: "empty" }, "Nobody has activity in the checklists' windows."));
    return;
  }
  const head = el("tr", {}, el("th", {}, "Actor"),
    ...answer.checklists.map((c) => el("th", { title: `${c.from} to ${c.to}` }, c.title)));
  const rows = answer.items.map((row) => {
    const tr = el("tr", { className: row.actor === selected ? "selected" : "" },
      el("th", { scope: "row" }, el("a", { href: routeHref("progress", withParams({ actor: row.actor })) }, row.actor)));
    tr.dataset.actor = row.actor;
    for (const c of answer.checklists) {
      const cell = row.checklists[c.id];
      const td = el("td", { className: `pct ${level(cell.percent)}`, title: cell.missing.join(", ") || "complete" },
        `${cell.percent}%`);
      td.dataset.checklist = c.id;
      td.dataset.percent = String(cell.percent);
      tr.append(td);
    }
    return tr;
  });
  container.append(el("div", { className: "table-scroll" },
    el("table", { className: "matrix" }, el("thead", {}, head), el("tbody", {}, ...rows))));
}

async function renderDetail(container, actor) {
  container.append(el("h3", {}, `Progress of ${actor}`));
  let answer;
  try {
    answer = await api.progress(actor);
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  for (const p of answer.items) {
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
    container.append(card);
  }
}
