// Where the caller's data is (/span), and the offer an empty range makes: "the data is from .. to ..,
// show that". An API without /span yet: the /users lastSeen days give the newest day, and the oldest
// lastSeen a first guess at the start.
import { api } from "./api.js";
import { actorDirectory } from "./actors.js";
import { el } from "./dom.js";
import { routeHref, withParams } from "./route.js";

let span = null;

export function dataSpan() {
  if (!span) {
    span = api.span().catch(async (error) => {
      if (error.status !== 404) throw error;
      const days = (await actorDirectory()).users.map((u) => u.lastSeen).filter(Boolean).sort();
      return { first: days[0] || null, last: days.at(-1) || null, estimated: true };
    }).catch((error) => { span = null; throw error; });
  }
  return span;
}

// Fills `container` when the range has no events: where the data is, and a link to exactly that range;
// for one actor (`lastSeen` from /users) also their last 30 days of activity.
export async function offerSpan(container, view, { lastSeen = "" } = {}) {
  container.replaceChildren();
  let known;
  try {
    known = await dataSpan();
  } catch {
    return; // the offer is a help, not a part of the view: no error box for it
  }
  const notice = el("div", { className: "span-offer card", id: "span-offer", role: "status" });
  if (!known.first) {
    notice.append(el("p", {}, "No events in this range, and none stored yet: ingest some CloudTrail logs first."));
  } else {
    const href = routeHref(view, withParams({ range: null, from: known.first, to: known.last }));
    notice.append(
      el("p", {}, `No events in this range. The data is from ${known.first} to ${known.last}${known.estimated ? " (about)" : ""}.`),
      el("a", { className: "button", id: "show-span", href }, `show ${known.first} .. ${known.last}`));
    notice.dataset.first = known.first;
    notice.dataset.last = known.last;
    if (lastSeen) {
      const from = new Date(Date.parse(`${lastSeen}T00:00:00Z`) - 29 * 86400e3).toISOString().slice(0, 10);
      notice.append(el("a", { className: "button", id: "show-last-seen",
        href: routeHref(view, withParams({ range: null, from, to: lastSeen })) }, `their last 30 days (to ${lastSeen})`));
    }
  }
  container.append(notice);
}
