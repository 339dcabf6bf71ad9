// CSV and JSON downloads of a table's rows, made in the page (no server round trip beyond the rows).
export function toCsv(columns, rows) {
  // columns: [{name, value: (row) => text}]; RFC 4180 quoting, CRLF line ends (what spreadsheets expect)
  const cell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    // a name starting = + - @ would be a formula to a spreadsheet (IAM and session names may)
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.map((c) => cell(c.name)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(name, columns, rows) {
  download(`${name}.csv`, toCsv(columns, rows), "text/csv;charset=utf-8");
}

export function downloadJson(name, rows) {
  download(`${name}.json`, `${JSON.stringify(rows, null, 2)}\n`, "application/json");
}

// A file name part from free text: "SampleRole:leroy@1111" -> "SampleRole-leroy-1111".
export function fileSafe(text) {
  return String(text || "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "all";
}
