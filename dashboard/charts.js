// Bar charts (Chart.js, vendored) with the numbers beside them as a list, readable without
// the picture (phones, screen readers, tests).
const charts = new Map();

export function barChart(container, { title, items, topN = 15, horizontal = true, empty = "nothing in this range" }) {
  container.innerHTML = "";
  container.classList.add("card", "chart-card");
  const heading = document.createElement("h3");
  heading.textContent = title;
  container.append(heading);
  if (!items.length) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = empty;
    container.append(p);
    return;
  }
  const shown = items.slice(0, topN);
  const wrap = document.createElement("div");
  wrap.className = "chart-wrap";
  wrap.style.height = `${horizontal ? Math.max(120, 26 * shown.length + 40) : 240}px`;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", title);
  wrap.append(canvas);
  container.append(wrap);

  const list = document.createElement("ol");
  list.className = "numbers";
  for (const item of items) {
    const li = document.createElement("li");
    li.dataset.key = item.key;
    li.dataset.count = String(item.count);
    const key = document.createElement("span");
    key.className = "key";
    key.textContent = item.label || item.key;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = String(item.count);
    li.append(key, count);
    list.append(li);
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = items.length > shown.length ? `all ${items.length} (chart shows top ${shown.length})` : "numbers";
  details.append(summary, list);
  container.append(details);

  if (charts.has(container)) charts.get(container).destroy();
  if (!window.Chart) return; // the library failed to load: the numbers are still there
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: shown.map((i) => i.label || i.key),
      datasets: [{ label: title, data: shown.map((i) => i.count), backgroundColor: "#2f6fb3" }],
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  charts.set(container, chart);
}

export function destroyCharts() {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
}
