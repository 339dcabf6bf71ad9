// Start-up and routing: who am I (/whoami), the range bar, then one view per hash route.
import { api } from "./api.js";
import { authEnabled, signedIn, signOut } from "./auth.js";
import { destroyCharts } from "./charts.js";
import { el, errorBox } from "./dom.js";
import { FILTER_KEYS } from "./filters.js";
import { currentRoute, go, withParams } from "./route.js";
import { describe, inputValue, rangeOf, utcText } from "./timerange.js";
import { renderActor } from "./views/actor.js";
import { renderAlerts, showAlertsBadge } from "./views/alerts.js";
import { renderOverview } from "./views/overview.js";
import { renderProgress } from "./views/progress.js";
import { renderResource } from "./views/resource.js";
import { renderRunning } from "./views/running.js";
import { renderSignIn } from "./views/signin.js";

const VIEWS = { overview: renderOverview, actor: renderActor, resource: renderResource, progress: renderProgress,
                running: renderRunning, alerts: renderAlerts };
const USES_RANGE = new Set(["overview", "actor", "resource", "alerts"]); // "running" is now, whatever the range
const root = document.getElementById("view");
let me = null;
let rendering = 0; // a newer route wins over a slower earlier one
let drawn = null; // {key, refilter} of the view on screen: a change of table filters only redraws the table

// The view and its params without the events table's filters (in the Actor view `actor` is whose
// page it is, not a filter).
function routeKey(view, params) {
  const rest = new URLSearchParams(params);
  for (const key of FILTER_KEYS) if (!(view === "actor" && key === "actor")) rest.delete(key);
  rest.sort();
  return `${view}?${rest}`;
}

async function start() {
  if (!signedIn()) {
    showSignIn();
    return;
  }
  try {
    me = await api.whoami();
  } catch (error) {
    if (authEnabled() && error.status === 401) return showSignIn();
    me = { actor: null, admin: true, auth: "none" }; // an API without /whoami: no tenants
    console.warn("whoami failed", error);
  }
  showSession();
  showAlertsBadge(document.getElementById("alerts-badge")); // not awaited: the badge fills in beside the first view
  setUpRangeBar();
  window.addEventListener("hashchange", render);
  window.addEventListener("tracker:signed-out", showSignIn);
  render();
}

function showSignIn() {
  document.getElementById("range-bar").hidden = true;
  document.getElementById("nav").hidden = true;
  document.getElementById("session").replaceChildren();
  renderSignIn(root, () => window.location.reload());
}

function showSession() {
  const session = document.getElementById("session");
  const who = me.auth === "none" && me.admin ? "no sign-in (local), all actors" : `${me.actor || "?"}${me.admin ? " (admin)" : ""}`;
  session.replaceChildren(el("span", { id: "who" }, who));
  session.dataset.admin = String(Boolean(me.admin));
  if (authEnabled()) {
    const out = el("button", { type: "button" }, "Sign out");
    out.addEventListener("click", () => { signOut(); window.location.reload(); });
    session.append(out);
  }
}

function setUpRangeBar() {
  const bar = document.getElementById("range-bar");
  const form = document.getElementById("custom-range");
  for (const button of bar.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => {
      const { view } = currentRoute();
      if (button.dataset.range === "custom") {
        const range = rangeOf(currentRoute().params);
        form.elements.from.value = inputValue(range.from);
        form.elements.to.value = inputValue(range.to);
        form.hidden = false;
        return;
      }
      form.hidden = true;
      go(view, withParams({ range: button.dataset.range, from: null, to: null }));
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // datetime-local values are in the browser's zone; the API gets UTC.
    const from = new Date(form.elements.from.value);
    const to = new Date(form.elements.to.value);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return;
    go(currentRoute().view, withParams({ from: utcText(from), to: utcText(to), range: null }));
  });
}

function showRange(view, range) {
  const bar = document.getElementById("range-bar");
  bar.hidden = !USES_RANGE.has(view);
  for (const button of bar.querySelectorAll("[data-range]")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === range.preset));
  }
  document.getElementById("custom-range").hidden = range.preset !== "custom";
  if (range.preset === "custom") {
    const form = document.getElementById("custom-range");
    form.elements.from.value = inputValue(range.from);
    form.elements.to.value = inputValue(range.to);
  }
  document.getElementById("range-label").textContent = describe(range);
}

async function render() {
  const ticket = ++rendering;
  const { view: name, params } = currentRoute();
  const view = VIEWS[name] ? name : "overview";
  const range = rangeOf(params);
  for (const link of document.querySelectorAll("#nav a")) {
    // nav links keep the range, so switching views does not lose it
    const keep = new URLSearchParams();
    for (const key of ["range", "from", "to"]) if (params.get(key)) keep.set(key, params.get(key));
    link.href = `#/${link.dataset.view}${keep.toString() ? `?${keep}` : ""}`;
    link.classList.toggle("active", link.dataset.view === view);
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  showRange(view, range);
  root.dataset.view = view;
  root.dataset.route = window.location.hash; // with state "ready": this address is drawn (tests wait on it)
  root.dataset.state = "loading";
  const key = routeKey(view, params);
  if (drawn && drawn.key === key && drawn.refilter) {
    await drawn.refilter(); // same view, range and subject: the counters and charts stay
  } else {
    destroyCharts();
    const target = el("div", { className: "view-body" });
    root.replaceChildren(target);
    drawn = { key };
    try {
      const shown = await VIEWS[view](target, { range, params, me });
      if (ticket === rendering) drawn = { key, refilter: shown && shown.refilter };
    } catch (error) {
      target.append(errorBox(error));
    }
  }
  if (ticket === rendering) root.dataset.state = "ready";
}

start();
