// "Meer laden": the snapshot carries part of each long list (docs/realtime-protocol.md,
// "Bounded snapshots"); the rest comes in pages from GET /zaal/<code>/meer/.
//
// A page is merged into the client's state by id (store.mergePage): what the client
// already holds (perhaps newer, from a live event) is kept, so nothing is shown twice.

import { fmt } from "./draw.js";
import { mergePage, shownCount } from "./store.js";

// Pages fetched at most per click, when a page brings only rows the client already has.
const MAX_PAGES_PER_CLICK = 10;

// Fetch pages of one list until one brings something new or the list ends.
// `current()` says whether the state the fetch started from is still the one shown
// (a fresh snapshot replaces it, with its own cursors).
export async function loadMore({ url, list, state, current }) {
  let added = 0;
  for (let pages = 0; pages < MAX_PAGES_PER_CLICK && added === 0; pages += 1) {
    const after = state.more[list];
    if (after === null || after === undefined) break;
    const query = new URLSearchParams({ lijst: list, na: String(after) });
    const response = await fetch(`${url}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    if (!current()) return 0;
    added += mergePage(state, page);
    state.more[list] = page.next;
  }
  return added;
}

// The "n of m shown" line and the button under each bounded list.
export function renderMore(root, state, strings) {
  for (const box of root.querySelectorAll("[data-more-box]")) {
    const list = box.dataset.moreBox;
    const more = state.more[list] !== null && state.more[list] !== undefined;
    box.hidden = !more;
    if (!more) continue;
    const shown = shownCount(state, list);
    const total = Math.max(shown, state.totals[list] || 0);
    for (const line of box.querySelectorAll("[data-slot='more-shown']")) {
      line.textContent = fmt(strings.more_shown, { shown, total });
    }
    for (const button of box.querySelectorAll("[data-more]")) button.hidden = false;
  }
}
