// The item view: the content with its evidence, the decision, and the
// reviewer's verdict form (labels, action, note, and for appeals the
// outcome).

import { appendAll, el, score } from "./dom.js";
import { collectEvidence, renderMedia } from "./media.js";

/** Labels cycle through these: not judged, positive, negative. */
const LABEL_STATES = ["", "1", "0"];
const LABEL_NAMES = { "": "not judged", 1: "positive", 0: "negative" };

/** The keys that choose an action, by action. */
export const ACTION_KEYS = { allow: "a", review: "v", restrict: "s", block: "b" };

/**
 * Renders `review` (the body of GET /v1/review/items/{id}) into `root`.
 * Returns the controller the keyboard and buttons drive.
 */
export function renderItem(root, review, vocabulary, on) {
  const decision = review.decision || null;
  const content = review.content || {};
  const isAppeal = review.reason === "appeal";
  const media = renderMedia(Array.isArray(content.media) ? content.media : [], decision);
  const form = verdictForm(vocabulary, decision, isAppeal, on);
  root.replaceChildren();
  appendAll(root, [
    el(
      "h2",
      { tabindex: "-1", id: "view-title" },
      isAppeal ? "Appeal: " : "Item: ",
      el("span", { class: "item-id" }, content.id ?? review.item_id),
    ),
    facts(review),
    isAppeal ? appealSection(review.appeal, decision) : null,
    textSection(content.text, decision),
    media.node.querySelector("figure") ? media.node : null,
    decisionSection(decision),
    form.node,
  ]);
  return {
    id: review.id,
    isAppeal,
    decisionAction: decision ? decision.action : null,
    toggleReveal: () => media.reveal(!media.isRevealed()),
    cycleLabel: form.cycleLabel,
    setAction: form.setAction,
    setOutcome: form.setOutcome,
    read: form.read,
    dispose: () => media.urls.forEach((u) => URL.revokeObjectURL(u)),
  };
}

function facts(review) {
  const claim = review.claim;
  return el(
    "dl",
    { class: "facts" },
    el("dt", {}, "Reason"),
    el("dd", {}, el("span", { class: `reason reason-${review.reason}` }, review.reason)),
    el("dt", {}, "Priority"),
    el("dd", {}, Number(review.priority).toFixed(2)),
    el("dt", {}, "Reviews"),
    el("dd", {}, `${review.reviews_done} of ${review.required_reviews}`),
    claim ? [el("dt", {}, "Your claim until"), el("dd", {}, el("time", { datetime: claim.lease_until }, claim.lease_until))] : null,
  );
}

function appealSection(appeal, decision) {
  return el(
    "section",
    { class: "appeal", id: "appeal", "aria-label": "Appeal" },
    el("h3", {}, "Appeal"),
    el("p", {}, "The user's statement:"),
    el("blockquote", { id: "appeal-statement" }, appeal && appeal.statement ? appeal.statement : "(none)"),
    el(
      "p",
      {},
      "The decision appealed: ",
      el("strong", { id: "original-action" }, decision ? decision.action : "unknown"),
      decision && decision.decided_at ? ` (decided ${decision.decided_at})` : "",
    ),
    el("p", { class: "muted" }, "Uphold (u) keeps the decision; overturn (o) replaces it with the action you choose."),
  );
}

function textSection(text, decision) {
  if (typeof text !== "string" || text === "") return null;
  const spans = collectEvidence(decision).filter(
    (e) => e.media_index === undefined && e.location && e.location.type === "span",
  );
  return el(
    "section",
    { class: "text", "aria-label": "Text" },
    el("h3", {}, "Text"),
    el("div", { class: "item-text", id: "item-text" }, highlighted(text, spans)),
    spans.length
      ? el(
          "ul",
          { class: "evidence-list", id: "text-evidence" },
          spans.map((s) => el("li", {}, `${s.category} (${s.detector}), characters ${s.location.start}–${s.location.end}${s.detail ? `: ${s.detail}` : ""}`)),
        )
      : null,
  );
}

/**
 * The text as text nodes and `<mark>`s over the evidence spans. Spans
 * count Unicode scalar values (docs/formats.md), so the text is cut by
 * code points, not UTF-16 units.
 */
function highlighted(text, spans) {
  const chars = Array.from(text);
  const clamp = (n) => Math.min(chars.length, Math.max(0, Number(n) || 0));
  const cuts = new Set([0, chars.length]);
  for (const s of spans) {
    cuts.add(clamp(s.location.start));
    cuts.add(clamp(s.location.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    const piece = chars.slice(from, to).join("");
    const covering = spans.filter((s) => clamp(s.location.start) <= from && clamp(s.location.end) >= to);
    out.push(
      covering.length
        ? el("mark", { class: "evidence", title: covering.map((s) => `${s.category} (${s.detector})`).join(", ") }, piece)
        : piece,
    );
  }
  return out;
}

function decisionSection(decision) {
  if (!decision) return el("section", { class: "decision" }, el("h3", {}, "Decision"), el("p", {}, "No decision on record (retention deleted it, or the item was queued without one)."));
  const categories = (decision.categories || []).slice().sort((a, b) => b.score - a.score);
  return el(
    "section",
    { class: "decision", id: "decision", "aria-label": "Decision" },
    el("h3", {}, "Decision: ", el("span", { class: `action action-${decision.action}` }, decision.action)),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ["Category", "Score", "Action"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, categories.map((c) => el("tr", {}, el("td", {}, c.category), el("td", {}, score(c.score)), el("td", {}, c.action)))),
    ),
    (decision.reasons || []).length
      ? el("ul", { class: "reasons" }, decision.reasons.map((r) => el("li", {}, r.text)))
      : null,
  );
}

function verdictForm(vocabulary, decision, isAppeal, on) {
  const scores = new Map(((decision && decision.categories) || []).map((c) => [c.category, c.score]));
  const labelSets = vocabulary.categories.map((category, i) => labelFieldset(category, i, scores.get(category)));
  const actions = el(
    "fieldset",
    { class: "actions", id: "actions" },
    el("legend", {}, "Action"),
    vocabulary.actions.map((action) =>
      el(
        "label",
        {},
        el("input", { type: "radio", name: "action", value: action, id: `action-${action}` }),
        ` ${action} `,
        ACTION_KEYS[action] ? el("kbd", {}, ACTION_KEYS[action]) : null,
      ),
    ),
  );
  const outcome = isAppeal
    ? el(
        "fieldset",
        { class: "outcome", id: "outcome" },
        el("legend", {}, "Outcome of the appeal"),
        el("label", {}, el("input", { type: "radio", name: "outcome", value: "upheld", id: "outcome-upheld" }), " Uphold ", el("kbd", {}, "u")),
        el("label", {}, el("input", { type: "radio", name: "outcome", value: "overturned", id: "outcome-overturned" }), " Overturn ", el("kbd", {}, "o")),
      )
    : null;
  const note = el("textarea", { id: "note", name: "note", rows: "3", maxlength: "2000" });
  const node = el(
    "form",
    { class: "verdict", id: "verdict", "aria-label": "Verdict", onsubmit: (e) => { e.preventDefault(); on.submit(); } },
    el("h3", {}, "Verdict"),
    el("fieldset", { class: "labels", id: "labels" }, el("legend", {}, "Labels (keys 1–9 cycle)"), labelSets),
    outcome,
    actions,
    el("label", { for: "note", class: "note-label" }, "Note (for the audit trail)"),
    note,
    el(
      "div",
      { class: "toolbar" },
      el("button", { type: "submit", id: "submit" }, "Submit (Enter)"),
      el("button", { type: "button", id: "release", onclick: on.release }, "Release (Esc)"),
    ),
  );
  const radio = (name, value) => node.querySelector(`input[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`);
  return {
    node,
    cycleLabel(index) {
      const category = vocabulary.categories[index];
      if (!category) return;
      const name = `label-${category}`;
      const checked = node.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
      const next = LABEL_STATES[(LABEL_STATES.indexOf(checked ? checked.value : "") + 1) % LABEL_STATES.length];
      radio(name, next).checked = true;
      on.announce(`${category}: ${LABEL_NAMES[next]}`);
    },
    setAction(action) {
      const input = radio("action", action);
      if (input) input.checked = true;
    },
    setOutcome(value) {
      const input = outcome ? radio("outcome", value) : null;
      if (input) input.checked = true;
    },
    /** The request body's parts, or `{ error }` saying what is missing. */
    read() {
      const labels = {};
      for (const category of vocabulary.categories) {
        const checked = node.querySelector(`input[name="${CSS.escape(`label-${category}`)}"]:checked`);
        if (checked && checked.value !== "") labels[category] = Number(checked.value);
      }
      const chosenOutcome = outcome ? (node.querySelector('input[name="outcome"]:checked') || {}).value : undefined;
      if (outcome && !chosenOutcome) return { error: "Choose uphold (u) or overturn (o)." };
      let action = (node.querySelector('input[name="action"]:checked') || {}).value;
      // Upholding keeps the decision's action unless another is chosen.
      if (!action && chosenOutcome === "upheld" && decision) action = decision.action;
      if (!action) return { error: "Choose an action (a, v, s or b)." };
      const verdict = { labels, action };
      if (note.value.trim() !== "") verdict.note = note.value;
      return { verdict, outcome: chosenOutcome };
    },
  };
}

function labelFieldset(category, index, categoryScore) {
  const name = `label-${category}`;
  const key = index < 9 ? String(index + 1) : null;
  const option = (value, text) =>
    el(
      "label",
      {},
      el("input", { type: "radio", name, value, id: `${name}-${value === "" ? "unknown" : value === "1" ? "positive" : "negative"}`, checked: value === "" }),
      ` ${text}`,
    );
  return el(
    "fieldset",
    { class: "label", "data-category": category },
    el(
      "legend",
      {},
      key ? el("kbd", {}, key) : null,
      ` ${category}`,
      categoryScore !== undefined ? el("span", { class: "muted" }, ` score ${score(categoryScore)}`) : null,
    ),
    option("1", "positive"),
    option("0", "negative"),
    option("", "not judged"),
  );
}
