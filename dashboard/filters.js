// Filters of an events table, kept in the address (so a filtered view can be shared and survives a
// reload), and the API request they make: an actor -> /users/<actor>, "any failed call" -> /errors, a
// service -> /services/<service>; the rest as eventName=, errorCode= and params/value filters.
export const FILTER_KEYS = ["service", "eventName", "actor", "errorCode", "access"];
export const ANY_ERROR = "any"; // errorCode=any: failed calls of every code

export function filtersOf(params) {
  const filters = {};
  for (const key of FILTER_KEYS) {
    const value = (params.get(key) || "").trim();
    if (value) filters[key] = value;
  }
  if (filters.access && !["read", "write"].includes(filters.access)) delete filters.access;
  return filters;
}

// {path, query} for the table's rows. scope: {actor} (the actor view), {arn} (the resource view) or {}.
// eventSourceOf("ec2") -> "ec2.amazonaws.com" (from /services; the usual form when unknown).
export function eventsRequest(scope, filters, eventSourceOf = (s) => `${s}.amazonaws.com`) {
  const actor = scope.actor || filters.actor || "";
  const service = filters.service || "";
  const query = {};
  const params = [];
  let path;
  if (scope.arn) {
    path = "/resources";
    query.arn = scope.arn;
    if (actor) params.push(["userIdentity_userName", actor]);
  } else if (filters.errorCode === ANY_ERROR) {
    path = "/errors";
    if (actor) query.user = actor;
  } else if (actor) {
    path = `/users/${encodeURIComponent(actor)}`;
  } else if (service) {
    path = `/services/${encodeURIComponent(service)}`;
  } else {
    path = "/scan";
  }
  if (service && !path.startsWith("/services/")) params.push(["eventSource", eventSourceOf(service)]);
  if (filters.eventName) query.eventName = filters.eventName;
  if (filters.errorCode && filters.errorCode !== ANY_ERROR) query.errorCode = filters.errorCode;
  if (filters.access) params.push(["readOnly", filters.access === "read" ? "true" : "false"]);
  if (params.length) {
    query.params = params.map(([name]) => name).join(",");
    query.value = params.map(([, value]) => value).join(",");
  }
  return { path, query };
}

// "service ec2, error AccessDenied": what the table is filtered on, in words.
export function describeFilters(filters) {
  const parts = [];
  if (filters.service) parts.push(`service ${filters.service}`);
  if (filters.eventName) parts.push(`event ${filters.eventName}`);
  if (filters.actor) parts.push(`actor ${filters.actor}`);
  if (filters.errorCode) parts.push(filters.errorCode === ANY_ERROR ? "failed calls" : `error ${filters.errorCode}`);
  if (filters.access) parts.push(filters.access === "read" ? "read-only calls" : "writes");
  return parts.join(", ");
}
