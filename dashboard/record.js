// The full record of one event (/events/{id}) in a dialog; its resources link to the resource view.
import { api } from "./api.js";
import { el, errorBox } from "./dom.js";
import { localTime, zoneLabel } from "./timerange.js";
import { actorLink } from "./actors.js";
import { resourceHref } from "./links.js";

// eventTime: the event's, as its row gives it (the API finds the event by its id and time)
export async function openRecord(eventId, eventTime) {
  const dialog = document.getElementById("record-dialog");
  const body = document.getElementById("record-body");
  document.getElementById("record-title").textContent = "Event";
  body.replaceChildren(el("p", {}, "loading…"));
  if (!dialog.open) dialog.showModal();
  try {
    const answer = await api.event(eventId, eventTime);
    const row = answer.event || {};
    document.getElementById("record-title").textContent = `${row.eventName || "Event"} by ${row.actor || "?"}`;
    const facts = el("dl", { className: "facts" },
      ...fact("Time", `${localTime(row.eventTime)} (${zoneLabel(new Date(row.eventTime))}); ${row.eventTime} UTC`),
      ...fact("Who", row.actor ? closes(actorLink(row.actor, row.role), dialog) : "", ` ${row.actor || ""} (${row.actorType || "?"})`),
      ...fact("Account / region", `${row.account || "-"} / ${row.region || "-"}`),
      ...fact("Source IP", row.sourceIPAddress || "-"),
      ...fact("Error", row.errorCode || "none"),
      ...fact("Event ID", row.eventID || eventId));
    const resources = (row.resources || []).map((arn) =>
      el("li", {}, closes(el("a", { href: resourceHref(arn) }, arn), dialog)));
    const parts = [facts];
    if (resources.length) parts.push(el("h4", {}, "Resources"), el("ul", { className: "resources" }, ...resources));
    if ((answer.shortened || []).length) {
      parts.push(el("p", { className: "note" }, `Shortened to fit the table: ${answer.shortened.join(", ")}`));
    }
    parts.push(el("h4", {}, "Record"), el("pre", { className: "record" }, JSON.stringify(answer.record, null, 2)));
    body.replaceChildren(...parts);
  } catch (error) {
    body.replaceChildren(errorBox(error));
  }
}

function fact(name, ...value) {
  return [el("dt", {}, name), el("dd", {}, ...value)];
}

// A link out of the dialog closes it (the view it opens is behind).
function closes(link, dialog) {
  link.addEventListener("click", () => dialog.close());
  return link;
}
