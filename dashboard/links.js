// Links from a name to its view. A link keeps the time range (so the numbers agree) and nothing
// else of the current page: following an actor from a filtered table starts without that filter.
import { currentRoute, routeHref } from "./route.js";

const RANGE_KEYS = ["range", "from", "to"];

function rangeOnly(base = currentRoute().params) {
  const params = new URLSearchParams();
  for (const key of RANGE_KEYS) if (base.get(key)) params.set(key, base.get(key));
  return params;
}

// #/<view>?<range>&<changes>; a null change is left out.
export function viewHref(view, changes = {}, base) {
  const params = rangeOnly(base);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") params.delete(name);
    else params.set(name, value);
  }
  return routeHref(view, params);
}

export const actorHref = (actor, changes = {}) => viewHref("actor", { actor, ...changes });
// A resource ID or ARN -> the resource page (its card when /resources/{id} knows it, the events naming an ARN).
export const resourceHref = (idOrArn, changes = {}) => viewHref("resource", { id: idOrArn, ...changes });
export const runningHref = (changes = {}) => viewHref("running", changes);
// The alerts list (or with {id}, one alert's detail) over the same range.
export const alertsHref = (changes = {}) => viewHref("alerts", changes);
