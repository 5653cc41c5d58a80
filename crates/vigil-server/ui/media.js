// Media of an item, with the decision's evidence drawn over images and
// listed as timecodes beside audio and video. Bytes become `blob:` URLs;
// nothing from the item is ever parsed as markup.

import { el, timecode } from "./dom.js";

/** Every piece of evidence in `decision`, each with its category. */
export function collectEvidence(decision) {
  const out = [];
  for (const c of (decision && decision.categories) || []) {
    for (const e of c.evidence || []) out.push({ ...e, category: c.category });
  }
  return out;
}

const MEDIA_TYPE = /^(image|audio|video)\/[A-Za-z0-9.+-]+$/;

/** A `blob:` URL of a media element's inline bytes, or null. */
function blobUrl(media) {
  const base64 = media.data_base64 ?? media.data;
  if (typeof base64 !== "string") return null;
  let binary;
  try {
    binary = atob(base64);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // A declared type is kept only when it is a plain media type; otherwise
  // the browser sniffs the bytes.
  const type = typeof media.mime === "string" && MEDIA_TYPE.test(media.mime) ? media.mime : "";
  return URL.createObjectURL(new Blob([bytes], { type }));
}

/**
 * The media section of an item: every attachment, veiled (blurred and
 * greyscale) until `reveal` is called. Returns `{ node, reveal(on), urls }`.
 */
export function renderMedia(media, decision) {
  const evidence = collectEvidence(decision);
  const urls = [];
  const figures = media.map((m, index) => {
    const url = blobUrl(m);
    if (url) urls.push(url);
    const mine = evidence.filter((e) => e.media_index === index);
    const hashMatches = ((decision && decision.hash_matches) || []).filter(
      (h) => h.media_index === index,
    );
    const mediaMatches = ((decision && decision.media_matches) || []).filter(
      (h) => h.media_index === index,
    );
    return figure(m, index, url, mine, hashMatches, mediaMatches);
  });
  const button = el("button", { type: "button", id: "reveal", "aria-pressed": "false" }, "Reveal media (r)");
  const node = el(
    "section",
    { class: "media veiled", id: "media", "aria-label": "Media" },
    el("h3", {}, "Media"),
    el(
      "p",
      { class: "muted" },
      "Media is blurred and grey until you reveal it. ",
      button,
    ),
    figures,
  );
  const reveal = (on) => {
    node.classList.toggle("veiled", !on);
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Blur media again (r)" : "Reveal media (r)";
  };
  button.addEventListener("click", () => reveal(node.classList.contains("veiled")));
  return { node, reveal, isRevealed: () => !node.classList.contains("veiled"), urls };
}

function figure(m, index, url, evidence, hashMatches, mediaMatches) {
  const caption = `${m.kind} ${index + 1}`;
  if (!url) {
    return el("figure", { class: "media-item" }, el("figcaption", {}, `${caption}: no inline bytes to show`));
  }
  if (m.kind === "image") return imageFigure(url, caption, index, evidence, hashMatches);
  return timedFigure(m.kind, url, caption, index, evidence, mediaMatches);
}

function imageFigure(url, caption, index, evidence, hashMatches) {
  const img = el("img", { src: url, alt: `${caption} of the item`, "data-media-index": index });
  const frame = el("div", { class: "frame" }, img);
  const regions = evidence.filter((e) => e.location && e.location.type === "region");
  // Boxes are placed in percent of the natural size, known once loaded.
  img.addEventListener("load", () => {
    for (const e of regions) frame.append(box(e, img.naturalWidth, img.naturalHeight));
  });
  return el(
    "figure",
    { class: "media-item image" },
    frame,
    el("figcaption", {}, caption),
    list("Bank matches", hashMatches.map(hashMatch)),
    list("Regions", regions.map(describeRegion)),
  );
}

function box(e, width, height) {
  const { x, y, width: w, height: h } = e.location;
  const node = el(
    "div",
    { class: `box box-${e.detector === "ocr" ? "ocr" : "other"}`, title: `${e.category} (${e.detector})` },
    el("span", {}, `${e.category} · ${e.detector}`),
  );
  // CSSOM, not a style attribute: the page's CSP forbids inline styles.
  node.style.left = `${(100 * x) / width}%`;
  node.style.top = `${(100 * y) / height}%`;
  node.style.width = `${(100 * w) / width}%`;
  node.style.height = `${(100 * h) / height}%`;
  return node;
}

function describeRegion(e) {
  const { x, y, width, height } = e.location;
  const detail = e.detail ? `: ${e.detail}` : "";
  return `${e.category} (${e.detector}) at ${x},${y} ${width}×${height}${detail}`;
}

function hashMatch(h) {
  const parts = [`bank ${h.bank} entry ${h.entry}`];
  if (h.label) parts.push(`“${h.label}”`);
  if (h.source) parts.push(`from ${h.source}`);
  parts.push(`distance ${h.distance}`);
  if (h.variant) parts.push(`variant ${h.variant}`);
  if (h.suppressed_by) parts.push(`suppressed by ${h.suppressed_by}`);
  return parts.join(", ");
}

function timedFigure(kind, url, caption, index, evidence, mediaMatches) {
  const player = el(kind === "video" ? "video" : "audio", {
    src: url,
    controls: true,
    preload: "metadata",
    "aria-label": `${caption} of the item`,
    "data-media-index": index,
  });
  const seek = (seconds) => {
    player.currentTime = Math.max(0, Number(seconds) || 0);
  };
  const timed = evidence
    .map((e) => {
      const loc = e.location || {};
      if (loc.type === "time_range") return { at: loc.start_s, end: loc.end_s, e };
      if (loc.type === "frame") return { at: loc.time_s, end: null, e };
      return null;
    })
    .filter(Boolean)
    .sort((p, q) => p.at - q.at);
  const items = timed.map(({ at, end, e }) =>
    el(
      "button",
      { type: "button", class: "timecode", "data-seek": at, onclick: () => seek(at) },
      end === null ? timecode(at) : `${timecode(at)}–${timecode(end)}`,
      ` ${e.category} (${e.detector})`,
      e.detail ? `: ${e.detail}` : "",
    ),
  );
  const matches = mediaMatches.map((m) =>
    el(
      "button",
      { type: "button", class: "timecode", "data-seek": m.start_s, onclick: () => seek(m.start_s) },
      `${timecode(m.start_s)}–${timecode(m.end_s)} bank ${m.bank} entry ${m.entry}`,
      m.label ? ` “${m.label}”` : "",
      `, ${Number(m.percent).toFixed(0)}%`,
      m.suppressed_by ? `, suppressed by ${m.suppressed_by}` : "",
    ),
  );
  return el(
    "figure",
    { class: `media-item ${kind}` },
    el("div", { class: "frame" }, player),
    el("figcaption", {}, caption),
    list("Evidence (click to seek)", items),
    list("Bank matches (click to seek)", matches),
  );
}

function list(title, entries) {
  if (!entries.length) return null;
  return el("div", { class: "evidence-list" }, el("h4", {}, title), el("ul", {}, entries.map((x) => el("li", {}, x))));
}
