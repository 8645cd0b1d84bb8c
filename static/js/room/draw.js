// Drawing helpers for polls, notes and actions (used by room.js).
//
// Pure functions of the protocol's payloads: they build the same markup the
// server renders in templates/realtime/partials/, so a page looks the same
// with and without JavaScript. Text goes in through textContent only.

export const LENS = ["politiek", "beleid", "uitvoering"];
export const PERSPECTIVES = [...LENS, "anders"];

// Geometry of the projector's bar chart; the same numbers as realtime/views_display.py.
const OPTION_HEIGHT = 44;
const BAR_HEIGHT = 36;
const GAP = 16;
const SVG = "http://www.w3.org/2000/svg";

export function fmt(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? "")).replace("%%", "%");
}

function percent(part, whole) {
  return whole ? Math.round((100 * part) / whole) : 0;
}

function el(tag, attrs = {}, text) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function svg(tag, attrs = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Keep a list's children in step with `items`, cloning the list's <template> for new ones. */
export function syncList(list, items, key, fill) {
  const template = document.getElementById(list.dataset.template);
  const existing = new Map();
  for (const child of [...list.children]) {
    const id = Number(child.dataset[key]);
    if (items.some((item) => item.id === id)) existing.set(id, child);
    else child.remove();
  }
  items.forEach((item, index) => {
    const child = existing.get(item.id) || template.content.firstElementChild.cloneNode(true);
    fill(child, item);
    // Move only what is out of place, so keyboard focus stays where it is.
    if (list.children[index] !== child) list.insertBefore(child, list.children[index] || null);
  });
}

/** The consensus/divergence callout in words, like realtime.views_display.lens_display. */
export function lensDisplay(lens, subject, strings, labels) {
  if (!lens) return null;
  let callout;
  if (lens.divergence === null || lens.divergence === undefined) callout = strings.too_few;
  else if (lens.most_apart) {
    const [first, second] = lens.most_apart;
    callout = fmt(strings.most_apart, {
      first: labels[first] || first,
      second: (labels[second] || second).toLowerCase(),
      subject,
    });
  } else callout = strings.all_same;
  return {
    callout,
    consensus: fmt(strings.consensus, { value: Math.round(100 * lens.consensus) }),
    divergence:
      lens.divergence === null || lens.divergence === undefined
        ? ""
        : fmt(strings.divergence, { value: Math.round(100 * lens.divergence) }),
    rates: LENS.map(
      (p) => `${labels[p]} ${fmt(strings.of_voters, { count: lens.agree[p], total: lens.total[p] })}`,
    ).join(", "),
  };
}

/** A scale poll has one lens; a choice poll is summed up by its most divergent option. */
export function pollLens(poll, strings, labels) {
  const results = poll.results;
  if (poll.kind === "scale") return lensDisplay(results.lens, poll.text, strings, labels);
  const rated = results.options.filter((o) => o.lens.divergence !== null);
  if (!rated.length) {
    return results.options.length ? lensDisplay(results.options[0].lens, "", strings, labels) : null;
  }
  const option = rated.reduce((a, b) => (b.lens.divergence > a.lens.divergence ? b : a));
  return lensDisplay(option.lens, option.label, strings, labels);
}

/** Fill a results box (poll_results.html) from a poll's results; empty and hidden without them. */
export function drawResults(box, poll, strings, labels) {
  const signature = JSON.stringify(poll.results);
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  box.replaceChildren();
  box.hidden = !poll.results;
  if (!poll.results) return;
  const results = poll.results;
  const lens = pollLens(poll, strings, labels);
  if (lens) {
    box.append(el("p", { class: "poll-results__callout", "data-slot": "callout" }, lens.callout));
    const numbers = el("ul", { class: "poll-results__numbers" });
    numbers.append(el("li", { "data-slot": "consensus" }, lens.consensus));
    if (lens.divergence) numbers.append(el("li", { "data-slot": "divergence" }, lens.divergence));
    numbers.append(el("li", { "data-slot": "rates" }, `${strings.agree_rates} ${lens.rates}`));
    box.append(numbers);
  }
  const scroll = el("div", { class: "table-scroll" });
  const table = el("table", { class: "poll-table" });
  table.append(el("caption", {}, `${strings.results_caption} (${fmt(strings.voters, { count: results.voters })})`));
  const head = el("tr");
  head.append(el("th", { scope: "col" }, strings.answer), el("th", { scope: "col" }, strings.total));
  for (const p of PERSPECTIVES) head.append(el("th", { scope: "col" }, labels[p]));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const option of results.options) {
    const row = el("tr");
    row.append(el("th", { scope: "row" }, option.label), el("td", {}, String(option.count)));
    for (const p of PERSPECTIVES) row.append(el("td", {}, String(option.by_perspective[p] || 0)));
    body.append(row);
  }
  table.append(body);
  const foot = el("tr");
  foot.append(el("th", { scope: "row" }, strings.voters_label), el("td", {}, String(results.voters)));
  for (const p of PERSPECTIVES) foot.append(el("td", {}, String(results.voters_by_perspective[p] || 0)));
  const tfoot = el("tfoot");
  tfoot.append(foot);
  table.append(tfoot);
  scroll.append(table);
  box.append(scroll);
}

/** The projector's bars: per option, one labelled, patterned bar per perspective (poll_chart.html). */
export function chart(results, strings, labels) {
  const voters = results.voters_by_perspective;
  const root = svg("svg", { class: "chart", width: "100%", "aria-hidden": "true", focusable: "false" });
  root.dataset.chart = "";
  let y = 0;
  for (const option of results.options) {
    root.append(svg("text", { class: "chart__option", x: "0", y: String(y + OPTION_HEIGHT * 0.7) }, option.label));
    const top = y + OPTION_HEIGHT;
    LENS.forEach((p, index) => {
      const count = option.by_perspective[p] || 0;
      const share = percent(count, voters[p] || 0);
      const barY = top + index * BAR_HEIGHT;
      const textY = String(barY + BAR_HEIGHT * 0.65);
      root.append(svg("text", { class: "chart__label", x: "0", y: textY }, labels[p]));
      const bar = svg("svg", { x: "16%", y: String(barY), width: "58%", height: String(BAR_HEIGHT - 8) });
      bar.append(svg("rect", { class: "chart__track", width: "100%", height: "100%" }));
      bar.append(svg("rect", { class: `chart__bar chart__bar--${p}`, width: `${share}%`, height: "100%" }));
      root.append(bar);
      const value = svg("text", { class: "chart__value", x: "76%", y: textY }, `${count} (${share}%)`);
      value.dataset.bar = `${option.id}-${p}`;
      root.append(value);
    });
    y = top + LENS.length * BAR_HEIGHT + GAP;
  }
  root.setAttribute("height", String(y));
  return root;
}

/** The projector's poll section (projector_poll.html), rebuilt whole: it holds nothing to focus. */
export function drawProjectorPoll(box, poll, strings, labels) {
  const signature = JSON.stringify(poll);
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  box.replaceChildren();
  if (!poll) {
    box.append(el("p", { class: "projector__empty" }, strings.no_poll));
    return;
  }
  const wrap = el("div", { class: "projector-poll", "data-poll": String(poll.id) });
  wrap.append(el("p", { class: "projector-poll__text" }, poll.text));
  wrap.append(el("p", { class: "projector-poll__state" }, poll.state === "open" ? strings.vote_now : strings.poll_closed));
  if (poll.results) {
    const lens = pollLens(poll, strings, labels);
    const voters = fmt(strings.voters, { count: poll.results.voters });
    if (lens) {
      wrap.append(el("p", { class: "projector-poll__callout", "data-slot": "callout" }, lens.callout));
      const numbers = [lens.consensus, lens.divergence, voters].filter(Boolean).join(" · ");
      wrap.append(el("p", { class: "projector-poll__numbers" }, numbers));
    } else {
      wrap.append(el("p", { class: "projector-poll__numbers" }, voters));
    }
    wrap.append(chart(poll.results, strings, labels));
    const apart = fmt(strings.anders_votes, { count: poll.results.voters_by_perspective.anders || 0 });
    wrap.append(el("p", { class: "projector-poll__apart" }, apart));
  } else {
    const options = el("ul", { class: "projector-poll__options" });
    for (const option of poll.options) options.append(el("li", {}, option.label));
    wrap.append(options, el("p", { class: "projector__empty" }, strings.results_hidden));
  }
  box.append(wrap);
}

/** Radio buttons (single, scale) or checkboxes (multiple) for a poll's options (poll.html). */
export function drawOptions(container, poll) {
  const type = poll.kind === "multiple" ? "checkbox" : "radio";
  container.replaceChildren();
  container.dataset.kind = poll.kind;
  for (const option of poll.options) {
    const id = `poll-${poll.id}-${option.id}`;
    const choice = el("div", { class: "choice" });
    choice.append(el("input", { type, id, name: "choices", value: String(option.id) }));
    choice.append(el("label", { for: id }, option.label));
    container.append(choice);
  }
}

export function formatDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  const lang = document.documentElement.lang || "nl";
  return new Date(year, month - 1, day).toLocaleDateString(lang, { day: "numeric", month: "long", year: "numeric" });
}

/** The poll the room is about now: the open one, else the last one closed (never a draft). */
export function currentPoll(polls) {
  return polls.find((p) => p.state === "open") || polls.filter((p) => p.state === "closed").pop() || null;
}
