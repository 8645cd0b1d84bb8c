// The reconnect backoff and the outbox of static/js/room/socket.js.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Backoff, Outbox, RoomSocket } from "../../static/js/room/socket.js";

// The longest wait of each try (jitter off: random() = 1).
function backoff() {
  return new Backoff({ random: () => 1 });
}

describe("Backoff", () => {
  test("doubles from 1 s up to 30 s while sockets keep failing to open", () => {
    const b = backoff();

    const delays = Array.from({ length: 7 }, (_, i) => b.closed(i * 1000));

    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  test("does not start over when a socket closes within 10 s of opening (a server that accepts, then fails)", () => {
    const b = backoff();
    const delays = [];
    let now = 0;
    for (let i = 0; i < 6; i += 1) {
      b.opened(now);
      now += 9999;
      delays.push(b.closed(now));
    }

    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000]);
  });

  test("starts over once a socket has stayed open for 10 s", () => {
    const b = backoff();
    b.closed(0);
    b.closed(1000);
    b.closed(3000);

    b.opened(10000);
    const after = b.closed(20000);

    assert.equal(after, 1000);
  });

  test("a failed try after a stable socket does not count that socket's time", () => {
    const b = backoff();
    b.opened(0);
    b.closed(60000);

    const next = b.closed(61000);

    assert.equal(next, 2000);
  });

  test("waits between half and all of the delay (jitter)", () => {
    const low = new Backoff({ random: () => 0 });
    const mid = new Backoff({ random: () => 0.5 });

    assert.deepEqual([low.closed(0), low.closed(1)], [500, 1000]);
    assert.equal(mid.closed(0), 750);
  });
});

class MemoryStorage {
  constructor(items = {}) {
    this.items = { ...items };
  }

  getItem(key) {
    return key in this.items ? this.items[key] : null;
  }

  setItem(key, value) {
    this.items[key] = String(value);
  }
}

describe("Outbox", () => {
  test("keeps unanswered actions in storage and drops an answered one", () => {
    const storage = new MemoryStorage();
    const outbox = new Outbox("trialoog-outbox:ABC", storage);

    outbox.add({ action: "question.ask", id: "a", text: "Een" });
    outbox.add({ action: "question.upvote", id: "b", question: 1 });
    const settled = outbox.settle("a");

    assert.deepEqual(settled, { action: "question.ask", id: "a", text: "Een" });
    assert.deepEqual(JSON.parse(storage.getItem("trialoog-outbox:ABC")), [
      { action: "question.upvote", id: "b", question: 1 },
    ]);
  });

  test("a new page picks up what an earlier one left, and ignores what is not a list", () => {
    const kept = new Outbox("k", new MemoryStorage({ k: '[{"action":"ping","id":"x"}]' }));
    const broken = new Outbox("k", new MemoryStorage({ k: "{not json" }));
    const other = new Outbox("k", new MemoryStorage({ k: '{"id":"x"}' }));

    assert.deepEqual(kept.frames, [{ action: "ping", id: "x" }]);
    assert.deepEqual([broken.frames, other.frames], [[], []]);
  });

  test("an answer to an action that is not in the outbox changes nothing", () => {
    const outbox = new Outbox("k", new MemoryStorage());
    outbox.add({ action: "ping", id: "p" });

    assert.equal(outbox.settle("other"), undefined);
    assert.deepEqual(outbox.frames, [{ action: "ping", id: "p" }]);
  });

  test("still works in memory when storage refuses writes", () => {
    const storage = {
      getItem: () => null,
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    const outbox = new Outbox("k", storage);

    outbox.add({ action: "ping", id: "p" });

    assert.deepEqual(outbox.frames, [{ action: "ping", id: "p" }]);
  });
});

// A stand-in for the browser's WebSocket and timers: the test opens, closes and answers by hand.
class FakeWebSocket extends EventTarget {
  static OPEN = 1;
  static made = [];

  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.made.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  receive(frame) {
    const event = new Event("message");
    event.data = JSON.stringify(frame);
    this.dispatchEvent(event);
  }

  close(code = 1006) {
    this.readyState = 3;
    const event = new Event("close");
    event.code = code;
    this.dispatchEvent(event);
  }
}

function harness() {
  FakeWebSocket.made = [];
  const timeouts = [];
  globalThis.WebSocket = FakeWebSocket;
  globalThis.window = {
    setTimeout: (fn, ms) => timeouts.push({ fn, ms }),
    setInterval: () => 0,
    clearInterval: () => {},
  };
  const clock = { now: 0 };
  const frames = [];
  const closes = [];
  const socket = new RoomSocket({
    url: "ws://test/ws/rooms/ABC/",
    outbox: new Outbox("k", new MemoryStorage()),
    onFrame: (frame) => frames.push(frame),
    onClosed: (info) => closes.push(info),
    backoff: new Backoff({ random: () => 1 }),
    clock: () => clock.now,
  });
  return { socket, timeouts, clock, frames, closes };
}

describe("RoomSocket", () => {
  test("a server that accepts and drops at once gets ever longer waits, not a reconnect loop", () => {
    const { socket, timeouts, clock } = harness();
    socket.connect();
    for (let i = 0; i < 6; i += 1) {
      const ws = FakeWebSocket.made.at(-1);
      ws.open();
      clock.now += 50; // the snapshot came, then the consumer failed on its channel layer
      ws.close(1011);
      clock.now += timeouts.at(-1).ms;
      timeouts.at(-1).fn();
    }

    assert.deepEqual(
      timeouts.map((t) => t.ms),
      [1000, 2000, 4000, 8000, 16000, 30000],
    );
    assert.equal(FakeWebSocket.made.length, 7);
  });

  test("after a socket that stayed up 10 s the next wait is short again", () => {
    const { socket, timeouts, clock } = harness();
    socket.connect();
    FakeWebSocket.made[0].close();
    timeouts[0].fn();
    FakeWebSocket.made[1].close();
    timeouts[1].fn();

    FakeWebSocket.made[2].open();
    clock.now += 10000;
    FakeWebSocket.made[2].close();

    assert.deepEqual(
      timeouts.map((t) => t.ms),
      [1000, 2000, 1000],
    );
  });

  test("a refusing close code stops reconnecting and says so", () => {
    const { socket, timeouts, closes } = harness();
    socket.connect();
    FakeWebSocket.made[0].open();

    FakeWebSocket.made[0].close(4403);
    socket.connect();

    assert.deepEqual(timeouts, []);
    assert.deepEqual(closes, [{ refused: true }]);
    assert.equal(FakeWebSocket.made.length, 1);
  });

  test("actions wait in the outbox until the first snapshot, then go out with their ids", () => {
    const { socket, frames } = harness();
    socket.connect();
    const ws = FakeWebSocket.made[0];
    ws.open();

    const sentAtOnce = socket.send({ action: "question.ask", id: "a", text: "Een" });
    ws.receive({ type: "room.snapshot", seq: 1 });
    socket.markReady();
    const sentReady = socket.send({ action: "question.upvote", id: "b", question: 1 });

    assert.deepEqual([sentAtOnce, sentReady], [false, true]);
    assert.deepEqual(
      ws.sent.map((f) => f.id),
      ["a", "b"],
    );
    assert.deepEqual(frames, [{ type: "room.snapshot", seq: 1 }]);
  });
});
