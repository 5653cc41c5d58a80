// Building DOM nodes. Every string becomes a text node or an attribute
// value, never markup: item text, notes and evidence details are written by
// strangers and may hold `<script>` or event-handler attributes.

/**
 * Creates an element. `attrs`: `class`, `on<event>` (a function), or any
 * attribute (`true` sets it empty; `null`, `undefined` and `false` skip
 * it). Children are nodes or strings (as text); arrays are flattened.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") {
      node.className = value;
    } else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  appendAll(node, children);
  return node;
}

/** Appends nodes and strings (as text) to `node`. */
export function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Seconds as `m:ss.s`. */
export function timecode(seconds) {
  const s = Math.max(0, Number(seconds) || 0);
  const minutes = Math.floor(s / 60);
  const rest = (s - minutes * 60).toFixed(1).padStart(4, "0");
  return `${minutes}:${rest}`;
}

/** A score in [0, 1] with three decimals, or an empty string. */
export function score(value) {
  return typeof value === "number" ? value.toFixed(3) : "";
}
