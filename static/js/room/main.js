// Live client for a room page, the moderator console and the projector (docs/realtime-protocol.md).
//
// The server renders every page complete, with forms that work without
// JavaScript. This module wires the parts together: the state and how frames
// change it (store.js), the socket and its outbox (socket.js), drawing
// (render.js) and form frames (forms.js); "Meer laden" is more.js.

import { fmt } from "./draw.js";
import { frameFor } from "./forms.js";
import { loadMore } from "./more.js";
import { createRenderer } from "./render.js";
import { Outbox, RoomSocket, newId } from "./socket.js";
import { applyAck, applyEvent, applySnapshot, createState, inOrder } from "./store.js";

const dataElement = document.getElementById("room-data");
const root = document.querySelector("[data-room]");
if (dataElement && root) {
  start(JSON.parse(dataElement.textContent), root);
}

function format(template, text) {
  return template.replace("%(text)s", text);
}

/**
 * The room's socket address. After a socket snapshot it says where this client left off, so a
 * reconnect that missed only a few events gets those from the server's log, then `room.resumed`,
 * instead of a whole snapshot. The page's own snapshot holds fewer rows: the first connect never resumes.
 */
function socketUrl(code, token, resume) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${window.location.host}/ws/rooms/${encodeURIComponent(code)}/`;
  const query = new URLSearchParams();
  if (token) query.set("projector", token);
  if (resume) {
    query.set("since", String(resume.seq));
    query.set("cseq", String(resume.cseq));
    query.set("role", resume.role);
  }
  const text = query.toString();
  return text ? `${url}?${text}` : url;
}

function start(data, root) {
  const code = root.dataset.room;
  const strings = data.strings;
  const state = applySnapshot(createState(data.snapshot.role), data.snapshot);
  const view = createRenderer(root, data, state);
  const inflight = new Map(); // action id -> the form it came from (this page load only)
  let resyncing = false;
  let resumable = false; // a socket snapshot was applied: the state is whole up to state.seq
  const socket = new RoomSocket({
    url: () => socketUrl(code, data.projector_token, resumable ? state : null),
    outbox: new Outbox(`trialoog-outbox:${code}`, window.sessionStorage),
    onFrame,
    onClosed: ({ refused }) => {
      root.dataset.connection = "closed";
      // Refused: let the forms post normally; the server explains.
      if (!refused) setOffline(true);
    },
  });

  view.render();
  socket.connect();
  document.addEventListener("submit", onSubmit);
  document.addEventListener("click", onMoreClick);
  window.addEventListener("online", () => socket.connect());

  function setOffline(offline) {
    for (const element of document.querySelectorAll("[data-offline]")) {
      element.hidden = !offline;
      if (offline) element.textContent = strings.offline;
    }
  }

  function onFrame(message) {
    switch (message.type) {
      case "room.snapshot":
        applySnapshot(state, message);
        resyncing = false;
        resumable = true;
        ready();
        return;
      case "room.resumed":
        // The events missed while away came first, in order; the state is current again.
        resyncing = false;
        ready();
        if (message.seq !== state.seq) requestResync(); // never expected: then a snapshot settles it
        return;
      case "ack":
      case "error":
        settle(message);
        return;
      case "pong":
        return;
      default:
        onEvent(message);
    }
  }

  function ready() {
    root.dataset.connection = "open";
    setOffline(false);
    view.render();
    socket.markReady();
  }

  // Apply events in order; an old one is ignored, a gap asks for a fresh snapshot.
  function onEvent(message) {
    const verdict = inOrder(state, message);
    if (verdict === "gap") requestResync();
    if (verdict !== "apply") return;
    const effects = applyEvent(state, message);
    for (const effect of effects) {
      if (effect.resync) requestResync();
      else announce(effect);
    }
    if (message.type === "presence.changed") view.renderStats();
    else view.render();
  }

  function announce(effect) {
    const texts = {
      question: () => format(strings.new_question, effect.question?.text),
      pinned: () => (effect.question ? format(strings.pinned, effect.question.text) : strings.unpinned),
      phase: () => fmt(strings.phase_now, effect.phase),
      poll_opened: () => fmt(strings.poll_opened, effect.poll),
      note: () =>
        fmt(strings.new_note, { perspective: data.labels[effect.note.perspective], text: effect.note.text }),
    };
    view.announce(texts[effect.announce]());
  }

  function requestResync() {
    if (!resyncing) {
      resyncing = true;
      socket.transmit({ action: "room.resync", id: newId() });
    }
  }

  function send(frame, form) {
    inflight.set(frame.id, form);
    if (!socket.send(frame)) view.feedback(form, strings.queued);
  }

  function settle(message) {
    const frame = socket.outbox.settle(message.id);
    const form = inflight.get(message.id);
    inflight.delete(message.id);
    if (message.type === "error") {
      if (!frame && !form) return;
      view.showError(form, message.message || strings.error);
      const textarea = form && form.querySelector("textarea[name='text']");
      if (frame && ["question.ask", "note.add"].includes(frame.action) && textarea && !textarea.value) {
        textarea.value = frame.text;
      }
      return;
    }
    applyAck(state, message);
    if (form) view.showError(form, "");
    if (message.action === "question.ask") {
      view.feedback(form, message.status === "pending" ? strings.asked_pending : strings.asked);
    } else if (message.action === "question.withdraw") {
      view.announce(strings.withdrawn);
    } else if (message.action === "note.add") {
      view.feedback(form, message.status === "pending" ? strings.note_pending : strings.note_sent);
    } else if (message.action === "action.save" && form && !form.querySelector("[name='action_id']")?.value) {
      form.reset();
    } else if (["poll.create", "phase.save"].includes(message.action) && form && form.dataset.form) {
      form.reset();
      const details = form.closest("details");
      if (details) details.open = false;
    }
    view.render();
  }

  function onSubmit(event) {
    const form = event.target;
    if (socket.refused || !root.contains(form)) return;
    const frame = frameFor(form, event.submitter);
    if (!frame) return; // e.g. the projector link reset: a plain POST
    event.preventDefault();
    view.showError(form, "");
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
      if (added) view.announce(fmt(strings.more_loaded, { count: added }));
    } catch {
      if (error) {
        error.textContent = strings.error;
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
    view.render();
  }
}
