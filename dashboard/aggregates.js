// /aggregates over any window. The API bins by=day itself (granularity auto: day, week or month) and
// takes any window; an older API (no `granularity`, at most 732 days) is asked in chunks of 732 days
// and its days are binned here the same way, so a long window still renders.
import { api, refusesParameter } from "./api.js";

const MAX_LEGACY_DAYS = 732;
const DAY_MS = 86400e3;
let legacy = false; // set once the API refuses `granularity`

export async function aggregateWindow(by, range, extra = {}) {
  if (!legacy) {
    try {
      const answer = await api.aggregate(by, range, by === "day" ? { granularity: "auto", ...extra } : extra);
      if (by !== "day" || answer.granularity !== "day" || dayCount(range) <= 92) return answer;
      return binned(answer, range); // an API that ignores auto: bin here
    } catch (error) {
      if (!refusesParameter(error, "granularity") && !refusesLongWindow(error)) throw error;
      legacy = true;
    }
  }
  const parts = await Promise.all(chunks(range).map((chunk) => api.aggregate(by, chunk, extra)));
  const merged = merge(by, parts);
  return by === "day" ? binned(merged, range) : merged;
}

// The older API's "aggregate at most 732 days at a time" (400 on `from`).
const refusesLongWindow = (error) => error.status === 400 && error.parameter === "from" && /at most \d+ days/.test(error.hint || "");

// The bin size the API's auto choice would take for this window.
function autoGranularity(days) {
  return days <= 92 ? "day" : days <= 732 ? "week" : "month";
}

const dayOf = (text) => text.slice(0, 10);
const dateOf = (day) => new Date(`${day}T00:00:00Z`);
const dayText = (date) => date.toISOString().slice(0, 10);

function dayCount(range) {
  return Math.round((dateOf(dayOf(range.to)) - dateOf(dayOf(range.from))) / DAY_MS) + 1;
}

function chunks(range) {
  const out = [];
  let start = dateOf(dayOf(range.from));
  const last = dateOf(dayOf(range.to));
  while (start <= last) {
    const end = new Date(Math.min(last.getTime(), start.getTime() + (MAX_LEGACY_DAYS - 1) * DAY_MS));
    out.push({ from: dayText(start), to: dayText(end) });
    start = new Date(end.getTime() + DAY_MS);
  }
  return out.length ? out : [range];
}

function merge(by, parts) {
  const counts = new Map();
  for (const part of parts) for (const item of part.items) counts.set(item.key, (counts.get(item.key) || 0) + item.count);
  let items = [...counts].map(([key, count]) => ({ key, count }));
  items = by === "day" ? items.sort((a, b) => (a.key < b.key ? -1 : 1)) : items.sort((a, b) => b.count - a.count);
  return { ...parts[0], from: parts[0].from, to: parts.at(-1).to, items,
           total: parts.reduce((sum, p) => sum + (p.total ?? 0), 0) };
}

// Days -> weeks (starting Monday) or months, oldest first, zeros kept.
function binned(answer, range) {
  const granularity = autoGranularity(dayCount(range));
  if (granularity === "day") return { ...answer, granularity };
  const bins = new Map();
  for (const item of answer.items) {
    const key = binStart(item.key, granularity);
    bins.set(key, (bins.get(key) || 0) + item.count);
  }
  const items = [...bins].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([key, count]) => ({ key, count }));
  return { ...answer, granularity, items };
}

function binStart(day, granularity) {
  if (granularity === "month") return `${day.slice(0, 7)}-01`;
  const date = dateOf(day);
  const back = (date.getUTCDay() + 6) % 7; // days since Monday
  return dayText(new Date(date.getTime() - back * DAY_MS));
}

// The last day a bin covers (for a link to the bin's own range): its week's Sunday or its month's
// last day, clipped to the window's last day (the first bin starts on the window's first day, which
// need not be a Monday or the 1st).
export function binEnd(start, granularity, lastDay) {
  const date = dateOf(start);
  let end = start;
  if (granularity === "month") end = dayText(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)));
  if (granularity === "week") end = dayText(new Date(date.getTime() + ((7 - date.getUTCDay()) % 7) * DAY_MS));
  return lastDay && lastDay < end ? lastDay : end;
}
