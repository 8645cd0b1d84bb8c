// Drawing helpers for polls, notes and actions (used by render.js).
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

function joined(words, and) {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${and} ${words[words.length - 1]}`;
}

/** The lens's verdict in plain words, like realtime.views.display.verdict_sentence. */
export function verdictSentence(lens, strings, labels) {
  const label = (p) => labels[p] || p;
  if (lens.verdict === "too_few" && LENS.every((p) => lens.perspectives[p].total === 0)) return strings.verdict_none;
  if (lens.verdict === "too_few") {
    const few = LENS.filter((p) => lens.perspectives[p].suppressed || !lens.perspectives[p].total);
    if (!few.length) return strings.verdict_too_few_hidden;
    return fmt(strings.verdict_too_few, { perspectives: joined(few.map((p) => label(p).toLowerCase()), strings.and) });
  }
  if (lens.verdict === "apart") {
    const [first, second] = lens.apart;
    return fmt(strings.verdict_apart, { first: label(first), second: label(second).toLowerCase() });
  }
  return strings[`verdict_${lens.verdict}`];
}

/** One perspective of a lens: "5 van 6 eens (83 %)", "minder dan 3 stemmen" or "geen stemmen". */
export function shareText(entry, minimum, strings, chose) {
  if (entry.suppressed) return fmt(strings.share_suppressed, { min: minimum });
  if (!entry.total) return strings.share_none;
  return fmt(chose ? strings.share_chose : strings.share_agree, {
    agree: entry.agree,
    total: entry.total,
    percent: Math.round(100 * entry.share),
  });
}

/** The verdict sentence and one row per perspective, like realtime.views.display.lens_display. */
export function lensDisplay(lens, subject, strings, labels, chose = false) {
  if (!lens) return null;
  let sentence = verdictSentence(lens, strings, labels);
  if (subject) sentence = fmt(strings.about_option, { subject, sentence });
  const rows = LENS.map((p) => {
    const entry = lens.perspectives[p];
    const shown = entry.share !== undefined;
    const low = shown ? Math.round(100 * entry.low) : 0;
    const high = shown ? Math.round(100 * entry.high) : 0;
    return {
      perspective: p,
      label: labels[p] || p,
      text: shareText(entry, lens.min_group, strings, chose),
      shown,
      percent: shown ? Math.round(100 * entry.share) : 0,
      low,
      high,
      band: high - low,
    };
  });
  return { verdict: lens.verdict, sentence, rows };
}

function gap(lens) {
  const shares = LENS.map((p) => lens.perspectives[p].share || 0);
  return Math.max(...shares) - Math.min(...shares);
}

/** A scale poll has one lens; a choice poll is summed up by one option (as display._poll_lens). */
export function pollLens(poll, strings, labels) {
  const results = poll.results;
  if (!results.breakdown) return null;
  if (poll.kind === "scale") return lensDisplay(results.lens, "", strings, labels);
  const options = results.options;
  if (!options.length) return null;
  const apart = options.filter((o) => o.lens.verdict === "apart");
  const agreed = options.filter((o) => o.lens.verdict === "agree");
  let option;
  if (apart.length) option = apart.reduce((a, b) => (gap(b.lens) > gap(a.lens) ? b : a));
  else if (agreed.length) option = agreed[0];
  else {
    option = options[0];
    if (option.lens.verdict === "too_few") return lensDisplay(option.lens, "", strings, labels, true);
  }
  return lensDisplay(option.lens, option.label, strings, labels, true);
}

function cell(count, minimum, strings) {
  return count === null || count === undefined ? fmt(strings.suppressed_cell, { min: minimum }) : String(count);
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
  const minimum = results.min_group;
  const lens = pollLens(poll, strings, labels);
  if (lens) {
    box.append(el("p", { class: "poll-results__callout", "data-slot": "callout" }, lens.sentence));
    const numbers = el("ul", { class: "poll-results__numbers", "data-slot": "shares" });
    for (const row of lens.rows) {
      const item = el("li");
      item.append(el("span", { class: `badge badge--${row.perspective}` }, row.label), ` ${row.text}`);
      numbers.append(item);
    }
    box.append(numbers);
  }
  if (results.totals_withheld) {
    box.append(el("p", { class: "meta", "data-slot": "withheld" }, fmt(strings.totals_withheld, { min: minimum })));
  } else {
    const scroll = el("div", { class: "table-scroll" });
    const table = el("table", { class: "poll-table" });
    const caption = results.breakdown ? strings.results_caption : strings.results_so_far;
    table.append(el("caption", {}, `${caption} (${fmt(strings.voters, { count: results.voters })})`));
    const head = el("tr");
    head.append(el("th", { scope: "col" }, strings.answer), el("th", { scope: "col" }, strings.total));
    if (results.breakdown) for (const p of PERSPECTIVES) head.append(el("th", { scope: "col" }, labels[p]));
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const body = el("tbody");
    for (const option of results.options) {
      const row = el("tr");
      row.append(el("th", { scope: "row" }, option.label), el("td", {}, cell(option.count, minimum, strings)));
      if (results.breakdown) {
        for (const p of PERSPECTIVES) row.append(el("td", {}, cell(option.by_perspective[p], minimum, strings)));
      }
      body.append(row);
    }
    table.append(body);
    const foot = el("tr");
    foot.append(el("th", { scope: "row" }, strings.voters_label), el("td", {}, String(results.voters)));
    if (results.breakdown) {
      for (const p of PERSPECTIVES) foot.append(el("td", {}, cell(results.voters_by_perspective[p], minimum, strings)));
    }
    const tfoot = el("tfoot");
    tfoot.append(foot);
    table.append(tfoot);
    scroll.append(table);
    box.append(scroll);
    if (results.suppressed.length) {
      box.append(el("p", { class: "meta", "data-slot": "suppressed" }, fmt(strings.suppressed_note, { min: minimum })));
    }
  }
  if (!results.breakdown) {
    box.append(el("p", { class: "meta", "data-slot": "later" }, fmt(strings.breakdown_later, { min: minimum })));
  }
}

function bar(row) {
  return { ...row, value: row.shown ? `${row.percent} %` : row.text };
}

/** The projector's bar groups, like realtime.views.display._chart_groups. */
export function chartGroups(poll, strings, labels) {
  const results = poll.results;
  if (results.breakdown && poll.kind === "scale") {
    const rows = lensDisplay(results.lens, "", strings, labels).rows;
    return [{ id: "agree", label: strings.scale_agree, bars: rows.map(bar) }];
  }
  if (results.breakdown) {
    return results.options.map((o) => ({
      id: o.id,
      label: o.label,
      bars: lensDisplay(o.lens, "", strings, labels, true).rows.map(bar),
    }));
  }
  if (results.totals_withheld) return [];
  return results.options.map((option) => {
    const share = percent(option.count, results.voters);
    const total = {
      perspective: "all",
      label: strings.everyone,
      shown: true,
      percent: share,
      low: share,
      high: share,
      band: 0,
      value: fmt(strings.count_percent, { count: option.count, percent: share }),
    };
    return { id: option.id, label: option.label, bars: [total] };
  });
}

/** The projector's bars (poll_chart.html): share per perspective with its 90 % interval as a light band. */
export function chart(poll, strings, labels) {
  const root = svg("svg", { class: "chart", width: "100%", "aria-hidden": "true", focusable: "false" });
  root.dataset.chart = "";
  let y = 0;
  for (const group of chartGroups(poll, strings, labels)) {
    root.append(svg("text", { class: "chart__option", x: "0", y: String(y + OPTION_HEIGHT * 0.7) }, group.label));
    const top = y + OPTION_HEIGHT;
    group.bars.forEach((b, index) => {
      const barY = top + index * BAR_HEIGHT;
      const textY = String(barY + BAR_HEIGHT * 0.65);
      root.append(svg("text", { class: "chart__label", x: "0", y: textY }, b.label));
      const box = svg("svg", { x: "16%", y: String(barY), width: "58%", height: String(BAR_HEIGHT - 8) });
      box.append(svg("rect", { class: "chart__track", width: "100%", height: "100%" }));
      if (b.shown) {
        box.append(svg("rect", { class: `chart__bar chart__bar--${b.perspective}`, width: `${b.percent}%`, height: "100%" }));
        if (b.band) {
          const band = svg("rect", { class: "chart__band", x: `${b.low}%`, width: `${b.band}%`, height: "100%" });
          band.dataset.band = "";
          box.append(band);
        }
      }
      root.append(box);
      const value = svg("text", { class: "chart__value", x: "76%", y: textY }, b.value);
      value.dataset.bar = `${group.id}-${b.perspective}`;
      root.append(value);
    });
    y = top + group.bars.length * BAR_HEIGHT + GAP;
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
    const results = poll.results;
    const lens = pollLens(poll, strings, labels);
    if (lens) wrap.append(el("p", { class: "projector-poll__callout", "data-slot": "callout" }, lens.sentence));
    const voters = fmt(strings.voters, { count: results.voters });
    const later = fmt(strings.breakdown_later, { min: results.min_group });
    const numbers = results.breakdown ? voters : `${voters} · ${later}`;
    wrap.append(el("p", { class: "projector-poll__numbers" }, numbers));
    if (results.totals_withheld) {
      wrap.append(
        el("p", { class: "projector__empty", "data-slot": "withheld" }, fmt(strings.totals_withheld, { min: results.min_group })),
      );
    } else {
      wrap.append(chart(poll, strings, labels));
    }
    const anders = results.breakdown ? results.voters_by_perspective.anders : null;
    if (anders) wrap.append(el("p", { class: "projector-poll__apart" }, fmt(strings.anders_votes, { count: anders })));
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
