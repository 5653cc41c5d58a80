// The queue view: open items by priority, with why each is there.

import { el } from "./dom.js";

/**
 * Renders `queue` (the body of GET /v1/review/queue) into `root`.
 * `on.claimNext()` claims the next item; `on.open(id)` claims one.
 */
export function renderQueue(root, queue, reasons, on) {
  const counts = queue.counts || {};
  const items = Array.isArray(queue.items) ? queue.items : [];
  const summary = el(
    "ul",
    { class: "counts", "aria-label": "Open items by reason" },
    reasons.map((r) => el("li", { class: `reason reason-${r}` }, `${r}: ${counts[r] ?? 0}`)),
  );
  const table = items.length
    ? el(
        "table",
        { class: "queue", id: "queue-table" },
        el("caption", {}, "Open items, highest priority first"),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["Priority", "Reason", "Item", "Reviews", "Claimed", "Queued", ""].map((h) =>
              el("th", { scope: "col" }, h),
            ),
          ),
        ),
        el("tbody", {}, items.map((item) => row(item, on))),
      )
    : el("p", { id: "queue-empty" }, "The queue is empty.");
  root.replaceChildren(
    el("h2", { tabindex: "-1", id: "view-title" }, "Review queue"),
    el(
      "div",
      { class: "toolbar" },
      el("button", { type: "button", id: "claim-next", onclick: on.claimNext }, "Claim next (n)"),
      el("button", { type: "button", id: "refresh", onclick: on.refresh }, "Refresh"),
    ),
    summary,
    table,
  );
}

function row(item, on) {
  const label = `Open ${item.item_id}`;
  return el(
    "tr",
    { "data-id": item.id, "data-reason": item.reason },
    el("td", {}, Number(item.priority).toFixed(2)),
    el("td", {}, el("span", { class: `reason reason-${item.reason}` }, item.reason)),
    el("td", { class: "item-id" }, item.item_id),
    el("td", {}, `${item.reviews_done}/${item.required_reviews}`),
    el("td", {}, item.claimed ? "yes" : "no"),
    el("td", {}, el("time", { datetime: item.created_at }, item.created_at)),
    el(
      "td",
      {},
      el(
        "button",
        { type: "button", class: "open", "aria-label": label, onclick: () => on.open(item.id) },
        "Open",
      ),
    ),
  );
}
