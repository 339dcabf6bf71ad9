// Who did what to one resource (an ARN), in the range.
import { el } from "../dom.js";
import { eventsTable } from "../events-table.js";
import { go, withParams } from "../route.js";

export async function renderResource(root, { range, params, me }) {
  const arn = params.get("arn") || "";
  const input = el("input", { type: "text", name: "arn", id: "arn-input", value: arn, required: true,
    placeholder: "arn:aws:s3:::my-bucket", autocomplete: "off", spellcheck: false });
  const form = el("form", { id: "resource-form", className: "card inline-form" },
    el("label", { htmlFor: "arn-input" }, "Resource ARN"), input, el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("resource", withParams({ arn: input.value.trim() }));
  });
  root.replaceChildren(el("h2", {}, "Resource"), form);
  if (!arn) {
    root.append(el("p", { className: "empty" },
      "Paste an ARN, or open an event in another view and follow one of its resources."));
    return;
  }
  const events = el("section", { id: "events" });
  root.append(events);
  const tableArgs = { title: `Who did what to ${arn}`, scope: { arn }, range, actorFilter: Boolean(me.admin) };
  await eventsTable(events, tableArgs);
  return { refilter: () => eventsTable(events, tableArgs) };
}
