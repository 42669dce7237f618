// Prints what each storefront page loads from static/dist/, raw and gzip-compressed, and
// fails when a page's JavaScript exceeds the budget (150 KB compressed). `make js` runs it.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const DIST = new URL("../static/dist/", import.meta.url);
const BUDGET = 150 * 1024;
// The entries each page loads (templates: base.html, product, cart and checkout pages).
const PAGES = {
  "every page": ["frontend/search.js"],
  product: ["frontend/search.js", "frontend/variant-picker.js", "frontend/add-to-cart.js"],
  cart: ["frontend/search.js", "frontend/cart.js"],
  checkout: ["frontend/search.js", "frontend/checkout.js"],
};

const manifest = JSON.parse(readFileSync(new URL(".vite/manifest.json", DIST), "utf8"));

function files(entry, seen = new Set()) {
  const chunk = manifest[entry];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  (chunk.css || []).forEach((css) => seen.add(css));
  (chunk.imports || []).forEach((name) => files(name, seen));
  return seen;
}

function size(file) {
  const bytes = readFileSync(new URL(file, DIST));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let failed = false;
for (const [page, entries] of Object.entries(PAGES)) {
  const all = new Set();
  entries.forEach((entry) => files(entry, all));
  const sum = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const file of all) {
    const kind = file.endsWith(".css") ? "css" : "js";
    const { raw, gzip } = size(file);
    sum[kind].raw += raw;
    sum[kind].gzip += gzip;
  }
  const over = sum.js.gzip > BUDGET;
  failed ||= over;
  console.log(`${page.padEnd(11)} JS ${kb(sum.js.raw)} (${kb(sum.js.gzip)} gzip)` +
    `  CSS ${kb(sum.css.raw)} (${kb(sum.css.gzip)} gzip)${over ? "  OVER BUDGET" : ""}`);
}
if (failed) {
  console.error(`A page loads more than ${kb(BUDGET)} of compressed JavaScript.`);
  process.exit(1);
}
