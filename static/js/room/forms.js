// From a submitted form to the protocol's action frame (docs/realtime-protocol.md, "Client actions").
//
// The server-rendered forms name their action in data-action (on the form or on
// the button pressed); the fields are the ones the HTML post sends.

import { newId } from "./socket.js";

/** The action frame for a form and the button that submitted it, or null for a plain POST. */
export function frameFor(form, submitter) {
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