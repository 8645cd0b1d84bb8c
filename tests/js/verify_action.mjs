// Verify-action, the client's half: frames the real server sent, replayed through the browser's store.
//
// Run only by tests/realtime/test_verify_action.py, which records them
// (tests/realtime/verify_action.py) and passes the file in VERIFY_ACTION_RECORDINGS:
//   node --test tests/js/verify_action.mjs
// Its name does not match *.test.mjs, so `node --test tests/js/*.test.mjs` leaves it
// out; run without recordings it fails rather than passing on nothing.
//
// For every socket of every recording: the snapshot before, with each frame taken
// as static/js/room/main.js takes it (acks through applyAck, events through inOrder
// and applyEvent), must give the state of the fresh snapshot taken after. Only
// `generation` (how many snapshots this page applied, to drop stale pages) is left
// out of the comparison: it counts snapshots, not room state. Nothing else is
// ignored: `ts` is not kept by the store, and the person's own fields
// (myUpvotes, myQuestions, myVotes, myReactions) are compared too, since the acks
// they come from are in the recording.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { applyAck, applyEvent, applySnapshot, createState, inOrder } from "../../static/js/room/store.js";

const path = process.env.VERIFY_ACTION_RECORDINGS;
if (!path) {
  throw new Error("VERIFY_ACTION_RECORDINGS is not set: run tests/realtime/test_verify_action.py");
}
const recordings = JSON.parse(readFileSync(path, "utf8"));
assert.ok(recordings.length > 0, `no recordings in ${path}`);

function comparable(state) {
  const { generation: _generation, ...rest } = state;
  return rest;
}

function replay(socket) {
  const state = applySnapshot(createState(), socket.before);
  for (const frame of socket.frames) {
    if (frame.type === "ack") {
      applyAck(state, frame);
    } else if (frame.type !== "pong") {
      const verdict = inOrder(state, frame);
      assert.equal(verdict, "apply", `${frame.type} seq ${frame.seq} mod_seq ${frame.mod_seq} came ${verdict}`);
      applyEvent(state, frame);
    }
  }
  return state;
}

for (const recording of recordings) {
  for (const socket of recording.sockets) {
    test(`${recording.scenario}: ${socket.name} (${socket.role})`, () => {
      const replayed = replay(socket);
      const fresh = applySnapshot(createState(), socket.after);

      assert.deepStrictEqual(comparable(replayed), comparable(fresh));
      assert.ok(socket.frames.length > 0, "the socket received nothing: the scenario recorded no change");
    });
  }
}
