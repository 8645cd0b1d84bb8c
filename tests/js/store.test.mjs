// Unit tests of the live room's store (static/js/room/store.js): `node --test tests/js/*.test.mjs`.
//
// Payloads have the shapes of docs/realtime-protocol.md ("Server frames");
// tests/realtime/test_verify_action.py checks the store against frames the
// real server sent.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyAck,
  applyEvent,
  applySnapshot,
  createState,
  inOrder,
  mergePage,
  shownCount,
} from "../../static/js/room/store.js";

const NOBODY = { politiek: 0, beleid: 0, uitvoering: 0, anders: 0 };

function question(id, fields = {}) {
  return {
    id,
    text: `Vraag ${id}`,
    perspective: "beleid",
    kamerlid: false,
    author: null,
    organisation: null,
    status: "visible",
    upvotes: 0,
    by_perspective: { ...NOBODY },
    created_at: `2026-06-17T11:00:0${id % 10}+00:00`,
    ...fields,
  };
}

function note(id, fields = {}) {
  return {
    id,
    kind: "dilemma",
    perspective: "uitvoering",
    phase: null,
    phase_title: null,
    text: `Notitie ${id}`,
    status: "visible",
    mark: "",
    merged_into: null,
    reactions: { recognise: null, agree: null, disagree: null },
    reactions_by_perspective: {},
    lens: null,
    created_at: `2026-06-17T11:00:0${id % 10}+00:00`,
    ...fields,
  };
}

function poll(id, fields = {}) {
  return {
    id,
    text: `Peiling ${id}`,
    kind: "single",
    state: "open",
    show_live: false,
    revealed: false,
    options: [
      { id: 10 * id + 1, label: "Ja", value: 1 },
      { id: 10 * id + 2, label: "Nee", value: 2 },
    ],
    results: null,
    ...fields,
  };
}

const ROOM = {
  code: "ABC123",
  title: "Trialoog",
  open: true,
  premoderation: false,
  pinned: null,
  projector_mode: "questions",
  phase: null,
};

function snapshot(fields = {}) {
  return {
    type: "room.snapshot",
    seq: 5,
    role: "participant",
    room: ROOM,
    questions: [question(1), question(2, { upvotes: 3 })],
    notes: [note(7)],
    polls: [poll(3)],
    phases: [{ id: 1, position: 1, title: "Verkennen", prompt: "Wat speelt er?" }],
    actions: [],
    totals: { questions: 2, notes: 1 },
    more: { questions: null, notes: null },
    presence: { politiek: 1, beleid: 2, uitvoering: 0, anders: 0 },
    perspectives: ["politiek", "beleid", "uitvoering", "anders"],
    my_upvotes: [2],
    my_questions: [1],
    my_votes: {},
    my_reactions: {},
    ...fields,
  };
}

function moderatorSnapshot(fields = {}) {
  return snapshot({
    role: "moderator",
    mod_seq: 9,
    pending: [question(4, { status: "pending" })],
    hidden: [question(5, { status: "hidden" })],
    pending_notes: [note(8, { status: "pending" })],
    hidden_notes: [],
    queue_totals: { pending: 1, hidden: 1, pending_notes: 1, hidden_notes: 0 },
    queue_more: { pending: null, hidden: null, pending_notes: null, hidden_notes: null },
    stats: { politiek: { asked: 0, answered: 0 }, beleid: { asked: 4, answered: 0 } },
    ...fields,
  });
}

function loaded(snap = snapshot()) {
  return applySnapshot(createState(), snap);
}

describe("applySnapshot", () => {
  test("fills the state from a participant's snapshot", () => {
    const state = loaded();

    assert.equal(state.role, "participant");
    assert.equal(state.seq, 5);
    assert.deepEqual([...state.questions.keys()], [1, 2]);
    assert.deepEqual([...state.notes.keys()], [7]);
    assert.deepEqual([...state.polls.keys()], [3]);
    assert.deepEqual(state.myUpvotes, new Set([2]));
    assert.deepEqual(state.myQuestions, new Set([1]));
    assert.deepEqual(state.totals, { questions: 2, notes: 1 });
    assert.deepEqual(state.more, { questions: null, notes: null });
    assert.equal(state.generation, 1);
  });

  test("merges a moderator's queues into the same maps and keeps mod_seq and stats", () => {
    const state = loaded(moderatorSnapshot());

    assert.equal(state.modSeq, 9);
    assert.deepEqual([...state.questions.keys()], [1, 2, 4, 5]);
    assert.deepEqual([...state.notes.keys()], [7, 8]);
    assert.deepEqual(state.totals, { questions: 2, notes: 1, pending: 1, hidden: 1, pending_notes: 1, hidden_notes: 0 });
    assert.deepEqual(state.stats.beleid, { asked: 4, answered: 0 });
  });

  test("replaces everything a previous snapshot and its events left", () => {
    const state = loaded();
    applyEvent(state, { type: "question.asked", seq: 6, question: question(3) });

    applySnapshot(state, snapshot({ seq: 8, questions: [question(9)], my_upvotes: [] }));

    assert.deepEqual([...state.questions.keys()], [9]);
    assert.deepEqual(state.myUpvotes, new Set());
    assert.equal(state.seq, 8);
    assert.equal(state.generation, 2);
  });
});

describe("inOrder", () => {
  test("lets the next public event through, ignores old ones and reports a gap", () => {
    const state = loaded();

    assert.equal(inOrder(state, { type: "question.asked", seq: 6 }), "apply");
    assert.equal(inOrder(state, { type: "question.asked", seq: 5 }), "old");
    assert.equal(inOrder(state, { type: "question.asked", seq: 4 }), "old");
    assert.equal(inOrder(state, { type: "question.asked", seq: 7 }), "gap");
  });

  test("follows mod_seq for the moderators' stream, apart from seq", () => {
    const state = loaded(moderatorSnapshot());

    assert.equal(inOrder(state, { type: "question.changed", mod_seq: 10 }), "apply");
    assert.equal(inOrder(state, { type: "question.changed", mod_seq: 9 }), "old");
    assert.equal(inOrder(state, { type: "question.changed", mod_seq: 12 }), "gap");
  });

  test("lets a counter frame through when its cseq is newer, without a gap check", () => {
    const state = loaded(snapshot({ cseq: 20 }));

    assert.equal(inOrder(state, { type: "question.scored", cseq: 25, scores: [] }), "apply");
    assert.equal(inOrder(state, { type: "question.scored", cseq: 20, scores: [] }), "old");
    applyEvent(state, { type: "question.scored", cseq: 25, scores: [] });
    assert.deepEqual([state.cseq, state.seq], [25, 5]);
    assert.equal(inOrder(state, { type: "note.scored", cseq: 24, scores: [] }), "old");
  });

  test("follows mod_cseq for the moderators' counter frames, apart from cseq", () => {
    const state = loaded(moderatorSnapshot({ cseq: 20, mod_cseq: 3 }));

    assert.equal(inOrder(state, { type: "poll.results", mod_cseq: 4, poll: 3, results: null }), "apply");
    applyEvent(state, { type: "poll.results", mod_cseq: 4, poll: 3, results: null });
    assert.deepEqual([state.modCseq, state.cseq], [4, 20]);
    assert.equal(inOrder(state, { type: "poll.results", mod_cseq: 4, poll: 3, results: null }), "old");
    assert.equal(inOrder(state, { type: "poll.results", cseq: 21, poll: 3, results: null }), "apply");
  });

  test("lets a gauge without a sequence number through", () => {
    assert.equal(inOrder(loaded(), { type: "presence.changed", presence: NOBODY }), "apply");
  });

  test("changes nothing; applying an event moves its stream on", () => {
    const state = loaded(moderatorSnapshot());
    inOrder(state, { type: "x", seq: 6 });
    assert.equal(state.seq, 5);

    applyEvent(state, { type: "question.pinned", seq: 6, question: null });
    applyEvent(state, { type: "note.changed", mod_seq: 10, note: note(8, { status: "pending" }) });

    assert.deepEqual([state.seq, state.modSeq], [6, 10]);
    assert.equal(inOrder(state, { type: "x", seq: 6 }), "old");
    assert.equal(inOrder(state, { type: "x", seq: 7 }), "apply");
  });
});

describe("applyEvent: questions", () => {
  test("question.asked adds the question, announces it and counts it", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "question.asked", seq: 6, question: question(3) });

    assert.deepEqual(state.questions.get(3), question(3));
    assert.equal(state.totals.questions, 3);
    assert.deepEqual(effects, [{ announce: "question", question: question(3) }]);
  });

  test("question.asked counts a new question in a list the client holds only part of", () => {
    const state = loaded(snapshot({ totals: { questions: 40, notes: 1 }, more: { questions: 12, notes: null } }));

    applyEvent(state, { type: "question.asked", seq: 6, question: question(3) });

    assert.equal(state.totals.questions, 41);
  });

  test("question.updated replaces a held question without announcing it", () => {
    const state = loaded();
    const edited = question(1, { text: "Verbeterd", status: "answered" });

    const effects = applyEvent(state, { type: "question.updated", seq: 6, question: edited });

    assert.deepEqual(state.questions.get(1), edited);
    assert.deepEqual(effects, []);
  });

  test("question.updated inserts and announces an unknown public question (one just approved)", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "question.updated", seq: 6, question: question(4) });

    assert.equal(state.questions.get(4).status, "visible");
    assert.equal(state.totals.questions, 3);
    assert.deepEqual(effects, [{ announce: "question", question: question(4) }]);
  });

  test("question.updated with a non-public status changes nothing for participants", () => {
    const state = loaded();

    applyEvent(state, { type: "question.updated", seq: 6, question: question(1, { status: "pending" }) });

    assert.equal(state.questions.get(1).status, "visible");
  });

  test("question.removed drops the question and uncounts it; an unknown one is ignored", () => {
    const state = loaded();

    applyEvent(state, { type: "question.removed", seq: 6, question: 1 });
    applyEvent(state, { type: "question.removed", seq: 7, question: 99 });

    assert.deepEqual([...state.questions.keys()], [2]);
    assert.equal(state.totals.questions, 1);
  });

  test("question.removed keeps a moderator's newer non-public copy from question.changed", () => {
    const state = loaded(moderatorSnapshot());
    applyEvent(state, { type: "question.changed", mod_seq: 10, question: question(1, { status: "hidden" }), stats: {} });

    applyEvent(state, { type: "question.removed", seq: 6, question: 1 });

    assert.equal(state.questions.get(1).status, "hidden");
    assert.equal(state.totals.hidden, 2);
    assert.equal(state.totals.questions, 1);
  });

  test("question.scored sets upvotes and the breakdown of held questions only", () => {
    const state = loaded();
    const breakdown = { politiek: null, beleid: 4, uitvoering: 0, anders: 0 };

    applyEvent(state, {
      type: "question.scored",
      cseq: 6,
      scores: [
        { question: 1, upvotes: 4, by_perspective: breakdown },
        { question: 99, upvotes: 1, by_perspective: breakdown },
      ],
    });

    assert.deepEqual(state.questions.get(1), question(1, { upvotes: 4, by_perspective: breakdown }));
    assert.equal(state.questions.has(99), false);
  });

  test("question.pinned pins a held question and announces it", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "question.pinned", seq: 6, question: 2 });

    assert.equal(state.room.pinned, 2);
    assert.deepEqual(effects, [{ announce: "pinned", question: state.questions.get(2) }]);
  });

  test("question.pinned with null unpins and announces that", () => {
    const state = loaded(snapshot({ room: { ...ROOM, pinned: 2 } }));

    const effects = applyEvent(state, { type: "question.pinned", seq: 6, question: null });

    assert.equal(state.room.pinned, null);
    assert.deepEqual(effects, [{ announce: "pinned", question: null }]);
  });

  test("question.pinned for a question the client does not hold asks for a snapshot", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "question.pinned", seq: 6, question: 99 });

    assert.equal(state.room.pinned, 99);
    assert.deepEqual(effects, [{ resync: true }, { announce: "pinned", question: null }]);
  });
});

describe("applyEvent: the room, polls, notes, actions and phases", () => {
  test("room.updated replaces the room and announces a new phase", () => {
    const state = loaded();
    const phase = { id: 1, position: 1, title: "Verkennen", prompt: "Wat speelt er?" };
    const room = { ...ROOM, open: false, phase };

    const effects = applyEvent(state, { type: "room.updated", seq: 6, room });

    assert.deepEqual(state.room, room);
    assert.deepEqual(effects, [{ announce: "phase", phase }]);
  });

  test("room.updated that pins nothing new announces nothing", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "room.updated", seq: 6, room: { ...ROOM, premoderation: true } });

    assert.equal(state.room.premoderation, true);
    assert.deepEqual(effects, []);
  });

  test("poll.changed stores the poll and announces one that just opened", () => {
    const state = loaded(snapshot({ polls: [poll(3, { state: "draft" })] }));

    const effects = applyEvent(state, { type: "poll.changed", seq: 6, poll: poll(3) });
    const again = applyEvent(state, { type: "poll.changed", seq: 7, poll: poll(3, { show_live: true }) });

    assert.equal(state.polls.get(3).show_live, true);
    assert.deepEqual(effects, [{ announce: "poll_opened", poll: poll(3) }]);
    assert.deepEqual(again, []);
  });

  test("the public poll.changed only moves a moderator's seq; the moderators' copy is stored", () => {
    const state = loaded(moderatorSnapshot());
    const full = poll(3, { state: "closed", results: { voters: 0 } });

    applyEvent(state, { type: "poll.changed", seq: 6, poll: poll(3, { state: "closed" }) });
    assert.equal(state.polls.get(3).state, "open");
    applyEvent(state, { type: "poll.changed", mod_seq: 10, poll: full });

    assert.deepEqual(state.polls.get(3), full);
    assert.equal(state.seq, 6);
  });

  test("poll.results sets the results of a held poll, on either stream", () => {
    const state = loaded(moderatorSnapshot());

    applyEvent(state, { type: "poll.results", cseq: 6, poll: 3, results: { voters: 4 } });
    applyEvent(state, { type: "poll.results", cseq: 10, poll: 3, results: { voters: 5 } });
    applyEvent(state, { type: "poll.results", cseq: 7, poll: 99, results: { voters: 1 } });

    assert.deepEqual(state.polls.get(3).results, { voters: 5 });
    assert.equal(state.polls.has(99), false);
  });

  test("note.added adds, counts and announces the note", () => {
    const state = loaded();

    const effects = applyEvent(state, { type: "note.added", seq: 6, note: note(9) });

    assert.deepEqual(state.notes.get(9), note(9));
    assert.equal(state.totals.notes, 2);
    assert.deepEqual(effects, [{ announce: "note", note: note(9) }]);
  });

  test("note.updated replaces a visible note without announcing it", () => {
    const state = loaded();
    const marked = note(7, { mark: "common_ground" });

    const effects = applyEvent(state, { type: "note.updated", seq: 6, note: marked });

    assert.deepEqual(state.notes.get(7), marked);
    assert.deepEqual(effects, []);
  });

  test("note.removed drops a note; a moderator keeps a newer hidden copy", () => {
    const participant = loaded();
    const moderator = loaded(moderatorSnapshot());
    applyEvent(moderator, { type: "note.changed", mod_seq: 10, note: note(7, { status: "hidden" }) });

    applyEvent(participant, { type: "note.removed", seq: 6, note: 7 });
    applyEvent(moderator, { type: "note.removed", seq: 6, note: 7 });

    assert.equal(participant.notes.has(7), false);
    assert.equal(participant.totals.notes, 0);
    assert.equal(moderator.notes.get(7).status, "hidden");
    assert.equal(moderator.totals.hidden_notes, 1);
  });

  test("note.scored sets reactions, their breakdown and the lens of held notes", () => {
    const state = loaded();
    const score = {
      note: 7,
      reactions: { recognise: 3, agree: 0, disagree: 0 },
      reactions_by_perspective: { recognise: { beleid: 3 } },
      lens: { verdict: "too_few", apart: null, min_group: 3, perspectives: {} },
    };

    applyEvent(state, { type: "note.scored", cseq: 6, scores: [score, { ...score, note: 99 }] });

    const { note: _id, ...fields } = score;
    assert.deepEqual(state.notes.get(7), note(7, fields));
    assert.equal(state.notes.has(99), false);
  });

  test("action.saved adds or replaces an action", () => {
    const state = loaded();
    const action = {
      id: 4,
      what: "Brief sturen",
      owner_name: "Kim",
      owner_organisation: "",
      perspective: "beleid",
      due_date: null,
      status: "open",
    };

    applyEvent(state, { type: "action.saved", seq: 6, action });
    applyEvent(state, { type: "action.saved", seq: 7, action: { ...action, status: "done" } });

    assert.deepEqual([...state.actions.values()], [{ ...action, status: "done" }]);
  });

  test("phases.updated replaces the phases", () => {
    const state = loaded();
    const phases = [{ id: 1, position: 1, title: "Nieuw", prompt: "" }];

    applyEvent(state, { type: "phases.updated", seq: 6, phases });

    assert.deepEqual(state.phases, phases);
  });

  test("presence.changed replaces the counts and leaves seq alone", () => {
    const state = loaded();
    const presence = { politiek: 3, beleid: 0, uitvoering: 1, anders: 0 };

    applyEvent(state, { type: "presence.changed", presence });

    assert.deepEqual(state.presence, presence);
    assert.equal(state.seq, 5);
  });

  test("an unknown event type only moves seq on", () => {
    const state = loaded();
    const before = structuredClone({ ...state, seq: 6 });

    const effects = applyEvent(state, { type: "room.future", seq: 6 });

    assert.deepEqual(state, before);
    assert.deepEqual(effects, []);
  });
});

describe("applyEvent: the moderators' stream", () => {
  test("question.changed files a pending question, announces it and takes the stats", () => {
    const state = loaded(moderatorSnapshot());
    const stats = { beleid: { asked: 5, answered: 0 } };

    const effects = applyEvent(state, {
      type: "question.changed",
      mod_seq: 10,
      question: question(6, { status: "pending" }),
      stats,
    });

    assert.equal(state.questions.get(6).status, "pending");
    assert.deepEqual(state.stats, stats);
    assert.equal(state.totals.pending, 2);
    assert.deepEqual(effects, [{ announce: "question", question: question(6, { status: "pending" }) }]);
  });

  test("question.changed to withdrawn drops the question", () => {
    const state = loaded(moderatorSnapshot());

    applyEvent(state, { type: "question.changed", mod_seq: 10, question: question(4, { status: "withdrawn" }), stats: {} });

    assert.equal(state.questions.has(4), false);
    assert.equal(state.totals.pending, 0);
  });

  test("note.changed files a note in any status; a merged one leaves", () => {
    const state = loaded(moderatorSnapshot());

    const effects = applyEvent(state, { type: "note.changed", mod_seq: 10, note: note(9, { status: "pending" }) });
    applyEvent(state, { type: "note.changed", mod_seq: 11, note: note(7, { status: "merged", merged_into: 9 }) });

    assert.deepEqual([...state.notes.keys()].sort(), [8, 9]);
    assert.equal(state.totals.pending_notes, 2);
    assert.equal(state.totals.notes, 0);
    assert.deepEqual(effects, [{ announce: "note", note: note(9, { status: "pending" }) }]);
  });
});

describe("applyAck", () => {
  test("keeps the person's own questions, upvotes, votes and reactions", () => {
    const state = loaded();

    applyAck(state, { type: "ack", action: "question.ask", question: 3, status: "visible", duplicate: false });
    applyAck(state, { type: "ack", action: "question.upvote", question: 1 });
    applyAck(state, { type: "ack", action: "question.unvote", question: 2 });
    applyAck(state, { type: "ack", action: "question.withdraw", question: 1 });
    applyAck(state, { type: "ack", action: "poll.vote", poll: 3, choices: [31] });
    applyAck(state, { type: "ack", action: "note.react", note: 7, reaction: "agree" });

    assert.deepEqual(state.myQuestions, new Set([3]));
    assert.deepEqual(state.myUpvotes, new Set([1]));
    assert.deepEqual(state.myVotes, { 3: [31] });
    assert.deepEqual(state.myReactions, { 7: "agree" });
  });

  test("a reaction taken back (null) leaves the person's reactions", () => {
    const state = loaded(snapshot({ my_reactions: { 7: "agree" } }));

    applyAck(state, { type: "ack", action: "note.react", note: 7, reaction: null });

    assert.deepEqual(state.myReactions, {});
  });
});

describe("mergePage", () => {
  test("adds the rows the client lacks and keeps the ones it holds", () => {
    const state = loaded(snapshot({ more: { questions: 1, notes: null } }));
    const newer = state.questions.get(2);

    const added = mergePage(state, {
      list: "questions",
      items: [question(2, { upvotes: 0 }), question(0)],
      next: null,
      my_upvotes: [0],
      my_questions: [],
      my_reactions: {},
    });

    assert.equal(added, 1);
    assert.equal(state.questions.get(2), newer);
    assert.deepEqual(state.myUpvotes, new Set([0, 2]));
    assert.equal(shownCount(state, "questions"), 3);
  });

  test("an unknown list adds nothing", () => {
    assert.equal(mergePage(loaded(), { list: "other", items: [question(9)] }), 0);
  });
});
