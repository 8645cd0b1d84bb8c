"""
The live edge: WebSocket sockets of the live rooms, on top of the domain core in `realtime/`.

- `consumer`: connect, receive, disconnect (Channels consumers);
- `protocol`: frames, the id rule, the registry types, errors as frames;
- `actions`: the registry of actions and their handlers (one service call each);
- `member`: one socket in its room's fan-out (backlog, drain, slow clients) and rate buckets;
- `direct`: uvicorn's direct write, the one place that reaches past ASGI;
- `rooms`: the room behind a join code, and the edge's other lookups.

- `fanout`: the per-process hub, one Redis subscription per room, frames in order, gaps from the log.

With `realtime.groupcommit` and `realtime.routing` this is the edge. It imports
the core (services, selectors, snapshots, events, broadcast, bus), never the
other way round (docs/architecture.md). See docs/realtime-protocol.md.
"""
