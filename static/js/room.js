// Live client for a room page, the moderator console and the projector (docs/realtime-protocol.md).
//
// The server renders every page complete, with forms that work without
// JavaScript. This module takes over: it draws from the snapshot the page
// embeds and from the WebSocket's events, cloning the same <template>
// markup the server used, and sends the forms' actions over the socket.

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
    questions: new Map(),
    myUpvotes: new Set(),
    myQuestions: new Set(),
    presence: {},
    stats: null,
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
      if (event.code === 4403 || event.code === 4404) {
        // Not (or no longer) allowed in: let the forms post normally; the server explains.
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
      if (frame && frame.action === "question.ask" && textarea && !textarea.value) textarea.value = frame.text;
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
      case "question.changed":
        if (inOrder(message, "mod_seq")) applyModeratorChange(message);
        return;
      default:
        if (typeof message.seq === "number" && inOrder(message, "seq")) applyEvent(message);
    }
  }

  // Apply events in order; an old one is ignored, a gap asks for a fresh snapshot.
  function inOrder(message, key) {
    const last = key === "seq" ? state.seq : state.modSeq;
    const value = message[key];
    if (typeof value !== "number" || value <= last) return false;
    if (value > last + 1) {
      if (!resyncing) {
        resyncing = true;
        transmit({ action: "room.resync", id: newId() });
      }
      return false;
    }
    if (key === "seq") state.seq = value;
    else state.modSeq = value;
    return true;
  }

  function applySnapshot(snapshot) {
    state.role = snapshot.role;
    state.room = snapshot.room;
    state.seq = snapshot.seq;
    if (typeof snapshot.mod_seq === "number") state.modSeq = snapshot.mod_seq;
    state.questions = new Map();
    for (const q of [...snapshot.questions, ...(snapshot.pending || []), ...(snapshot.hidden || [])]) {
      state.questions.set(q.id, q);
    }
    state.myUpvotes = new Set(snapshot.my_upvotes || []);
    state.myQuestions = new Set(snapshot.my_questions || []);
    state.presence = snapshot.presence || {};
    if (snapshot.stats) state.stats = snapshot.stats;
  }

  function applyEvent(message) {
    const previousPin = state.room.pinned;
    switch (message.type) {
      case "question.asked":
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
        break;
      case "room.updated":
        state.room = message.room;
        break;
      default:
        return;
    }
    if (state.room.pinned !== previousPin) announcePin();
    render();
  }

  function applyModeratorChange(message) {
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
    return frame;
  }

  function onSubmit(event) {
    const form = event.target;
    if (!enhanced || !root.contains(form)) return;
    const frame = frameFor(form, event.submitter);
    if (!frame) return; // e.g. the projector link reset: a plain POST
    event.preventDefault();
    showError(form, "");
    if (frame.action === "question.ask") {
      form.reset();
    } else if (frame.action === "question.edit") {
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
    const region = form && form.querySelector("[data-feedback]");
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

      const template = document.getElementById(list.dataset.template);
      const existing = new Map();
      for (const item of [...list.children]) {
        const id = Number(item.dataset.question);
        if (items.some((q) => q.id === id)) existing.set(id, item);
        else item.remove();
      }
      items.forEach((q, index) => {
        const item = existing.get(q.id) || template.content.firstElementChild.cloneNode(true);
        fill(item, q);
        // Move only what is out of place, so keyboard focus stays where it is.
        if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
      });
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
}
