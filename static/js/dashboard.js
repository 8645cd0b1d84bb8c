// Refreshes the live table of the organiser dashboard every 10 seconds from its JSON endpoint.
// Without JavaScript the page still works: the "Vernieuwen" link reloads it.
const INTERVAL_MS = 10_000;

const section = document.querySelector("[data-live-url]");

function setField(row, field, value) {
  const cell = row.querySelector(`[data-field="${field}"]`);
  if (cell && cell.textContent !== String(value)) cell.textContent = String(value);
}

async function refresh() {
  try {
    const response = await fetch(section.dataset.liveUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    for (const room of data.rooms) {
      const row = section.querySelector(`tr[data-room="${room.room}"]`);
      if (!row) continue;
      setField(row, "open", room.open ? "ja" : "nee");
      for (const [perspective, count] of Object.entries(room.present)) setField(row, `present.${perspective}`, count);
      setField(row, "questions", room.questions);
      setField(row, "votes", room.votes);
      setField(row, "notes", room.notes);
    }
    const updated = section.querySelector("[data-live-updated]");
    if (updated) {
      const time = new Date(data.at).toLocaleTimeString(document.documentElement.lang || "nl");
      updated.textContent = (document.documentElement.lang === "en" ? "Updated at " : "Bijgewerkt om ") + time + ".";
    }
  } catch {
    // A failed refresh is retried at the next interval; the last numbers stay on screen.
  }
}

if (section) setInterval(refresh, INTERVAL_MS);
