// The regkb chat page. Everything from the acts or from users is inserted as text
// (textContent / createTextNode), never as HTML.
"use strict";

const STORE = "regkb.conversation";
const EXAMPLES = [
  "Can we use emotion recognition on our staff?",
  "How much notice must a cloud provider give before switching?",
  "What is a deployer under the AI Act?",
];

let turns = load();
let busy = false;

// With KB_API_KEYS set the API wants a Bearer key. The page asks for it once and keeps it in
// this tab's session storage (gone when the tab closes), never in the page or the URL.
const KEY = "regkb.key";
async function api(path, options = {}) {
  const key = sessionStorage.getItem(KEY);
  const headers = { ...(options.headers || {}), ...(key ? { Authorization: `Bearer ${key}` } : {}) };
  const r = await fetch(path, { ...options, headers });
  if (r.status === 401) {
    askForKey(Boolean(key));
    throw new Error(key ? "the API key was not accepted; enter a valid one above" : "this server needs an API key; enter it above");
  }
  return r;
}
function askForKey(wrong) {
  if (wrong) sessionStorage.removeItem(KEY);
  $("key-form").hidden = false;
  $("key-note").textContent = wrong
    ? "That API key was not accepted. Enter a valid key."
    : "This server needs an API key. Enter it once; it is kept for this browser tab only.";
  $("key-note").className = wrong ? "note low" : "note";
  $("api-key").focus();
}

function load() {
  try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch { return []; }
}
function save() { localStorage.setItem(STORE, JSON.stringify(turns)); }

async function init() {
  renderExamples();
  for (const turn of turns) renderTurn(turn);
  if (turns.length) showSources(turns[turns.length - 1]);
  $("ask-form").addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  $("clear").addEventListener("click", () => {
    turns = []; save();
    $("conversation").replaceChildren(); $("source-list").replaceChildren();
    $("sources-note").textContent = "The provisions behind an answer appear here.";
    $("sources-note").className = "note";
    renderExamples();
  });
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("api-key").value.trim());
    $("api-key").value = "";
    $("key-form").hidden = true;
    listActs();
  });
  await listActs();
}

async function listActs() {
  try {
    const r = await api("/v1/documents");
    if (!r.ok) throw await problem(r);
    const body = await r.json();
    $("act-filter").replaceChildren(el("option", { value: "", text: "All acts" }));
    for (const doc of body.documents) $("act-filter").append(el("option", { value: doc.id, text: doc.short_name }));
    $("versions").textContent = "Versions: " + body.documents.map((d) => `${d.short_name}, ${d.version}`).join("; ");
  } catch (err) {
    $("versions").textContent = `The acts could not be listed: ${err.message}`;
  }
}

function renderExamples() {
  const box = $("examples");
  box.hidden = turns.length > 0;
  const list = $("example-list");
  list.replaceChildren(...EXAMPLES.map((q) => el("li", {}, el("button", {
    type: "button", class: "secondary", text: q, onclick: () => { $("question").value = q; submit(); },
  }))));
}


async function submit() {
  const question = $("question").value.trim();
  if (!question || busy) return;
  busy = true;
  $("send").disabled = true;
  $("status").textContent = "Searching the acts…";
  $("examples").hidden = true;
  const turn = { question, answer: null, citations: [], sentences: [], error: null, version: $("version").value };
  const view = renderTurn(turn);
  const history = turns.filter((t) => t.answer).slice(-4).map((t) => ({ question: t.question, answer: t.answer.answer }));
  const docs = $("act-filter").value ? [$("act-filter").value] : null;
  $("question").value = "";
  try {
    const response = await api("/v1/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, k: 5, docs, history, version: $("version").value }),
    });
    if (!response.ok) throw await problem(response);
    await readEvents(response, (name, data) => {
      if (name === "progress") {
        // A question not in English is translated first (seconds): said at once, in its language.
        showProgress(view.answer, data);
      } else if (name === "citations") {
        turn.citations = data.citations; turn.abstained = data.abstained; turn.outcome = data.outcome;
        turn.reason = data.reason;
        showSources(turn);
        $("status").textContent = "Composing the answer…";
      } else if (name === "sentence") {
        turn.sentences.push(data);
        appendSentence(view.answer, data, turn);
      } else if (name === "restart") {
        // The model failed part-way: what it wrote is withdrawn, the quoted answer follows.
        turn.sentences = [];
        view.answer.replaceChildren(el("span", { class: "muted", text: "…" }));
      } else if (name === "done") {
        turn.answer = data; turn.sentences = data.sentences; turn.citations = data.citations;
        finishTurn(view, turn); showSources(turn);
        // The answer is read from its start: on a phone, scrolling to its end hid the lead.
        view.item.scrollIntoView({ block: "start" });
      } else if (name === "error") {
        throw new Error(data.detail || data.title);
      }
    });
    turns.push(turn); save();
    $("status").textContent = "";
  } catch (err) {
    view.answer.replaceChildren(el("span", { class: "error", role: "alert", text: `Could not answer: ${err.message}` }));
    $("status").textContent = "";
  } finally {
    busy = false;
    $("send").disabled = false;
    $("question").focus();
  }
}

async function readEvents(response, handle) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      let name = "message"; let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      handle(name, JSON.parse(data));
    }
    if (done) return;
  }
}

function renderTurn(turn) {
  const answer = el("div", { class: "answer" });
  const item = el("li", { class: "turn" }, el("div", { class: "question", text: turn.question }), answer);
  $("conversation").append(item);
  if (turn.answer) finishTurn({ answer }, turn);
  else answer.append(el("span", { class: "muted", text: "…" }));
  item.scrollIntoView({ block: "end" });
  return { answer, item };
}

function showProgress(box, progress) {
  // Replaced by the first sentence (appendSentence clears .muted) or by the whole answer.
  box.replaceChildren(el("span", { class: "muted progress", role: "status", lang: progress.language },
    el("span", { class: "spinner", "aria-hidden": "true" }), progress.message));
}

function markersOf(sentence) {
  return sentence.citations && sentence.citations.length ? sentence.citations : [sentence.citation];
}

function sentenceNodes(sentence, turn, quoted = false) {
  const markers = markersOf(sentence).map((n) => marker(n, turn));
  if (!quoted && sentence.english) {
    // Machine-translated after the checks: the checked English on hover, and in the answer's toggle.
    const title = `Machine translation. As written and checked, in English: ${sentence.english}`;
    return [el("span", { class: "sentence translated", text: sentence.text, title }), ...markers, " "];
  }
  if (!quoted) return [el("span", { class: sentence.lead ? "sentence lead" : "sentence", text: sentence.text }), ...markers, " "];
  // A quoted answer: the lead first, marked as our reading; then each provision as a block,
  // its label, then the act's own words set apart as quotations.
  const cut = sentence.text.indexOf(": ");
  const label = cut > 0 ? sentence.text.slice(0, cut) : "";
  const rest = cut > 0 ? sentence.text.slice(cut + 2) : sentence.text;
  const block = el("div", { class: sentence.lead ? "sentence lead" : "sentence provision" });
  if (sentence.lead) block.append(el("span", { class: "tag", text: "In short (regkb's reading; the quoted words are the law's)" }));
  block.append(el("span", { class: "label", text: label }), ...markers);
  for (const part of splitQuotes(rest)) {
    block.append(part.quote ? el("blockquote", { class: "quote", text: part.text }) : el("span", { class: "ours", text: part.text }));
  }
  return [block];
}

function splitQuotes(text) {
  // “…” are the law's words; what lies between them ("except", the figures' names) is ours.
  const parts = [];
  const re = /“([^”]*)”/g;
  let pos = 0; let m;
  while ((m = re.exec(text))) {
    const between = text.slice(pos, m.index).replace(/^[\s,.;]+|[\s.]+$/g, "");
    if (between) parts.push({ quote: false, text: between });
    parts.push({ quote: true, text: m[1] });
    pos = re.lastIndex;
  }
  const tail = text.slice(pos).replace(/^[\s.]+|[\s.]+$/g, "");
  if (tail) parts.push({ quote: false, text: tail });
  return parts;
}

function appendSentence(box, sentence, turn) {
  if (box.querySelector(".muted")) box.replaceChildren();
  box.append(...sentenceNodes(sentence, turn));
}

function marker(n, turn) {
  return el("a", {
    class: "marker", href: `#source-${n}`, text: `[${n}]`, "aria-label": `Source ${n}`,
    onclick: (e) => { e.preventDefault(); showSources(turn); activate(n); },
  });
}

function finishTurn(view, turn) {
  const box = view.answer;
  const a = turn.answer;
  box.replaceChildren();
  box.classList.toggle("abstained", a.abstained);
  // Answered in part: the same line as the API's outcome_line, the CLI, Slack and MCP show.
  box.classList.toggle("in-part", a.outcome === "in_part");
  box.dataset.outcome = a.outcome || "answered";
  if (a.outcome === "in_part") {
    box.append(el("span", { class: "outcome", text: `Answered in part. ${a.reason || ""}` }));
  }
  if (a.abstained) {
    box.append(el("span", { text: a.answer }));
  } else {
    const quoted = a.answer_mode !== "generated";
    for (const s of a.sentences) box.append(...sentenceNodes(s, turn, quoted));
  }
  if (a.answer_translated_by) {
    const english = el("details", { class: "english" }, el("summary", { text: "The answer as checked, in English" }));
    for (const s of a.sentences) english.append(el("span", { text: s.english || s.text }), ...markersOf(s).map((n) => marker(n, turn)), " ");
    box.append(english);
  }
  if (a.answer_mode === "generated") {
    const removed = a.removed_sentences ? `; ${a.removed_sentences} unsupported sentences removed` : "";
    box.append(el("span", { class: "written-by", text: `written by ${a.model} from the cited provisions${removed}` }));
  }
  for (const notice of a.notices || []) box.append(el("span", { class: "notice", text: notice }));
  const versions = a.versions.map((v) => `${v.short_name}: ${v.version}`).join("; ");
  if (versions) box.append(el("span", { class: "meta", text: `Cites ${versions}` }));
  box.dataset.done = "1";
}

function showSources(turn) {
  const list = $("source-list");
  const note = $("sources-note");
  const low = turn.abstained || (turn.answer && turn.answer.abstained);
  const outcome = turn.outcome || (turn.answer && turn.answer.outcome);
  note.textContent = low
    ? "The acts do not answer this question. The closest provisions, which do not answer it:"
    : outcome === "in_part"
      ? `The acts answer this in part. ${turn.citations.length} provisions for: ${turn.question}`
      : `${turn.citations.length} provisions for: ${turn.question}`;
  note.className = low ? "note low" : "note";
  list.replaceChildren(...turn.citations.map((hit, i) => sourceCard(hit, i + 1, turn)));
}

function sourceCard(hit, n, turn) {
  const used = turn.sentences.filter((s) => markersOf(s).includes(n))
    .flatMap((s) => (s.quotes && s.quotes.length ? s.quotes : [s.text.split(" … ").pop()]));
  const passage = el("p", { class: "passage" });
  if (hit.context) passage.append(el("span", { class: "context", text: hit.context + "\n" }));
  passage.append(...highlight(hit.text, used));
  const copy = el("button", { type: "button", class: "secondary", text: "Copy citation" });
  copy.addEventListener("click", async () => {
    const text = `${hit.label} (${hit.version}), ${hit.url}`;
    try { await navigator.clipboard.writeText(text); copy.textContent = "Copied"; }
    catch { copy.textContent = "Copy failed"; }
  });
  const amended = (hit.amended_by || []).length > 0;
  const version = turn.version || "current";
  return el("li", { class: "source", id: `source-${n}`, tabindex: "-1" },
    el("h3", { text: `[${n}] ${hit.label}` }),
    hit.title ? el("p", { class: "title", text: hit.title }) : "",
    el("p", { class: "muted", text: hit.heading + (hit.page ? ` · OJ page ${hit.page}` : "") }),
    amendmentNotes(hit.amended_by || [], hit.unofficial),
    passage,
    el("div", { class: "actions" },
      el("a", { href: hit.url, target: "_blank", rel: "noopener", text: "EUR-Lex" }),
      copy,
      el("button", { type: "button", class: "secondary open", text: "Whole provision",
        onclick: () => openProvision(hit.doc, hit.unit, version, [hit.start, hit.end]) }),
      amended ? el("button", { type: "button", class: "secondary original", text: "Original wording",
        onclick: () => openProvision(hit.doc, hit.unit, "original") }) : ""));
}

function amendmentNotes(notes, unofficial) {
  // How an amending act changed the provision, and whether its text rests on unofficial files.
  const box = el("div", { class: "amended" });
  for (const a of notes) {
    const line = a.applied
      ? `Amended by ${a.citation}, in force from ${a.in_force}.`
      : `Amended by ${a.citation}, in force from ${a.in_force}; not applied here, see the amending text:`;
    box.append(el("p", { class: a.applied ? "note" : "note low", text: line }));
    if (!a.applied && a.text) box.append(el("p", { class: "passage", text: a.text }));
  }
  if (unofficial) box.append(el("p", { class: "note unofficial", text: unofficial }));
  return box;
}

function highlight(text, sentences) {
  // Split the passage around the sentences the answer used, and mark those.
  const spans = [];
  for (const s of sentences) {
    const core = s.replace(/ …$/, "");
    const at = text.indexOf(core.slice(0, 160));
    if (at >= 0) spans.push([at, Math.min(text.length, at + core.length)]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out = []; let pos = 0;
  for (const [start, end] of spans) {
    if (start < pos) continue;
    out.push(document.createTextNode(text.slice(pos, start)), el("mark", { text: text.slice(start, end) }));
    pos = end;
  }
  out.push(document.createTextNode(text.slice(pos)));
  return out;
}

function activate(n) {
  for (const card of document.querySelectorAll(".source.active")) card.classList.remove("active");
  const card = $(`source-${n}`);
  if (!card) return;
  card.classList.add("active");
  card.scrollIntoView({ block: "nearest" });
  card.focus({ preventScroll: true });
}

async function openProvision(doc, unit, version = "current", span = null) {
  // `span`: [start, end) of the cited passage in the provision's text, opened and marked there.
  const dialog = $("provision");
  try {
    const path = `/v1/documents/${encodeURIComponent(doc)}/units/${encodeURIComponent(unit)}`;
    const r = await api(`${path}?version=${encodeURIComponent(version)}`);
    if (!r.ok) throw await problem(r);
    const p = await r.json();
    $("provision-title").textContent = p.label + (p.title ? ` — ${p.title}` : "");
    $("provision-heading").textContent = `${p.heading} · ${p.version}`;
    $("provision-amended").replaceChildren(amendmentNotes(p.amended_by, p.unofficial));
    const text = $("provision-text");
    if (span && span[1] <= p.text.length && span[1] - span[0] < p.text.length) {
      const mark = el("mark", { id: "provision-pinpoint", text: p.text.slice(span[0], span[1]) });
      text.replaceChildren(p.text.slice(0, span[0]), mark, p.text.slice(span[1]));
    } else {
      text.textContent = p.text;
    }
    const other = $("provision-other");
    other.hidden = p.versions.length < 2;
    other.textContent = version === "original" ? "Wording in force today" : "Original wording";
    other.onclick = () => openProvision(doc, unit, version === "original" ? "current" : "original");
    $("provision-link").href = p.url;
    const links = (refs) => refs.filter((r) => r.doc && r.unit).map((r) => el("li", {}, el("button", {
      type: "button", class: "secondary", text: r.label, onclick: () => openProvision(r.doc, r.unit, version),
    })));
    $("provision-out").replaceChildren(...links(p.refers_to));
    $("provision-in").replaceChildren(...links(p.referred_by));
    if (!dialog.open) dialog.showModal();
    // Opened at the part the source cites, not at the top of Article 5.
    const pinned = $("provision-pinpoint");
    if (pinned) pinned.scrollIntoView({ block: "start" }); else text.scrollTop = 0;
  } catch (err) {
    $("status").textContent = `Could not open the provision: ${err.message}`;
  }
}

init();
