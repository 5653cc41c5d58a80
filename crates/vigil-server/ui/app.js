// The reviewer's page: sign-in, the queue, one item at a time, and the
// keyboard shortcuts (listed on the page and in docs/review-ui.md).

import { Api, ApiError } from "./api.js";
import { el } from "./dom.js";
import { ACTION_KEYS, renderItem } from "./item.js";
import { renderQueue } from "./queue.js";

const KEY_STORAGE = "vigil.review.key";
const OUTCOME_KEYS = { u: "upheld", o: "overturned" };
const ACTION_BY_KEY = Object.fromEntries(Object.entries(ACTION_KEYS).map(([a, k]) => [k, a]));

const root = document.getElementById("app");
const statusLine = document.getElementById("status");
const state = { api: null, vocabulary: null, view: "login", item: null, busy: false };

function say(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("error", isError);
}

function focusTitle() {
  const title = document.getElementById("view-title");
  if (title) title.focus();
}

/** Runs `work`, one at a time, reporting an API error on the status line. */
async function guarded(work) {
  if (state.busy) return;
  state.busy = true;
  try {
    await work();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signOut("The key was refused; sign in again.");
    } else {
      say(e instanceof ApiError ? `${e.message} (${e.kind})` : String(e), true);
    }
  } finally {
    state.busy = false;
  }
}

function setSignedIn(on) {
  document.getElementById("sign-out").hidden = !on;
  document.getElementById("queue-button").hidden = !on;
  document.getElementById("whoami").textContent = on ? "signed in" : "";
}

function showLogin(message) {
  state.view = "login";
  setSignedIn(false);
  const input = el("input", { type: "password", id: "api-key", name: "api-key", autocomplete: "off", required: true, spellcheck: "false" });
  root.replaceChildren(
    el("h2", { id: "view-title", tabindex: "-1" }, "Sign in"),
    el(
      "form",
      {
        id: "login",
        onsubmit: (e) => {
          e.preventDefault();
          guarded(() => signIn(input.value.trim()));
        },
      },
      el("label", { for: "api-key" }, "Review API key"),
      input,
      el("button", { type: "submit", id: "sign-in" }, "Sign in"),
      el("p", { class: "muted" }, "The key is kept in this tab only (sessionStorage) and sent with each request."),
    ),
  );
  if (message) say(message, true);
  input.focus();
}

async function signIn(key) {
  const api = new Api(key);
  try {
    await api.queue();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      say(e.status === 401 ? "That key is not known." : "That key has no review scope.", true);
      return;
    }
    throw e;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  state.api = api;
  setSignedIn(true);
  say("Signed in.");
  await showQueue();
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.api = null;
  closeItem();
  showLogin(message);
}

function closeItem() {
  if (state.item) state.item.dispose();
  state.item = null;
}

async function showQueue() {
  const queue = await state.api.queue();
  closeItem();
  state.view = "queue";
  renderQueue(root, queue, state.vocabulary.reasons, {
    claimNext: () => guarded(claimNext),
    refresh: () => guarded(showQueue),
    open: (id) => guarded(() => openItem(id)),
  });
  focusTitle();
}

async function claimNext() {
  const review = await state.api.claimNext();
  if (!review) {
    say("Nothing is left for you to review.");
    await showQueue();
    return;
  }
  showItem(review);
}

async function openItem(id) {
  showItem(await state.api.claim(id));
}

function showItem(review) {
  closeItem();
  state.view = "item";
  state.item = renderItem(root, review, state.vocabulary, {
    submit: () => guarded(submit),
    release: () => guarded(release),
    announce: (message) => say(message),
  });
  say(`Claimed ${review.item_id} (${review.reason}).`);
  focusTitle();
}

async function submit() {
  const item = state.item;
  if (!item) return;
  const read = item.read();
  if (read.error) {
    say(read.error, true);
    return;
  }
  const answer = await state.api.verdict(item.id, read.verdict, read.outcome);
  await showQueue();
  say(`Verdict recorded (${answer.reviews_done} of ${answer.required_reviews} reviews, ${answer.status}).`);
}

async function release() {
  const item = state.item;
  if (!item) return;
  await state.api.release(item.id);
  await showQueue();
  say("Released.");
}

/** Text fields keep their keys; shortcuts apply everywhere else. */
function isTyping(target) {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["radio", "checkbox", "button", "submit"].includes(target.type);
  return Boolean(target && target.isContentEditable);
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  const handled = state.view === "queue" ? queueKey(event) : state.view === "item" ? itemKey(event) : false;
  if (handled) event.preventDefault();
}

function queueKey(event) {
  if (event.key !== "n") return false;
  guarded(claimNext);
  return true;
}

function itemKey(event) {
  const item = state.item;
  const key = event.key;
  if (!item) return false;
  if (key === "r") {
    item.toggleReveal();
  } else if (/^[1-9]$/.test(key)) {
    item.cycleLabel(Number(key) - 1);
  } else if (ACTION_BY_KEY[key]) {
    item.setAction(ACTION_BY_KEY[key]);
  } else if (OUTCOME_KEYS[key] && item.isAppeal) {
    item.setOutcome(OUTCOME_KEYS[key]);
  } else if (key === "Enter") {
    // Enter on a button presses that button instead.
    if (event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement) return false;
    guarded(submit);
  } else if (key === "Escape") {
    guarded(release);
  } else {
    return false;
  }
  return true;
}

async function start() {
  document.addEventListener("keydown", onKey);
  // Leaving an item by either button gives it back, so no one waits for
  // a lease that its holder has walked away from.
  document.getElementById("sign-out").addEventListener("click", () =>
    guarded(async () => {
      if (state.item) await state.api.release(state.item.id);
      signOut();
    }),
  );
  document.getElementById("queue-button").addEventListener("click", () =>
    guarded(state.item ? release : showQueue),
  );
  const response = await fetch("/review/vocabulary.json");
  state.vocabulary = await response.json();
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) {
    await guarded(() => signIn(key));
    if (!state.api) showLogin();
  } else {
    showLogin();
  }
  document.body.dataset.ready = "true";
}

start().catch((e) => say(`The page could not start: ${e}`, true));
