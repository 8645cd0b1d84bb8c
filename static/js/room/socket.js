// The room's WebSocket: connecting, reconnecting with backoff, keepalive pings, and the outbox.
//
// Every action goes through the outbox (kept in sessionStorage), so it survives a
// dropped socket and a page reload and is resent with the same id until the
// server answers it with an ack or an error.

export const PING_MS = 30000;
// Close codes after which reconnecting would not help: logged out, not (or no longer)
// allowed in, no such room, too many tabs. The forms then post as plain HTML.
export const REFUSED = [4401, 4403, 4404, 4429];

/**
 * Reconnect delays: exponential (1 s doubling to 30 s) with jitter.
 *
 * The delay starts over only once a socket has stayed open for `stableMs`: a
 * server that accepts the handshake and then fails at once (its channel layer
 * down) must not turn every client's backoff into a reconnect loop. Pure: the
 * caller passes the clock, so node tests drive it (tests/js/socket.test.mjs).
 */
export class Backoff {
  constructor({ startMs = 1000, maxMs = 30000, stableMs = 10000, random = Math.random } = {}) {
    this.startMs = startMs;
    this.maxMs = maxMs;
    this.stableMs = stableMs;
    this.random = random;
    this.attempts = 0;
    this.openedAt = null;
  }

  /** A socket opened at `now` (ms). */
  opened(now) {
    this.openedAt = now;
  }

  /** A socket closed (or failed to open) at `now`: answers how long to wait before the next try. */
  closed(now) {
    if (this.openedAt !== null && now - this.openedAt >= this.stableMs) this.attempts = 0;
    this.openedAt = null;
    const delay = Math.min(this.maxMs, this.startMs * 2 ** this.attempts);
    this.attempts += 1;
    return delay / 2 + this.random() * (delay / 2);
  }
}

export function newId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Actions not yet answered, in sessionStorage under `key`; in memory only when storage is blocked. */
export class Outbox {
  constructor(key, storage) {
    this.key = key;
    this.storage = storage;
    this.frames = this.load();
  }

  load() {
    try {
      const stored = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch {
      return [];
    }
  }

  save() {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.frames));
    } catch {
      // Storage full or blocked: the outbox still lives in memory for this page.
    }
  }

  add(frame) {
    this.frames.push(frame);
    this.save();
  }

  /** Remove the frame the server answered; answers it (undefined when it was not ours). */
  settle(id) {
    const frame = this.frames.find((f) => f.id === id);
    this.frames = this.frames.filter((f) => f.id !== id);
    this.save();
    return frame;
  }
}

/**
 * One room's connection. `onFrame(message)` gets every parsed frame, `onClosed({refused})`
 * every close. `ready` is set by the owner once the first snapshot is applied, which
 * also resends the outbox.
 */
export class RoomSocket {
  constructor({ url, outbox, onFrame, onClosed, backoff = new Backoff(), clock = () => Date.now() }) {
    this.url = url;
    this.outbox = outbox;
    this.onFrame = onFrame;
    this.onClosed = onClosed;
    this.backoff = backoff;
    this.clock = clock;
    this.socket = null;
    this.ready = false; // open and the first snapshot applied
    this.refused = false; // the server said no: stop reconnecting
    this.pingTimer = null;
  }

  connect() {
    if (this.socket || this.refused) return;
    // A function: the address says where a reconnect resumes from (main.js).
    const socket = new WebSocket(typeof this.url === "function" ? this.url() : this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.backoff.opened(this.clock());
      this.pingTimer = window.setInterval(() => this.transmit({ action: "ping", id: newId() }), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onFrame(message);
    });
    socket.addEventListener("close", (event) => {
      this.socket = null;
      this.ready = false;
      window.clearInterval(this.pingTimer);
      const delay = this.backoff.closed(this.clock());
      if (REFUSED.includes(event.code)) {
        this.refused = true;
      } else {
        window.setTimeout(() => this.connect(), delay);
      }
      this.onClosed({ refused: this.refused });
    });
  }

  /** Write a frame now if the socket is open; answers whether it was written. */
  transmit(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** Queue an action in the outbox and send it when ready; answers whether it went out now. */
  send(frame) {
    this.outbox.add(frame);
    return this.ready && this.transmit(frame);
  }

  /** The first snapshot is applied: actions may go out, and the outbox is resent with its ids. */
  markReady() {
    this.ready = true;
    for (const frame of this.outbox.frames) this.transmit(frame);
  }
}
