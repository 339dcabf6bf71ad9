// A paged table of event rows; a row opens the full record. Pages come from the API's cursor,
// with the cursors seen kept so "Previous" can go back.
import { localTime, zoneName } from "./timerange.js";
import { openRecord } from "./record.js";
import { el, errorBox } from "./dom.js";

const config = window.TRACKER_CONFIG || {};

// fetchPage({limit, next}) -> {items, next}
export function eventsTable(container, { title, fetchPage, showActor = true }) {
  const cursors = [null]; // cursors[i] fetches page i
  let page = 0;
  container.innerHTML = "";
  container.classList.add("card", "events-card");
  const heading = el("h3", {}, title);
  const body = el("div", { className: "table-scroll" });
  const status = el("span", { className: "page-status" });
  const previous = el("button", { type: "button", className: "previous", disabled: true }, "Previous");
  const next = el("button", { type: "button", className: "next", disabled: true }, "Next");
  container.append(heading, body, el("div", { className: "pager" }, previous, status, next));

  async function load() {
    previous.disabled = next.disabled = true;
    status.textContent = "loading…";
    try {
      const answer = await fetchPage({ limit: config.pageSize || 25, next: cursors[page] || undefined });
      render(answer.items || []);
      if (answer.next) cursors[page + 1] = answer.next;
      else cursors.length = page + 1;
      next.disabled = !answer.next;
      previous.disabled = page === 0;
      status.textContent = `page ${page + 1}`;
    } catch (error) {
      body.replaceChildren(errorBox(error));
      status.textContent = "";
    }
  }

  function render(items) {
    if (!items.length) {
      body.replaceChildren(el("p", { className: "empty" }, "No events in this range."));
      return;
    }
    const headRow = el("tr", {},
      el("th", {}, `Time (${zoneName()})`), showActor ? el("th", {}, "Who") : null, el("th", {}, "What"),
      el("th", {}, "Service"), el("th", {}, "Region"), el("th", {}, "Error"));
    const rows = items.map((row) => {
      const tr = el("tr", { className: row.errorCode ? "event-row failed" : "event-row", tabIndex: 0 },
        el("td", { className: "time" }, localTime(row.eventTime)),
        showActor ? el("td", { className: "who", title: row.actorType || "" }, row.actor || row.userIdentity_userName || "") : null,
        el("td", { className: "what" }, row.eventName),
        el("td", { className: "service" }, (row.eventSource || "").replace(/\.amazonaws\.com$/, "")),
        el("td", { className: "region" }, row.region || ""),
        el("td", { className: "error" }, row.errorCode || ""));
      tr.dataset.eventId = row.eventID;
      tr.addEventListener("click", () => openRecord(row.eventID));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") openRecord(row.eventID); });
      return tr;
    });
    body.replaceChildren(el("table", { className: "events" }, el("thead", {}, headRow), el("tbody", {}, ...rows)));
  }

  previous.addEventListener("click", () => { page = Math.max(0, page - 1); load(); });
  next.addEventListener("click", () => { page += 1; load(); });
  return load(); // resolves once the first page is on screen
}
