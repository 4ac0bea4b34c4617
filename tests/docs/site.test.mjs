// Browser check of the documentation site `make docs` builds (run by `make docs-check`).
//
// Serves .build/docs/html on 127.0.0.1, opens every generated page in Debian's chromium
// (headless, driven by playwright-core) and checks what a reader would hit:
//   - every page loads without a console error, an uncaught exception or a failed request,
//     and nothing is fetched from another host (the site works offline);
//   - every page is reachable from the index by links, and every <a href> within the site
//     points at a file the site has and, with #anchor, at an element of that page;
//   - every ```mermaid fence of the Markdown sources (docs/modes.md among them) became a
//     diagram drawn as <svg> by the bundled mermaid, not Mermaid's error picture; also when
//     a page is opened from disk (file://).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const SITE = path.resolve(process.env.MESHGATE_DOCS_HTML || path.join(ROOT, ".build/docs/html"));
const NODE_MODULES = path.resolve(
  process.env.MESHGATE_DOCS_NODE_MODULES || path.join(ROOT, ".build/docs-node/node_modules"),
);
// The Debian package's real binary (its /usr/bin/chromium wrapper only adds flags we set here).
const CHROMIUM =
  process.env.CHROMIUM_BINARY ||
  (fs.existsSync("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : process.env.CHROMIUM || "/usr/bin/chromium");
// Where build_docsite.py puts the Markdown pages: docsite/<repository path>.html.
const PAGES_DIR = "docsite";
const MERMAID_TIMEOUT_MS = 30000;

const { chromium } = createRequire(path.join(NODE_MODULES, "noop.js"))("playwright-core");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".eot": "application/vnd.ms-fontobject",
  ".txt": "text/plain; charset=utf-8",
  ".yml": "text/plain; charset=utf-8",
  ".yaml": "text/plain; charset=utf-8",
};

function walk(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(path.relative(SITE, p).split(path.sep).join("/"));
  }
  return out.sort();
}

if (!fs.existsSync(path.join(SITE, "index.html"))) {
  throw new Error(`no site in ${SITE}: run make docs first`);
}
const FILES = new Set(walk(SITE));
const PAGES = [...FILES].filter((f) => f.endsWith(".html"));

// ```mermaid fences per page, counted in the Markdown sources the pages come from.
function fencesOf(page) {
  if (!page.startsWith(PAGES_DIR + "/")) return 0;
  const source = path.join(ROOT, page.slice(PAGES_DIR.length + 1).replace(/\.html$/, ".md"));
  if (!fs.existsSync(source)) return 0;
  return (fs.readFileSync(source, "utf8").match(/^```mermaid\s*$/gm) || []).length;
}
const FENCES = Object.fromEntries(PAGES.map((p) => [p, fencesOf(p)]).filter(([, n]) => n > 0));

function serve() {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "");
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = path.join(SITE, rel);
    if (!file.startsWith(SITE + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// What one visit of a page saw.
async function visit(context, url, origin) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  page.on("requestfailed", (req) => {
    if (new URL(req.url()).origin === origin) {
      problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
    }
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const response = await page.goto(url, { waitUntil: "load" });
  if (url.startsWith("http") && !response?.ok()) problems.push(`HTTP ${response ? response.status() : "no response"}: ${url}`);
  const diagrams = await page.locator("pre.mermaid").count();
  let drawn = [];
  if (diagrams > 0) {
    try {
      await page.waitForFunction(
        () => [...document.querySelectorAll("pre.mermaid")].every((el) => el.querySelector("svg")),
        null,
        { timeout: MERMAID_TIMEOUT_MS },
      );
    } catch {
      problems.push(`Mermaid did not draw every diagram within ${MERMAID_TIMEOUT_MS / 1000}s`);
    }
    drawn = await page.$$eval("pre.mermaid", (els) =>
      els.map((el) => {
        const svg = el.querySelector("svg");
        if (!svg) return { svg: false };
        const box = svg.getBoundingClientRect();
        return {
          svg: true,
          error: svg.getAttribute("aria-roledescription") === "error" || /Syntax error/i.test(svg.textContent),
          nodes: svg.querySelectorAll("g.node, g.actor, rect, path").length,
          width: Math.round(box.width),
          height: Math.round(box.height),
        };
      }),
    );
  }
  const links = await page.$$eval("a[href]", (as) => as.map((a) => ({ href: a.href, raw: a.getAttribute("href") })));
  const anchors = await page.$$eval("[id], a[name]", (els) => els.map((el) => el.id || el.getAttribute("name")));
  // Let late console errors (a deferred script) arrive before the page is closed.
  await page.waitForTimeout(50);
  await page.close();
  return { problems, links, anchors: new Set(anchors), diagrams, drawn };
}

describe("docs site (.build/docs/html)", () => {
  let server;
  let browser;
  let origin;
  const results = {};
  const external = [];
  let fileVisit;

  before(async () => {
    server = await serve();
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const context = await browser.newContext();
    // Offline site: anything asked of another host is refused and reported.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin + "/") || url.startsWith("data:") || url.startsWith("blob:")) {
        return route.continue();
      }
      external.push(url);
      return route.abort("blockedbyclient");
    });
    const started = Date.now();
    // Two pages at a time (two cores here); every page in its own tab of one browser.
    const queue = [...PAGES];
    const worker = async () => {
      for (let page = queue.shift(); page; page = queue.shift()) {
        results[page] = await visit(context, `${origin}/${page}`, origin);
      }
    };
    await Promise.all([worker(), worker()]);
    console.log(`# visited ${PAGES.length} pages in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    const modes = `${PAGES_DIR}/docs/modes.html`;
    const fileContext = await browser.newContext();
    fileVisit = await visit(fileContext, pathToFileURL(path.join(SITE, modes)).href, "null");
    await fileContext.close();
  }, { timeout: 10 * 60 * 1000 });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it("has a page for every module, filter and role of the collection, and the guides", () => {
    const expected = [
      ...fs.readdirSync(path.join(ROOT, "plugins/modules"))
        .filter((f) => f.endsWith(".py") && f !== "__init__.py")
        .map((f) => `${f.slice(0, -3)}_module.html`),
      ...fs.readdirSync(path.join(ROOT, "plugins/filter"))
        .filter((f) => f.endsWith(".yml"))
        .map((f) => `${f.slice(0, -4)}_filter.html`),
      ...fs.readdirSync(path.join(ROOT, "roles"))
        .filter((r) => fs.existsSync(path.join(ROOT, "roles", r, "meta/argument_specs.yml")))
        .map((r) => `${r}_role.html`),
      "index.html",
      `${PAGES_DIR}/README.html`,
      `${PAGES_DIR}/docs/modes.html`,
      "_static/mermaid/mermaid.min.js",
    ];
    for (const kind of ["module", "filter", "role"]) {
      assert.ok(expected.some((p) => p.endsWith(`_${kind}.html`)), `the collection has no ${kind}?`);
    }
    assert.deepEqual(expected.filter((p) => !FILES.has(p)), [], `missing from ${SITE}`);
  });

  describe("every page loads without console errors or failed requests", () => {
    for (const page of PAGES) {
      it(page, () => assert.deepEqual(results[page].problems, []));
    }
  });

  it("loads nothing from other hosts", () => assert.deepEqual(external, []));

  describe("no broken internal links (anchors included)", () => {
    for (const page of PAGES) {
      it(page, () => {
        const broken = [];
        for (const { href, raw } of results[page].links) {
          const url = new URL(href);
          if (url.origin !== origin) continue; // other hosts and mailto: are not the site's
          let target = decodeURIComponent(url.pathname).replace(/^\/+/, "");
          if (target === "" || target.endsWith("/")) target += "index.html";
          if (!FILES.has(target)) {
            broken.push(`${raw}: no ${target} in the site`);
            continue;
          }
          const anchor = decodeURIComponent(url.hash.replace(/^#/, ""));
          if (anchor && target.endsWith(".html") && !results[target].anchors.has(anchor)) {
            broken.push(`${raw}: ${target} has no element with id or name "${anchor}"`);
          }
        }
        assert.deepEqual(broken, []);
      });
    }
  });

  it("reaches every page from the index through links", () => {
    const seen = new Set(["index.html"]);
    const queue = ["index.html"];
    while (queue.length) {
      const page = queue.shift();
      for (const { href } of results[page].links) {
        const url = new URL(href);
        if (url.origin !== origin) continue;
        const target = decodeURIComponent(url.pathname).replace(/^\/+/, "") || "index.html";
        if (target.endsWith(".html") && FILES.has(target) && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    // search.html is the search box's form target, not a link.
    const orphans = PAGES.filter((p) => !seen.has(p) && p !== "search.html");
    assert.deepEqual(orphans, []);
  });

  describe("Mermaid diagrams render to SVG", () => {
    it("docs/modes.md has diagrams to check", () => {
      assert.ok((FENCES[`${PAGES_DIR}/docs/modes.html`] || 0) >= 1, "no ```mermaid fence found in docs/modes.md");
    });
    for (const page of PAGES) {
      const fences = FENCES[page] || 0;
      if (fences === 0 && !page.startsWith(PAGES_DIR + "/")) continue;
      it(`${page}: ${fences} diagram(s)`, () => {
        const { diagrams, drawn } = results[page];
        assert.equal(diagrams, fences, `${diagrams} <pre class="mermaid"> for ${fences} fence(s) in the source`);
        drawn.forEach((d, i) => {
          assert.ok(d.svg, `diagram ${i + 1} is not an <svg>`);
          assert.ok(!d.error, `diagram ${i + 1} is Mermaid's error picture (a syntax error)`);
          assert.ok(d.nodes > 0 && d.width > 0 && d.height > 0, `diagram ${i + 1} is empty: ${JSON.stringify(d)}`);
        });
      });
    }
    it("also drawn when the page is opened from disk (file://)", () => {
      const expected = FENCES[`${PAGES_DIR}/docs/modes.html`];
      assert.deepEqual(fileVisit.problems, []);
      assert.equal(fileVisit.drawn.filter((d) => d.svg && !d.error).length, expected);
    });
  });
});
