// Live client for a room page, the moderator console and the projector (docs/realtime-protocol.md).
//
// The server renders every page complete, with forms that work without
// JavaScript. This module takes over: it draws from the snapshot the page
// embeds and from the WebSocket's events, cloning the same <template>
// markup the server used, and sends the forms' actions over the socket.

import {
  currentPoll,
  drawOptions,
  drawProjectorPoll,
  drawResults,
  fmt,
  formatDate,
  syncList,
  verdictSentence,
} from "./room/draw.js";
import { loadMore, renderMore } from "./room/more.js";

const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const PING_MS = 30000;
const PUBLIC = ["visible", "answered"];

const dataElement = document.getElementById("room-data");
const root = document.querySelector("[data-room]");
if (dataElement && root) {
  start(JSON.parse(dataElement.textContent), root);
}

function newId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function format(template, text) {
  return template.replace("%(text)s", text);
}

function start(data, root) {
  const code = root.dataset.room;
  const strings = data.strings;
  const state = {
    role: data.snapshot.role,
    room: null,
    seq: 0,
    modSeq: 0,
    cseq: 0,
    questions: new Map(),
    myUpvotes: new Set(),
    myQuestions: new Set(),
    presence: {},
    stats: null,
    polls: new Map(),
    myVotes: {},
    phases: [],
    notes: new Map(),
    myReactions: {},
    actions: new Map(),
    more: {}, // per bounded list: the row id its next page starts after, or null at its end
    totals: {}, // per bounded list: its rows in all when the snapshot was made
    generation: 0, // counts snapshots applied, so a page fetched for an older one is dropped
  };
  const outboxKey = `trialoog-outbox:${code}`;
  const inflight = new Map(); // action id -> the form it came from (this page load only)
  let outbox = loadOutbox();
  let socket = null;
  let ready = false; // socket open and first snapshot applied
  let enhanced = true; // false once the server refused us: forms then post as plain HTML
  let attempts = 0;
  let pingTimer = null;
  let resyncing = false;

  applySnapshot(data.snapshot);
  render();
  connect();
  document.addEventListener("submit", onSubmit);
  document.addEventListener("click", onMoreClick);
  window.addEventListener("online", () => {
    if (!socket && enhanced) connect();
  });

  // --- Connection -----------------------------------------------------------------------------

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    let url = `${scheme}//${window.location.host}/ws/rooms/${encodeURIComponent(code)}/`;
    if (data.projector_token) url += `?projector=${encodeURIComponent(data.projector_token)}`;
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      attempts = 0;
      pingTimer = window.setInterval(() => transmit({ action: "ping", id: newId() }), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(message);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      ready = false;
      root.dataset.connection = "closed";
      window.clearInterval(pingTimer);
      if ([4401, 4403, 4404, 4429].includes(event.code)) {
        // Logged out, not (or no longer) allowed in, or too many tabs: reconnecting would not help.
        // Let the forms post normally; the server explains.
        enhanced = false;
        return;
      }
      setOffline(true);
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempts);
      attempts += 1;
      window.setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    });
  }

  function transmit(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setOffline(offline) {
    for (const element of document.querySelectorAll("[data-offline]")) {
      element.hidden = !offline;
      if (offline) element.textContent = strings.offline;
    }
  }

  // --- Outbox: actions survive a dropped socket and a page reload, and keep their id ------------

  function loadOutbox() {
    try {
      const stored = JSON.parse(window.sessionStorage.getItem(outboxKey) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch {
      return [];
    }
  }

  function saveOutbox() {
    try {
      window.sessionStorage.setItem(outboxKey, JSON.stringify(outbox));
    } catch {
      // Storage full or blocked: the outbox still lives in memory for this page.
    }
  }

  function send(frame, form) {
    outbox.push(frame);
    saveOutbox();
    inflight.set(frame.id, form);
    if (!(ready && transmit(frame))) feedback(form, strings.queued);
  }

  function flushOutbox() {
    for (const frame of outbox) transmit(frame);
  }

  function settle(message) {
    const frame = outbox.find((f) => f.id === message.id);
    outbox = outbox.filter((f) => f.id !== message.id);
    saveOutbox();
    const form = inflight.get(message.id);
    inflight.delete(message.id);
    if (message.type === "error") {
      if (!frame && !form) return;
      showError(form, message.message || strings.error);
      const textarea = form && form.querySelector("textarea[name='text']");
      if (frame && ["question.ask", "note.add"].includes(frame.action) && textarea && !textarea.value) {
        textarea.value = frame.text;
      }
      return;
    }
    if (form) showError(form, "");
    if (message.action === "question.ask") {
      state.myQuestions.add(message.question);
      feedback(form, message.status === "pending" ? strings.asked_pending : strings.asked);
    } else if (message.action === "question.upvote") {
      state.myUpvotes.add(message.question);
    } else if (message.action === "question.unvote") {
      state.myUpvotes.delete(message.question);
    } else if (message.action === "question.withdraw") {
      state.myQuestions.delete(message.question);
      announce(strings.withdrawn);
    } else if (message.action === "poll.vote") {
      state.myVotes[String(message.poll)] = message.choices;
    } else if (message.action === "note.react") {
      if (message.reaction) state.myReactions[String(message.note)] = message.reaction;
      else delete state.myReactions[String(message.note)];
    } else if (message.action === "note.add") {
      feedback(form, message.status === "pending" ? strings.note_pending : strings.note_sent);
    } else if (message.action === "action.save" && form && !form.querySelector("[name='action_id']")?.value) {
      form.reset();
    } else if (["poll.create", "phase.save"].includes(message.action) && form && form.dataset.form) {
      form.reset();
      const details = form.closest("details");
      if (details) details.open = false;
    }
    render();
  }

  // --- Frames ---------------------------------------------------------------------------------

  function onFrame(message) {
    switch (message.type) {
      case "room.snapshot":
        applySnapshot(message);
        resyncing = false;
        ready = true;
        root.dataset.connection = "open";
        setOffline(false);
        render();
        flushOutbox();
        return;
      case "ack":
      case "error":
        settle(message);
        return;
      case "pong":
        return;
      case "presence.changed":
        state.presence = message.presence;
        renderStats();
        return;
      default:
        if (typeof message.cseq === "number") {
          // A counter frame (totals): not gap-checked, only never older than what is shown.
          if (message.cseq > state.cseq) {
            state.cseq = message.cseq;
            applyEvent(message);
          }
        } else if (typeof message.mod_seq === "number") {
          if (inOrder(message, "mod_seq")) applyModeratorChange(message);
        } else if (typeof message.seq === "number" && inOrder(message, "seq")) {
          applyEvent(message);
        }
    }
  }

  // Apply events in order; an old one is ignored, a gap asks for a fresh snapshot.
  function inOrder(message, key) {
    const last = key === "seq" ? state.seq : state.modSeq;
    const value = message[key];
    if (typeof value !== "number" || value <= last) return false;
    if (value > last + 1) {
      requestResync();
      return false;
    }
    if (key === "seq") state.seq = value;
    else state.modSeq = value;
    return true;
  }

  function requestResync() {
    if (!resyncing) {
      resyncing = true;
      transmit({ action: "room.resync", id: newId() });
    }
  }

  function applySnapshot(snapshot) {
    state.role = snapshot.role;
    state.room = snapshot.room;
    state.seq = snapshot.seq;
    state.cseq = snapshot.cseq || 0;
    if (typeof snapshot.mod_seq === "number") state.modSeq = snapshot.mod_seq;
    state.questions = new Map();
    for (const q of [...snapshot.questions, ...(snapshot.pending || []), ...(snapshot.hidden || [])]) {
      state.questions.set(q.id, q);
    }
    state.myUpvotes = new Set(snapshot.my_upvotes || []);
    state.myQuestions = new Set(snapshot.my_questions || []);
    state.presence = snapshot.presence || {};
    if (snapshot.stats) state.stats = snapshot.stats;
    state.polls = new Map((snapshot.polls || []).map((p) => [p.id, p]));
    state.myVotes = snapshot.my_votes || {};
    state.phases = snapshot.phases || [];
    state.notes = new Map();
    for (const n of [...(snapshot.notes || []), ...(snapshot.pending_notes || []), ...(snapshot.hidden_notes || [])]) {
      state.notes.set(n.id, n);
    }
    state.myReactions = snapshot.my_reactions || {};
    state.actions = new Map((snapshot.actions || []).map((a) => [a.id, a]));
    state.more = { ...(snapshot.more || {}), ...(snapshot.queue_more || {}) };
    state.totals = { ...(snapshot.totals || {}), ...(snapshot.queue_totals || {}) };
    state.generation += 1;
  }

  async function onMoreClick(event) {
    const button = event.target.closest && event.target.closest("[data-more]");
    if (!button || !data.more_url) return;
    const list = button.dataset.more;
    const box = button.closest("[data-more-box]");
    const error = box && box.querySelector("[data-more-error]");
    const generation = state.generation;
    button.disabled = true;
    try {
      const added = await loadMore({
        url: data.more_url,
        list,
        state,
        current: () => state.generation === generation,
      });
      if (error) error.hidden = true;
      if (added) announce(fmt(strings.more_loaded, { count: added }));
    } catch {
      if (error) {
        error.textContent = strings.error;
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
    render();
  }

  function applyEvent(message) {
    const previousPin = state.room.pinned;
    switch (message.type) {
      case "question.asked":
        if (!state.questions.has(message.question.id)) state.totals.questions = (state.totals.questions || 0) + 1;
        state.questions.set(message.question.id, message.question);
        announce(format(strings.new_question, message.question.text));
        break;
      case "question.updated":
        if (PUBLIC.includes(message.question.status)) {
          if (!state.questions.has(message.question.id)) {
            announce(format(strings.new_question, message.question.text));
          }
          state.questions.set(message.question.id, message.question);
        }
        break;
      case "question.removed": {
        const known = state.questions.get(message.question);
        // A moderator may already hold the newer, non-public state from question.changed.
        if (known && (state.role !== "moderator" || PUBLIC.includes(known.status))) {
          state.questions.delete(message.question);
        }
        break;
      }
      case "question.scored":
        for (const score of message.scores) {
          const q = state.questions.get(score.question);
          if (q) {
            q.upvotes = score.upvotes;
            q.by_perspective = score.by_perspective;
          }
        }
        break;
      case "question.pinned":
        state.room = { ...state.room, pinned: message.question };
        // Not loaded here (older than the snapshot's lists): a fresh snapshot always carries it.
        if (message.question !== null && !state.questions.has(message.question)) requestResync();
        break;
      case "room.updated": {
        const before = state.room.phase ? state.room.phase.id : null;
        state.room = message.room;
        const phase = state.room.phase;
        if (phase && phase.id !== before) announce(fmt(strings.phase_now, phase));
        break;
      }
      case "poll.changed":
        // Moderators get the full poll (with results) as a moderator event; this copy only advances seq.
        if (state.role === "moderator") return;
        if (message.poll.state === "open" && state.polls.get(message.poll.id)?.state !== "open") {
          announce(fmt(strings.poll_opened, message.poll));
        }
        state.polls.set(message.poll.id, message.poll);
        break;
      case "poll.results": {
        const poll = state.polls.get(message.poll);
        if (poll) poll.results = message.results;
        break;
      }
      case "note.added":
      case "note.updated": {
        const note = message.note;
        if (!state.notes.has(note.id) || state.notes.get(note.id).status !== "visible") {
          announce(fmt(strings.new_note, { perspective: data.labels[note.perspective], text: note.text }));
        }
        state.notes.set(note.id, note);
        break;
      }
      case "note.removed": {
        const known = state.notes.get(message.note);
        if (known && (state.role !== "moderator" || known.status === "visible")) state.notes.delete(message.note);
        break;
      }
      case "note.scored":
        for (const score of message.scores) {
          const note = state.notes.get(score.note);
          if (note) {
            note.reactions = score.reactions;
            note.reactions_by_perspective = score.reactions_by_perspective;
            note.lens = score.lens;
          }
        }
        break;
      case "action.saved":
        state.actions.set(message.action.id, message.action);
        break;
      case "phases.updated":
        state.phases = message.phases;
        break;
      default:
        return;
    }
    if (state.room.pinned !== previousPin) announcePin();
    render();
  }

  function applyModeratorChange(message) {
    if (message.type === "poll.changed") {
      state.polls.set(message.poll.id, message.poll);
    } else if (message.type === "poll.results") {
      const poll = state.polls.get(message.poll);
      if (poll) poll.results = message.results;
    } else if (message.type === "note.changed") {
      const note = message.note;
      if (note.status === "merged") state.notes.delete(note.id);
      else {
        if (!state.notes.has(note.id) && note.status === "pending") {
          announce(fmt(strings.new_note, { perspective: data.labels[note.perspective], text: note.text }));
        }
        state.notes.set(note.id, note);
      }
    }
    if (message.type !== "question.changed") {
      render();
      return;
    }
    const q = message.question;
    if (q.status === "withdrawn") {
      state.questions.delete(q.id);
    } else {
      if (!state.questions.has(q.id) && q.status === "pending") {
        announce(format(strings.new_question, q.text));
      }
      state.questions.set(q.id, q);
    }
    if (message.stats) state.stats = message.stats;
    render();
  }

  function announcePin() {
    const q = state.questions.get(state.room.pinned);
    announce(q ? format(strings.pinned, q.text) : strings.unpinned);
  }

  // --- Forms ----------------------------------------------------------------------------------

  function frameFor(form, submitter) {
    let action = (submitter && submitter.dataset.action) || form.dataset.action;
    if (!action) return null;
    const fields = new FormData(form, submitter || undefined);
    if (action === "room.setopen") action = fields.get("enabled") === "true" ? "room.open" : "room.close";
    const frame = { action, id: newId() };
    const question = fields.get("question");
    if (question && action !== "question.unpin") frame.question = Number.parseInt(question, 10);
    if (action === "question.pin" && frame.question === undefined) frame.question = null;
    if (action === "question.ask" || action === "question.edit") frame.text = fields.get("text") || "";
    if (action === "question.ask") frame.show_name = fields.get("show_name") !== null;
    if (action === "room.premoderation") frame.enabled = fields.get("enabled") === "true";
    const int = (name) => Number.parseInt(fields.get(name), 10);
    if (action.startsWith("poll.") && action !== "poll.create") frame.poll = int("poll");
    if (action === "poll.vote") frame.choices = fields.getAll("choices").map((c) => Number.parseInt(c, 10));
    if (action === "poll.show_live") frame.enabled = submitter ? submitter.value === "show_live" : true;
    if (action === "poll.create") {
      frame.text = fields.get("text") || "";
      frame.kind = fields.get("kind") || "scale";
      frame.options = (fields.get("options") || "").split("\n").map((o) => o.trim()).filter(Boolean);
      frame.show_live = fields.get("show_live") !== null;
    }
    if (action.startsWith("note.") && action !== "note.add") frame.note = int("note");
    if (action === "note.add" || action === "note.edit") frame.text = fields.get("text") || "";
    if (action === "note.add") frame.kind = fields.get("kind") || "";
    if (action === "note.react") frame.reaction = submitter ? submitter.value : "";
    if (action === "note.merge") frame.into = int("into");
    if (action === "action.save") {
      for (const name of ["what", "owner_name", "owner_organisation", "perspective", "due_date", "status"]) {
        frame[name] = fields.get(name) || "";
      }
      if (fields.get("action_id")) frame.action_id = int("action_id");
    }
    if (action === "phase.set") frame.phase = int("phase");
    if (action === "phase.save") {
      if (fields.get("phase")) frame.phase = int("phase");
      frame.title = fields.get("title") || "";
      frame.prompt = fields.get("prompt") || "";
    }
    if (action === "room.projector_mode") frame.mode = submitter ? submitter.value : fields.get("mode");
    return frame;
  }

  function onSubmit(event) {
    const form = event.target;
    if (!enhanced || !root.contains(form)) return;
    const frame = frameFor(form, event.submitter);
    if (!frame) return; // e.g. the projector link reset: a plain POST
    event.preventDefault();
    showError(form, "");
    if (frame.action === "question.ask" || frame.action === "note.add") {
      const kind = form.querySelector("select[name='kind']");
      const keep = kind ? kind.value : null;
      form.reset();
      if (kind) kind.value = keep;
    } else if (frame.action === "question.edit" || frame.action === "note.edit" || frame.action === "note.merge") {
      const details = form.closest("details");
      if (details) details.open = false;
    }
    send(frame, form);
  }

  function errorRegion(form) {
    if (!form || !form.isConnected) return root.querySelector("[data-error]");
    return (
      form.querySelector("[data-error]") ||
      form.closest("li, section")?.querySelector("[data-error]") ||
      root.querySelector("[data-error]")
    );
  }

  function showError(form, text) {
    const region = errorRegion(form);
    if (!region) return;
    region.textContent = text;
    region.hidden = !text;
  }

  function feedback(form, text) {
    // [data-status]: the feedback region of the forms added after questions (notes, actions).
    const region = form && form.querySelector("[data-feedback], [data-status]");
    if (region) region.textContent = text;
  }

  function announce(text) {
    for (const region of document.querySelectorAll("[data-live]")) {
      region.textContent = "";
      // A fresh text node in a separate task makes screen readers announce a repeated message too.
      window.setTimeout(() => {
        region.textContent = text;
      }, 100);
    }
  }

  // --- Drawing --------------------------------------------------------------------------------

  function render() {
    const focused = document.activeElement;
    renderRoom();
    renderLists();
    renderStats();
    renderPhases();
    renderPolls();
    renderNotes();
    renderActions();
    renderProjectorMode();
    renderMore(root, state, strings);
    // A question that moved up the list keeps the keyboard focus that was on it.
    if (focused && focused !== document.body && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
  }

  function each(scope, slot, fn) {
    for (const element of scope.querySelectorAll(`[data-slot="${slot}"]`)) fn(element);
  }

  function renderRoom() {
    const room = state.room;
    const canAct = room.open && data.can_ask;
    each(root, "room-state", (el) => {
      el.textContent = room.open ? strings.room_open : strings.room_closed;
      if (el.classList.contains("alert")) el.classList.toggle("alert--warning", !room.open);
    });
    each(root, "premod-state", (el) => {
      el.textContent = room.premoderation ? strings.premod_on : strings.premod_off;
    });
    each(root, "ask", (el) => {
      el.hidden = !canAct;
    });
    for (const form of root.querySelectorAll("[data-form='open']")) {
      form.querySelector("[name='enabled']").value = room.open ? "false" : "true";
      form.querySelector("button").textContent = room.open ? strings.close_button : strings.open_button;
    }
    for (const form of root.querySelectorAll("[data-form='premod']")) {
      form.querySelector("[name='enabled']").value = room.premoderation ? "false" : "true";
      form.querySelector("button").textContent = room.premoderation
        ? strings.premod_off_button
        : strings.premod_on_button;
    }
    const pinned = state.questions.get(room.pinned);
    for (const section of document.querySelectorAll("[data-pinned]")) {
      section.hidden = !pinned;
      each(section, "pinned-text", (el) => {
        el.textContent = pinned ? pinned.text : "";
      });
    }
    each(root, "unpin-top", (el) => {
      el.hidden = !pinned;
    });
  }

  function sortQuestions(items, order) {
    const byNew = (a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0);
    if (order === "top") return items.sort((a, b) => b.upvotes - a.upvotes || byNew(a, b));
    if (order === "old") return items.sort((a, b) => byNew(b, a));
    return items.sort(byNew);
  }

  function renderLists() {
    for (const list of root.querySelectorAll("[data-list]")) {
      const key = list.dataset.list;
      const statuses = list.dataset.statuses.split(" ");
      let items = [...state.questions.values()].filter((q) => statuses.includes(q.status));
      if ("excludePinned" in list.dataset) items = items.filter((q) => q.id !== state.room.pinned);
      items = sortQuestions(items, list.dataset.sort === "nieuw" ? "new" : list.dataset.sort);
      if (list.dataset.limit) items = items.slice(0, Number(list.dataset.limit));

      syncList(list, items, "question", fill);
      for (const empty of root.querySelectorAll(`[data-empty-for="${key}"]`)) empty.hidden = items.length > 0;
      for (const count of root.querySelectorAll(`[data-count="${key}"]`)) count.textContent = items.length;
    }
  }

  function fill(item, q) {
    const pinned = state.room.pinned === q.id;
    const upvoted = state.myUpvotes.has(q.id);
    item.dataset.question = q.id;
    each(item, "text", (el) => {
      el.textContent = q.text;
    });
    each(item, "perspective", (el) => {
      el.className = `badge badge--${q.perspective}`;
      el.textContent = data.labels[q.perspective] || q.perspective;
    });
    each(item, "kamerlid", (el) => {
      el.hidden = !q.kamerlid;
    });
    each(item, "author", (el) => {
      el.hidden = !q.author;
      el.textContent = q.author ? (q.organisation ? `${q.author} (${q.organisation})` : q.author) : "";
    });
    each(item, "answered", (el) => {
      el.hidden = q.status !== "answered";
    });
    each(item, "pinned", (el) => {
      el.hidden = !pinned;
    });
    each(item, "status", (el) => {
      el.textContent = data.statuses[q.status] || q.status;
    });
    each(item, "upvotes", (el) => {
      el.textContent = q.upvotes;
    });
    for (const input of item.querySelectorAll("input[name='question']")) input.value = q.id;
    each(item, "vote-form", (el) => {
      el.hidden = !(state.room.open && data.can_ask);
    });
    each(item, "vote-button", (el) => {
      el.setAttribute("aria-pressed", upvoted ? "true" : "false");
      el.value = upvoted ? "down" : "up";
      el.dataset.action = upvoted ? "question.unvote" : "question.upvote";
    });
    each(item, "withdraw-form", (el) => {
      el.hidden = !state.myQuestions.has(q.id);
    });
    for (const button of item.querySelectorAll("[data-show-for]")) {
      button.hidden = !button.dataset.showFor.split(" ").includes(q.status);
    }
    each(item, "pin-form", (el) => {
      el.hidden = pinned || !PUBLIC.includes(q.status);
    });
    each(item, "unpin-form", (el) => {
      el.hidden = !pinned;
    });
    each(item, "edit-text", (el) => {
      if (document.activeElement !== el) el.value = q.text;
    });
  }

  function renderStats() {
    for (const row of root.querySelectorAll("[data-stats]")) {
      const perspective = row.dataset.stats;
      const stats = (state.stats && state.stats[perspective]) || { asked: 0, answered: 0 };
      each(row, "asked", (el) => {
        el.textContent = stats.asked;
      });
      each(row, "answered", (el) => {
        el.textContent = stats.answered;
      });
      each(row, "present", (el) => {
        el.textContent = state.presence[perspective] || 0;
      });
    }
  }
  // --- Phases, polls, notes and actions -------------------------------------------------------

  function canAct() {
    return state.room.open && data.can_ask;
  }

  function setValue(input, value) {
    if (input && document.activeElement !== input) input.value = value ?? "";
  }

  function renderPhases() {
    const phase = state.room.phase;
    for (const box of document.querySelectorAll("[data-phase-box]")) {
      box.hidden = !phase;
      each(box, "phase-title", (el) => {
        el.textContent = phase ? phase.title : "";
      });
      each(box, "phase-prompt", (el) => {
        el.textContent = phase ? phase.prompt : "";
      });
    }
    const list = root.querySelector("[data-phase-list]");
    if (!list) return;
    each(list.closest("section"), "phase-title", (el) => {
      if (!el.closest("[data-phase-list]")) el.textContent = phase ? phase.title : strings.no_phase;
    });
    syncList(list, state.phases, "phaseItem", (item, ph) => {
      const current = phase && phase.id === ph.id;
      item.dataset.phaseItem = ph.id;
      if (current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
      each(item, "title", (el) => {
        el.textContent = ph.title;
      });
      each(item, "current", (el) => {
        el.hidden = !current;
      });
      each(item, "set-form", (el) => {
        el.hidden = current;
      });
      for (const input of item.querySelectorAll("input[name='phase']")) input.value = ph.id;
      each(item, "edit-title", (el) => setValue(el, ph.title));
      each(item, "edit-prompt", (el) => setValue(el, ph.prompt));
    });
  }

  function pollsForRoom() {
    const polls = [...state.polls.values()].filter((p) => p.state !== "draft");
    const current = currentPoll(polls);
    return current ? [current, ...polls.reverse().filter((p) => p !== current)] : [];
  }

  function fillPoll(item, poll) {
    item.dataset.poll = poll.id;
    each(item, "poll-text", (el) => {
      el.textContent = poll.text;
    });
    each(item, "poll-state", (el) => {
      el.textContent = data.poll_states[poll.state] || poll.state;
    });
    each(item, "poll-revealed", (el) => {
      el.hidden = !poll.revealed;
    });
    each(item, "poll-live", (el) => {
      el.hidden = !poll.show_live;
    });
    for (const input of item.querySelectorAll("input[name='poll']")) input.value = poll.id;
    const chosen = state.myVotes[String(poll.id)] || [];
    each(item, "poll-options", (container) => {
      const signature = JSON.stringify([poll.kind, poll.options]);
      const voted = JSON.stringify(chosen);
      if (container.dataset.signature !== signature) {
        drawOptions(container, poll);
        container.dataset.signature = signature;
        container.dataset.voted = "";
        const legend = container.closest("fieldset").querySelector("legend");
        if (legend && legend.firstChild.nodeType === Node.TEXT_NODE) {
          legend.firstChild.textContent = poll.kind === "multiple" ? strings.choose_many : strings.choose_one;
        }
      }
      // Mark the stored vote only when it changed, so a choice being made is not undone by a render.
      if (container.dataset.voted !== voted) {
        container.dataset.voted = voted;
        for (const input of container.querySelectorAll("input")) input.checked = chosen.includes(Number(input.value));
      }
    });
    each(item, "poll-form", (el) => {
      el.hidden = poll.state !== "open" || !canAct();
    });
    each(item, "poll-voted", (el) => {
      const answer = poll.options.filter((o) => chosen.includes(o.id)).map((o) => o.label).join(", ");
      el.textContent = answer ? fmt(strings.voted, { answer }) : "";
    });
    each(item, "poll-closed", (el) => {
      el.hidden = poll.state !== "closed";
    });
    each(item, "poll-hidden", (el) => {
      el.hidden = Boolean(poll.results);
    });
    each(item, "poll-results", (el) => drawResults(el, poll, strings, data.labels));
    for (const button of item.querySelectorAll("button[name='step']")) {
      button.hidden = {
        open: poll.state === "open",
        close: poll.state !== "open",
        reveal: poll.revealed,
        hide: !poll.revealed,
        show_live: poll.show_live,
        hide_live: !poll.show_live,
      }[button.value];
    }
  }

  function renderPolls() {
    for (const list of root.querySelectorAll("[data-poll-list]")) {
      const items = list.dataset.pollList === "console" ? [...state.polls.values()] : pollsForRoom();
      syncList(list, items, "poll", fillPoll);
      const box = list.closest("[data-polls-box]");
      if (box) box.hidden = items.length === 0;
      for (const empty of root.querySelectorAll("[data-empty-for='polls']")) empty.hidden = items.length > 0;
    }
    for (const box of root.querySelectorAll("[data-projector-poll]")) {
      drawProjectorPoll(box, currentPoll([...state.polls.values()]), strings, data.labels);
    }
  }

  // Reaction totals; null (withheld while fewer than the minimum group reacted) shows as nothing.
  function totals(note) {
    const shown = (count) => (count === null || count === undefined ? "" : String(count));
    return {
      recognise: shown(note.reactions.recognise),
      agree: shown(note.reactions.agree),
      disagree: shown(note.reactions.disagree),
    };
  }

  function fillNote(item, note) {
    const mine = state.myReactions[String(note.id)] || "";
    const count = totals(note);
    item.dataset.note = note.id;
    if (item.hasAttribute("id")) item.id = `notitie-${note.id}`;
    item.classList.toggle("note--common_ground", note.mark === "common_ground");
    item.classList.toggle("note--not_agreed", note.mark === "not_agreed");
    each(item, "text", (el) => {
      el.textContent = note.text;
    });
    each(item, "note-kind", (el) => {
      el.textContent = data.note_kinds[note.kind] || note.kind;
    });
    each(item, "note-mark", (el) => {
      el.hidden = !note.mark;
      el.textContent = note.mark ? data.note_marks[note.mark] : "";
    });
    each(item, "note-phase", (el) => {
      el.textContent = note.phase_title || "";
    });
    each(item, "perspective", (el) => {
      el.className = `badge badge--${note.perspective}`;
      el.textContent = data.labels[note.perspective] || note.perspective;
    });
    each(item, "status", (el) => {
      el.textContent = data.note_statuses[note.status] || note.status;
    });
    for (const kind of ["recognise", "agree", "disagree"]) {
      each(item, `count-${kind}`, (el) => {
        el.textContent = count[kind];
      });
    }
    each(item, "counts-hint", (el) => {
      el.hidden = !Object.values(note.reactions).some((n) => n === null);
    });
    each(item, "note-lens", (el) => {
      el.textContent = note.lens ? verdictSentence(note.lens, strings, data.labels) : "";
    });
    for (const input of item.querySelectorAll("input[name='note']")) input.value = note.id;
    each(item, "react-form", (el) => {
      el.hidden = !canAct();
    });
    for (const button of item.querySelectorAll("[data-reaction]")) {
      const pressed = mine === button.dataset.reaction;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.value = pressed ? "" : button.dataset.reaction;
    }
    for (const button of item.querySelectorAll("[data-show-for]")) {
      let hidden = !button.dataset.showFor.split(" ").includes(note.status);
      if (button.dataset.unlessMark !== undefined) hidden = hidden || note.mark === button.dataset.unlessMark;
      if (button.dataset.ifMarked !== undefined) hidden = hidden || !note.mark;
      button.hidden = hidden;
      if (button.value === "approve") {
        button.textContent = note.status === "hidden" ? strings.note_restore : strings.note_approve;
      }
    }
    each(item, "edit-text", (el) => setValue(el, note.text));
  }

  function boardOrder(a, b) {
    const ground = (n) => (n.mark === "common_ground" ? 0 : 1);
    return ground(a) - ground(b) || (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0);
  }

  function renderNotes() {
    const notes = [...state.notes.values()];
    for (const list of root.querySelectorAll("[data-notes]")) {
      const key = list.dataset.notes;
      const items = notes.filter((n) => n.status === "visible" && n.perspective === key).sort(boardOrder);
      syncList(list, items, "note", fillNote);
      counted(`notes-${key}`, items.length);
    }
    for (const list of root.querySelectorAll("[data-note-list]")) {
      const statuses = list.dataset.statuses.split(" ");
      const items = notes
        .filter((n) => statuses.includes(n.status))
        .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
      syncList(list, items, "note", fillNote);
      counted(`notes-${list.dataset.noteList}`, items.length);
    }
    renderMergeForm(notes);
  }

  // The console's one merge form: both choices list every visible note the console holds.
  function renderMergeForm(notes) {
    const visible = notes.filter((n) => n.status === "visible").sort((a, b) => a.id - b.id);
    each(root, "merge-box", (el) => {
      el.hidden = visible.length < 2;
    });
    const signature = JSON.stringify(visible.map((n) => [n.id, n.text]));
    for (const select of root.querySelectorAll("[data-merge-options]")) {
      if (select.dataset.signature === signature || document.activeElement === select) continue;
      select.dataset.signature = signature;
      const selected = select.value;
      select.replaceChildren(
        ...visible.map((n) => new Option(n.text.length > 80 ? `${n.text.slice(0, 79)}…` : n.text, String(n.id))),
      );
      if (visible.some((n) => String(n.id) === selected)) select.value = selected;
    }
  }

  function counted(key, n) {
    for (const empty of root.querySelectorAll(`[data-empty-for="${key}"]`)) empty.hidden = n > 0;
    for (const count of root.querySelectorAll(`[data-count="${key}"]`)) count.textContent = n;
  }

  function fillAction(item, action) {
    item.dataset.actionItem = action.id;
    const texts = {
      what: action.what,
      owner: action.owner_name,
      organisation: action.owner_organisation,
      perspective: action.perspective ? data.labels[action.perspective] : "",
      due: formatDate(action.due_date),
      status: data.action_statuses[action.status] || action.status,
    };
    for (const [slot, text] of Object.entries(texts)) {
      each(item, slot, (el) => {
        el.textContent = text;
      });
    }
    const form = item.querySelector("form");
    if (form && !form.contains(document.activeElement)) {
      const values = { ...action, action_id: action.id, due_date: action.due_date || "" };
      for (const name of ["action_id", "what", "owner_name", "owner_organisation", "perspective", "due_date", "status"]) {
        const input = form.elements.namedItem(name);
        if (input) input.value = values[name] ?? "";
      }
    }
  }

  function renderActions() {
    const actions = [...state.actions.values()].sort((a, b) => a.id - b.id);
    for (const list of root.querySelectorAll("[data-action-list]")) syncList(list, actions, "actionItem", fillAction);
    for (const table of root.querySelectorAll("[data-actions-table]")) table.hidden = actions.length === 0;
    counted("actions", actions.length);
  }

  function renderProjectorMode() {
    const mode = state.room.projector_mode || "questions";
    for (const section of root.querySelectorAll("[data-mode-section]")) {
      section.hidden = section.dataset.modeSection !== mode;
    }
    for (const button of root.querySelectorAll("button[data-mode]")) {
      button.setAttribute("aria-pressed", button.dataset.mode === mode ? "true" : "false");
    }
  }
}
