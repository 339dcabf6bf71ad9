// Bar charts (Chart.js, vendored) with the numbers beside them as a list, readable without the
// picture (phones, screen readers, tests). An item with an href is a link: its bar and its line in
// the list open that view.
import { el } from "./dom.js";

const charts = new Map();

// A card saying what is coming, so the layout does not jump when the numbers arrive.
export function chartPlaceholder(container, title) {
  container.classList.add("card", "chart-card");
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(el("h3", {}, title), el("div", { className: "placeholder-bars", "aria-hidden": "true" }),
    el("p", { className: "loading" }, "loading…"));
}

// items: [{key, count, label?, href?}]; topN bars for rankings, every bar for a timeline (horizontal: false).
export function barChart(container, { title, items, topN = 15, horizontal = true, empty = "nothing in this range", note = "" }) {
  container.removeAttribute("aria-busy");
  container.classList.add("card", "chart-card");
  const parts = [el("h3", {}, title)];
  if (note) parts.push(el("p", { className: "note chart-note" }, note));
  if (!items.length || items.every((i) => !i.count)) { // a timeline of zeros says so instead of an empty frame
    container.replaceChildren(...parts, el("p", { className: "empty" }, empty));
    return;
  }
  const shown = horizontal ? items.slice(0, topN) : items;
  const canvas = el("canvas", { role: "img", "aria-label": title });
  const wrap = el("div", { className: "chart-wrap" }, canvas);
  wrap.style.height = `${horizontal ? Math.max(120, 26 * shown.length + 40) : 240}px`;
  const list = el("ol", { className: "numbers" }, ...items.map((item) => {
    const key = item.href ? el("a", { className: "key", href: item.href }, item.label || item.key)
      : el("span", { className: "key" }, item.label || item.key);
    const li = el("li", {}, key, el("span", { className: "count" }, String(item.count)));
    li.dataset.key = item.key;
    li.dataset.count = String(item.count);
    return li;
  }));
  const more = items.length - shown.length;
  const details = el("details", {}, el("summary", {}, more > 0 ? `all ${items.length} (${more} more than the bars)` : "numbers"), list);
  container.replaceChildren(...parts, wrap, details);

  if (charts.has(container)) charts.get(container).destroy();
  if (!window.Chart) return; // the library failed to load: the numbers are still there
  const links = shown.map((i) => i.href || null);
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: shown.map((i) => short(i.label || i.key)),
      datasets: [{ label: title, data: shown.map((i) => i.count), backgroundColor: "#2f6fb3" }],
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
      // a click anywhere along a bar's row/column follows it (thin bars are hard to hit)
      onClick: (event, _elements, instance) => {
        const [hit] = instance.getElementsAtEventForMode(event, "index", { intersect: false }, false);
        if (hit && links[hit.index]) window.location.hash = links[hit.index];
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length && links[elements[0].index] ? "pointer" : "default";
      },
    },
  });
  canvas.dataset.links = String(links.filter(Boolean).length);
  charts.set(container, chart);
}

// A bar's label in at most 42 characters (the full text is in the list under the chart).
const short = (text) => (text.length > 42 ? `${text.slice(0, 41)}…` : text);

export function destroyCharts() {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
}
