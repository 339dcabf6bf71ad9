// Actor names as people read them. A role session is stored as "<role>:<session>@<account>"
// (e.g. "ecs-cluster-instance:i-06125b883c50e9d63@222222222222"): the session name alone says little,
// so wherever an actor is listed the page shows the session name with its role beside it.
import { api } from "./api.js";
import { el } from "./dom.js";
import { actorHref } from "./links.js";

let directory = null; // one /users read per page load: name -> {type, role, account, lastSeen}

export function actorDirectory() {
  if (!directory) {
    directory = api.users()
      .then((answer) => ({ users: answer.items || [], more: Boolean(answer.next),
                           byName: new Map((answer.items || []).map((u) => [u.name, u])) }))
      .catch((error) => { directory = null; throw error; });
  }
  return directory;
}

// {session, role, account} of an actor name (role from the row or /users when known).
export function actorParts(name, role = "") {
  let rest = name || "";
  let account = "";
  const at = rest.lastIndexOf("@");
  if (role && at > 0 && /^\d{6,}$/.test(rest.slice(at + 1))) {
    account = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  if (role && rest.startsWith(`${role}:`)) rest = rest.slice(role.length + 1);
  else if (role && rest === role) return { session: rest, role: "", account };
  return { session: rest, role, account };
}

// An SSO permission set's role is "AWSReservedSSO_<set>_<hash>": the set is what people know.
export function roleText(role) {
  const sso = /^AWSReservedSSO_(.+)_[0-9a-fx]+$/.exec(role || "");
  return sso ? `${sso[1]} (SSO)` : role || "";
}

// "<session> [role]" as a link to the actor view (the full name in the title and data-actor).
export function actorLink(name, role = "", extra = {}) {
  const { session, role: shownRole } = actorParts(name, role);
  const link = el("a", { className: "actor-link", href: actorHref(name, extra),
                         title: name }, el("span", { className: "session-name" }, session));
  link.dataset.actor = name;
  if (shownRole) link.append(" ", el("span", { className: "role-badge", title: `role ${shownRole}` }, roleText(shownRole)));
  return link;
}

// Plain text of the same: "i-06125b883c50e9d63 (ecs-cluster-instance)", for chart labels and options.
export function actorText(name, role = "") {
  const { session, role: shownRole } = actorParts(name, role);
  return shownRole ? `${session} (${roleText(shownRole)})` : session;
}
