// Drawing the room from the state (static/js/room/store.js) into the server-rendered page.
//
// The server renders every page complete; these functions keep it in step by
// cloning the same <template> markup the server used (templates/realtime/partials/)
// and filling it through textContent only. They read the state and never change it.

import {
  currentPoll,
  drawOptions,
  drawProjectorPoll,
  drawResults,
  fmt,
  formatDate,
  syncList,
  verdictSentence,
} from "./draw.js";
import { renderMore } from "./more.js";
import { PUBLIC } from "./store.js";

/** The page's drawing functions over one state (the object store.js changes in place). */
export function createRenderer(root, data, state) {
  const strings = data.strings;

  return { render, renderStats, announce, showError, feedback };

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
