// Time ranges: presets relative to now, or a custom from/to, always sent to the API in UTC.
export const PRESETS = {
  "1h": { label: "last hour", ms: 3600e3 },
  "6h": { label: "last 6 hours", ms: 6 * 3600e3 },
  "1d": { label: "last day", ms: 24 * 3600e3 },
  "7d": { label: "last week", ms: 7 * 24 * 3600e3 },
  "15d": { label: "last 15 days", ms: 15 * 24 * 3600e3 },
};
export const DEFAULT_PRESET = "7d";

export function utcText(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// {from, to, preset, label} of the route's params: ?range=7d or ?from=...&to=...
export function rangeOf(params, now = new Date()) {
  const from = params.get("from");
  const to = params.get("to");
  if (from && to) {
    return { from: normalise(from, false), to: normalise(to, true), preset: "custom" };
  }
  const preset = PRESETS[params.get("range")] ? params.get("range") : DEFAULT_PRESET;
  return { from: utcText(new Date(now.getTime() - PRESETS[preset].ms)), to: utcText(now), preset };
}

// "2024-01-15" -> the whole UTC day; anything Date understands -> UTC seconds.
function normalise(text, endOfDay) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T${endOfDay ? "23:59:59" : "00:00:00"}Z`;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? text : utcText(parsed);
}

export function zoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

function offsetText(date) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const pad = (n) => String(n).padStart(2, "0");

// An API time ("...Z") in the browser's zone: "2024-01-15 10:04:05".
export function localTime(utc) {
  if (!utc) return "";
  const d = new Date(utc);
  if (Number.isNaN(d.getTime())) return utc;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// Value for <input type="datetime-local"> from an API time.
export function inputValue(utc) {
  return localTime(utc).replace(" ", "T");
}

export function zoneLabel(at = new Date()) {
  return `${zoneName()} (${offsetText(at)})`;
}

export function describe(range) {
  const name = range.preset === "custom" ? "custom range" : PRESETS[range.preset].label;
  return `${name}: ${localTime(range.from)} to ${localTime(range.to)}, times in ${zoneLabel(new Date(range.to))}`;
}
