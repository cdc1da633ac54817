// The citation check page. Everything from the acts or from users is inserted as text
// (textContent / createTextNode), never as HTML.
"use strict";

const WORDS = { supported: "supported", not_supported: "not supported", unverified: "unverified" };
const STATUS = { not_found: "does not exist", outside: "outside this knowledge base", ambiguous: "ambiguous" };

function headers() {
  // The API key a person gave on the chat page, if the server asks for one.
  const key = sessionStorage.getItem("regkb.key");
  return { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) };
}


async function run() {
  const text = $("text").value;
  if (!text.trim()) return;
  $("run").disabled = true;
  $("status").textContent = "Checking the citations…";
  try {
    const r = await fetch("/v1/check", {
      method: "POST", headers: headers(), body: JSON.stringify({ text, version: $("version").value }),
    });
    if (r.status === 401) throw new Error("this server needs an API key: enter it once on the chat page (Ask a question); it is kept for this browser tab");
    if (!r.ok) throw await problem(r);
    show(text, await r.json());
    $("status").textContent = "";
  } catch (err) {
    $("status").textContent = "";
    $("marked").hidden = false;
    $("marked").replaceChildren(el("p", { class: "error", role: "alert", text: `The check failed: ${err.message}` }));
  } finally {
    $("run").disabled = false;
  }
}

function show(text, report) {
  const list = $("citation-list");
  list.replaceChildren();
  const marked = $("marked");
  marked.replaceChildren();
  marked.hidden = false;
  const n = report.citations.length;
  $("summary").hidden = false;
  const counts = ["supported", "not_supported", "unverified"].filter((k) => report.counts[k])
    .map((k) => `${report.counts[k]} ${WORDS[k]}`).join(", ");
  $("summary").textContent = n ? `${n} citation${n > 1 ? "s" : ""}: ${counts} (${Math.round(report.took_ms)} ms).`
    : "No citation of the acts found in the text.";
  $("detail-note").textContent = n ? "Select a marked citation to see it here." : "Nothing to show.";
  let at = 0;
  report.citations.forEach((c, i) => {
    if (c.start < at) return; // a citation inside another one's span is listed, not marked twice
    marked.append(document.createTextNode(text.slice(at, c.start)));
    marked.append(el("button", {
      type: "button", class: `cite ${c.verdict}`, id: `cite-${i}`,
      "aria-label": `${c.reference}: ${WORDS[c.verdict]}`, text: text.slice(c.start, c.end),
      onclick: () => focus(i),
    }));
    at = c.end;
  });
  marked.append(document.createTextNode(text.slice(at)));
  report.citations.forEach((c, i) => list.append(card(c, i)));
  for (const notice of report.notices) list.append(el("li", { class: "note low", text: notice }));
}

function card(c, i) {
  const target = c.resolved ? c.resolved.label : STATUS[c.status] || c.status;
  const item = el("li", { class: "source", id: `card-${i}` },
    el("h3", {}, el("span", { class: `verdict ${c.verdict}`, text: WORDS[c.verdict] }),
      document.createTextNode(` — ${c.reference} → ${target}`)),
    el("p", { class: "muted", text: `“${c.claim}”` }));
  if (c.reason) item.append(el("p", { text: c.reason }));
  item.append(el("p", { text: c.why }));
  if (c.quote) item.append(el("blockquote", { text: c.quote }));
  if (c.resolved) item.append(el("p", {}, el("a", { href: c.resolved.url, target: "_blank", rel: "noopener", text: "Open on EUR-Lex" })));
  if (c.outside_url) item.append(el("p", {}, el("a", { href: c.outside_url, target: "_blank", rel: "noopener", text: "The act on EUR-Lex" })));
  if (c.suggestions.length) {
    const ul = el("ul", { class: "refs" });
    for (const s of c.suggestions) ul.append(el("li", {}, el("a", { href: s.url, target: "_blank", rel: "noopener", text: s.label })));
    item.append(el("p", { text: "Provisions that may say it:" }), ul);
  }
  if (c.version_note) item.append(el("p", { class: "note low", text: c.version_note }));
  return item;
}

function focus(i) {
  document.querySelectorAll(".cite.active, .source.active").forEach((n) => n.classList.remove("active"));
  $(`cite-${i}`)?.classList.add("active");
  const item = $(`card-${i}`);
  item.classList.add("active");
  item.scrollIntoView({ block: "nearest" });
}

$("check-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
