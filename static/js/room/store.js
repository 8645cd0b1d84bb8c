// The live room's state and how every server frame changes it (docs/realtime-protocol.md).
//
// Pure: no DOM, no socket, no timers. The state is a plain object of Maps and
// Sets that the functions below change in place; what the page should do
// besides drawing (announce something, ask for a fresh snapshot) comes back
// as a list of effects. tests/js/store.test.mjs covers each event, and
// tests/realtime/test_verify_action.py replays recorded frames from the
// real server through it and compares the result with a fresh snapshot.

export const PUBLIC = ["visible", "answered"];

// Each bounded list: the state map it fills and the statuses it shows.
export const LISTS = {
  questions: { kind: "questions", statuses: PUBLIC },
  notes: { kind: "notes", statuses: ["visible"] },
  pending: { kind: "questions", statuses: ["pending"] },
  hidden: { kind: "questions", statuses: ["hidden", "rejected"] },
  pending_notes: { kind: "notes", statuses: ["pending"] },
  hidden_notes: { kind: "notes", statuses: ["hidden"] },
};

export function createState(role = "participant") {
  return {
    role,
    room: null,
    seq: 0,
    modSeq: 0,
    cseq: 0, // the last counter frame applied (scores, results): they carry totals, not history
    modCseq: 0, // the same for the moderators' own counter frames
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
    totals: {}, // per bounded list: its rows in all
    generation: 0, // counts snapshots applied, so a page fetched for an older one is dropped
  };
}

/** Replace the state with a `room.snapshot`; answers the state. */
export function applySnapshot(state, snapshot) {
  state.role = snapshot.role;
  state.room = snapshot.room;
  state.seq = snapshot.seq;
  state.cseq = snapshot.cseq || 0;
  state.modCseq = snapshot.mod_cseq || 0;
  if (typeof snapshot.mod_seq === "number") state.modSeq = snapshot.mod_seq;
  state.questions = byId([...snapshot.questions, ...(snapshot.pending || []), ...(snapshot.hidden || [])]);
  state.myUpvotes = new Set(snapshot.my_upvotes || []);
  state.myQuestions = new Set(snapshot.my_questions || []);
  state.presence = snapshot.presence || {};
  if (snapshot.stats) state.stats = snapshot.stats;
  state.polls = byId(snapshot.polls || []);
  state.myVotes = { ...(snapshot.my_votes || {}) };
  state.phases = snapshot.phases || [];
  state.notes = byId([...(snapshot.notes || []), ...(snapshot.pending_notes || []), ...(snapshot.hidden_notes || [])]);
  state.myReactions = { ...(snapshot.my_reactions || {}) };
  state.actions = byId(snapshot.actions || []);
  state.more = { ...(snapshot.more || {}), ...(snapshot.queue_more || {}) };
  state.totals = { ...(snapshot.totals || {}), ...(snapshot.queue_totals || {}) };
  state.generation += 1;
  return state;
}

function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

/**
 * Where an event stands against the state: "apply" it (the next of its stream, a counter
 * frame newer than the last, or a gauge without a number), "old" (at or below what was
 * applied: ignore it), or "gap" (something was missed: ask for a fresh snapshot). Changes nothing.
 */
export function inOrder(state, event) {
  let last;
  let value;
  if (typeof event.cseq === "number") {
    // A counter frame replaces totals: never an older one over a newer, and no gap to find.
    return event.cseq > state.cseq ? "apply" : "old";
  }
  if (typeof event.mod_cseq === "number") return event.mod_cseq > state.modCseq ? "apply" : "old";
  if (typeof event.mod_seq === "number") {
    [last, value] = [state.modSeq, event.mod_seq];
  } else if (typeof event.seq === "number") {
    [last, value] = [state.seq, event.seq];
  } else {
    return "apply";
  }
  if (value <= last) return "old";
  return value === last + 1 ? "apply" : "gap";
}

/**
 * Apply one event that `inOrder` let through; answers its effects, a list of
 * `{announce: kind, ...}` (something to tell a screen reader) and `{resync: true}`.
 */
export function applyEvent(state, event) {
  const effects = [];
  const previousPin = state.room.pinned;
  if (typeof event.mod_cseq === "number") {
    state.modCseq = event.mod_cseq;
    applyModeratorEvent(state, event, effects);
  } else if (typeof event.mod_seq === "number") {
    state.modSeq = event.mod_seq;
    applyModeratorEvent(state, event, effects);
  } else {
    if (typeof event.seq === "number") state.seq = event.seq;
    if (typeof event.cseq === "number") state.cseq = event.cseq;
    applyPublicEvent(state, event, effects);
  }
  if (state.room.pinned !== previousPin) {
    effects.push({ announce: "pinned", question: state.questions.get(state.room.pinned) || null });
  }
  recount(state);
  return effects;
}

function applyPublicEvent(state, event, effects) {
  switch (event.type) {
    case "presence.changed":
      state.presence = event.presence;
      break;
    case "question.asked":
      if (!state.questions.has(event.question.id) && !listComplete(state, "questions")) {
        // Not every row is held: count it here (recount keeps complete lists exact).
        state.totals.questions = (state.totals.questions || 0) + 1;
      }
      state.questions.set(event.question.id, event.question);
      effects.push({ announce: "question", question: event.question });
      break;
    case "question.updated":
      if (PUBLIC.includes(event.question.status)) {
        if (!state.questions.has(event.question.id)) effects.push({ announce: "question", question: event.question });
        state.questions.set(event.question.id, event.question);
      }
      break;
    case "question.removed": {
      const known = state.questions.get(event.question);
      // A moderator may already hold the newer, non-public state from question.changed.
      if (known && (state.role !== "moderator" || PUBLIC.includes(known.status))) {
        state.questions.delete(event.question);
      }
      break;
    }
    case "question.scored":
      for (const score of event.scores) {
        const q = state.questions.get(score.question);
        if (q) state.questions.set(q.id, { ...q, upvotes: score.upvotes, by_perspective: score.by_perspective });
      }
      break;
    case "question.pinned":
      state.room = { ...state.room, pinned: event.question };
      // Not loaded here (older than the snapshot's lists): a fresh snapshot always carries it.
      if (event.question !== null && !state.questions.has(event.question)) effects.push({ resync: true });
      break;
    case "room.updated": {
      const before = state.room.phase ? state.room.phase.id : null;
      state.room = event.room;
      if (event.room.phase && event.room.phase.id !== before) effects.push({ announce: "phase", phase: event.room.phase });
      break;
    }
    case "poll.changed":
      // Moderators get the full poll (with results) as a moderator event; this copy only advances seq.
      if (state.role === "moderator") break;
      if (event.poll.state === "open" && state.polls.get(event.poll.id)?.state !== "open") {
        effects.push({ announce: "poll_opened", poll: event.poll });
      }
      state.polls.set(event.poll.id, event.poll);
      break;
    case "poll.results":
      setPollResults(state, event);
      break;
    case "note.added":
    case "note.updated": {
      const note = event.note;
      if (state.notes.get(note.id)?.status !== "visible") effects.push({ announce: "note", note });
      state.notes.set(note.id, note);
      break;
    }
    case "note.removed": {
      const known = state.notes.get(event.note);
      if (known && (state.role !== "moderator" || known.status === "visible")) state.notes.delete(event.note);
      break;
    }
    case "note.scored":
      for (const score of event.scores) {
        const note = state.notes.get(score.note);
        if (note) {
          state.notes.set(note.id, {
            ...note,
            reactions: score.reactions,
            reactions_by_perspective: score.reactions_by_perspective,
            lens: score.lens,
          });
        }
      }
      break;
    case "action.saved":
      state.actions.set(event.action.id, event.action);
      break;
    case "phases.updated":
      state.phases = event.phases;
      break;
    default:
      break;
  }
}

function applyModeratorEvent(state, event, effects) {
  switch (event.type) {
    case "poll.changed":
      state.polls.set(event.poll.id, event.poll);
      break;
    case "poll.results":
      setPollResults(state, event);
      break;
    case "note.changed": {
      const note = event.note;
      if (note.status === "merged") {
        state.notes.delete(note.id);
        break;
      }
      if (!state.notes.has(note.id) && note.status === "pending") effects.push({ announce: "note", note });
      state.notes.set(note.id, note);
      break;
    }
    case "question.changed": {
      const q = event.question;
      if (q.status === "withdrawn") {
        state.questions.delete(q.id);
      } else {
        if (!state.questions.has(q.id) && q.status === "pending") effects.push({ announce: "question", question: q });
        state.questions.set(q.id, q);
      }
      if (event.stats) state.stats = event.stats;
      break;
    }
    default:
      break;
  }
}

function setPollResults(state, event) {
  const poll = state.polls.get(event.poll);
  if (poll) state.polls.set(poll.id, { ...poll, results: event.results });
}

// A list the client holds whole (the snapshot said it has no next page).
function listComplete(state, list) {
  return state.more[list] === null;
}

// A list held whole is counted exactly from what the state holds; the others keep their count.
function recount(state) {
  for (const list of Object.keys(LISTS)) {
    if (listComplete(state, list)) state.totals[list] = shownCount(state, list);
  }
}

/** Rows of one bounded list that the state holds. */
export function shownCount(state, list) {
  const spec = LISTS[list];
  let n = 0;
  for (const item of state[spec.kind].values()) if (spec.statuses.includes(item.status)) n += 1;
  return n;
}

/** Take the person's own part of an `ack` (their upvotes, questions, votes and reactions). */
export function applyAck(state, ack) {
  switch (ack.action) {
    case "question.ask":
      state.myQuestions.add(ack.question);
      break;
    case "question.upvote":
      state.myUpvotes.add(ack.question);
      break;
    case "question.unvote":
      state.myUpvotes.delete(ack.question);
      break;
    case "question.withdraw":
      state.myQuestions.delete(ack.question);
      break;
    case "poll.vote":
      state.myVotes[String(ack.poll)] = ack.choices;
      break;
    case "note.react":
      if (ack.reaction) state.myReactions[String(ack.note)] = ack.reaction;
      else delete state.myReactions[String(ack.note)];
      break;
    default:
      break;
  }
  return state;
}

/** Take a page of `GET /zaal/<code>/meer/` into the state; answers how many rows were new. */
export function mergePage(state, page) {
  const spec = LISTS[page.list];
  if (!spec) return 0;
  const target = state[spec.kind];
  let added = 0;
  for (const item of page.items) {
    // What the client holds may be newer (from a live event): it is kept.
    if (!target.has(item.id)) {
      target.set(item.id, item);
      added += 1;
    }
  }
  for (const id of page.my_upvotes || []) state.myUpvotes.add(id);
  for (const id of page.my_questions || []) state.myQuestions.add(id);
  for (const [note, kind] of Object.entries(page.my_reactions || {})) {
    if (!(note in state.myReactions)) state.myReactions[note] = kind;
  }
  return added;
}
