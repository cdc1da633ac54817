// The timeline page: GET /v1/timeline in the version chosen, one entry per date and act, with
// the provision that sets it and the obligations that start then. Text only, never HTML.
"use strict";

function headers() {
  // The API key a person gave on the chat page, if the server asks for one.
  const key = sessionStorage.getItem("regkb.key");
  return key ? { Authorization: `Bearer ${key}` } : {};
}

const LONG = { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" };

async function load() {
  const version = $("version").value;
  $("status").textContent = "Loading…";
  const list = $("timeline");
  list.replaceChildren();
  try {
    const r = await fetch(`/v1/timeline?version=${encodeURIComponent(version)}`, { headers: headers() });
    if (!r.ok) throw await problem(r);
    const { timeline } = await r.json();
    for (const e of timeline) {
      const when = new Date(`${e.date}T00:00:00Z`).toLocaleDateString("en-GB", LONG);
      const roles = Object.entries(e.roles).slice(0, 5).map(([role, n]) => `${role} (${n})`).join(", ");
      const item = el("li", { class: "source", "data-date": e.date },
        el("h3", { text: `${when} — ${e.doc}` }),
        el("p", { class: "label", text: `${e.provision}${e.scope ? ` [${e.scope}]` : ""}` }),
        el("p", { text: `${e.obligations} obligations: ${roles}` }),
        el("p", { class: "note", text: e.articles.join(", ") }));
      if (e.condition) item.append(el("p", { class: "note", text: `Only ${e.condition}` }));
      list.append(item);
    }
    $("status").textContent = timeline.length ? "" : "No dates read from the acts.";
  } catch (err) {
    $("status").textContent = `Could not load the timeline: ${err.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("version").addEventListener("change", load);
  load();
});
