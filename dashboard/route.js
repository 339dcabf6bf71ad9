// Hash routes: "#/<view>?<params>". The time range lives in the params so a link keeps it.
export function currentRoute() {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [view, query = ""] = hash.split("?");
  return { view: view || "overview", params: new URLSearchParams(query) };
}

export function routeHref(view, params) {
  const query = params.toString();
  return `#/${view}${query ? `?${query}` : ""}`;
}

export function go(view, params) {
  const href = routeHref(view, params);
  if (window.location.hash === href) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = href;
}

// Params shared by every view (the range), plus the given ones.
export function withParams(changes, base = currentRoute().params) {
  const params = new URLSearchParams(base);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") params.delete(name);
    else params.set(name, value);
  }
  return params;
}
