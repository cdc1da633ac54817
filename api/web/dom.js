// What both pages share: finding and making elements (text only, never HTML) and reading an
// API error (RFC 9457 problem+json) into a message. Loaded before app.js and check.js.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};

async function problem(response) {
  try {
    const body = await response.json();
    return new Error(body.detail || body.title || `HTTP ${response.status}`);
  } catch { return new Error(`HTTP ${response.status}`); }
}
