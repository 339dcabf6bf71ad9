// Tiny DOM helpers: elements from properties and children (text is always set as text).
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function errorBox(error) {
  const box = el("div", { className: "error-box", role: "alert" },
    el("strong", {}, error.status ? `Error ${error.status}: ` : "Error: "), error.message || String(error));
  if (error.hint) box.append(el("p", {}, error.hint));
  return box;
}
