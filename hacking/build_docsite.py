#!/usr/bin/env python
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Build the documentation site into <out>/html (`make docs`, from the docs venv).

1. antsibull-docs writes one RST page per plugin and role of the collection (whatever
   plugins/ and roles/ hold: DOCUMENTATION/EXAMPLES/RETURN, filter .yml docs, role
   argument_specs) and the collection index, from ansible-doc of the checkout
   (`--use-current` with ANSIBLE_COLLECTIONS_PATH=.build/collections).
2. The Markdown pages (README.md, docs/*.md, roles/*/README.md) are copied beside them under
   docsite/, keeping the repository's layout so their relative links work unchanged; files they
   link to that are not pages (examples, images) are copied too, Sphinx makes them downloads.
   A "Guides" section listing them goes into the collection index.
3. Mermaid's browser build (npm package `mermaid`, installed by `make docs-node`) goes into
   _static/mermaid/.
4. sphinx-build -W: a warning (a broken link between pages, a missing anchor, a bad RST
   construct) fails the build.

No network: antsibull-docs reads the checkout, and conf.py has no intersphinx.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = "meshgate.istio_lb"
CONF_DIR = os.path.join(ROOT, "hacking", "docsite")
# Where the Markdown pages go inside the RST tree (antsibull-docs puts a collection's extra
# docs under docsite/ too).
PAGES_DIR = "docsite"
# antsibull-docs' collection index: the Guides section goes right before its plugin index.
INDEX_ANCHOR = ".. _plugin_index_for_%s:" % COLLECTION
ENV_VARS = "environment_variables"
# [text](target) and ![alt](target) in Markdown, and <img src="target">.
LINK_RE = re.compile(
    r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]+src=\"([^\"]+)\""
)


def log(msg):
    print("==> %s" % msg, flush=True)


def markdown_pages():
    """The site's Markdown pages as repository-relative paths: README first, then docs/, roles/."""
    pages = ["README.md"]
    docs = os.path.join(ROOT, "docs")
    pages += sorted("docs/" + f for f in os.listdir(docs) if f.endswith(".md"))
    roles = os.path.join(ROOT, "roles")
    for role in sorted(os.listdir(roles)):
        if os.path.isfile(os.path.join(roles, role, "README.md")):
            pages.append("roles/%s/README.md" % role)
    return pages


def page_title(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip()
    raise SystemExit("ERROR: %s has no '# title' line; every page of the site needs one" % path)


def linked_files(page):
    """Repository files (not pages) a Markdown page links to, as repository-relative paths."""
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        text = f.read()
    # Links inside fenced code blocks are not links.
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    found = set()
    for match in LINK_RE.finditer(text):
        target = (match.group(1) or match.group(2)).split("#", 1)[0]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            continue
        rel = os.path.normpath(os.path.join(os.path.dirname(page), target))
        if rel.endswith(".md") or rel.startswith(".."):
            continue
        if os.path.isfile(os.path.join(ROOT, rel)):
            found.add(rel)
    return found


def run(cmd, env=None):
    log(" ".join(cmd))
    subprocess.run(cmd, check=True, env=env)


def antsibull_docs(rst, bin_dir):
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".build", "collections")
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    # ansible-doc of this venv's ansible-core, not of whatever venv comes first on PATH.
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("VIRTUAL_ENV", None)
    os.makedirs(rst)
    os.chmod(rst, 0o755)  # antsibull-docs wants its output folder writable by itself only
    run(
        [
            os.path.join(bin_dir, "antsibull-docs"),
            "collection",
            "--use-current",
            "--squash-hierarchy",
            "--fail-on-error",
            "--no-add-antsibull-docs-version",
            "--dest-dir",
            rst,
            COLLECTION,
        ],
        env=env,
    )


def env_var_index(rst):
    """antsibull-docs' index of the environment variables plugins declare: an orphan page that
    nothing links to. Listed under Guides when it lists something, removed when it is empty."""
    path = os.path.join(rst, ENV_VARS + ".rst")
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if "No environment variables have been defined." in text:
        os.remove(path)
        return []
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(":orphan:\n", "", 1))
    return [ENV_VARS]


def guides_section(pages, reference):
    lines = ["Guides", "------", ""]
    groups = [
        ("", [p for p in pages if not p.startswith("roles/")]),
        ("Role guides", [p for p in pages if p.startswith("roles/")]),
    ]
    for caption, group in groups:
        if not group:
            continue
        lines.append(".. toctree::")
        lines.append("    :maxdepth: 1")
        if caption:
            lines.append("    :caption: %s" % caption)
        lines.append("")
        for page in group:
            doc = "%s/%s" % (PAGES_DIR, page[: -len(".md")])
            # Every page needs a title; the README's is the collection's name, shown as Overview.
            page_title(page)
            lines.append("    Overview <%s>" % doc if page == "README.md" else "    %s" % doc)
        lines.append("")
    if reference:
        lines += [".. toctree::", "    :maxdepth: 1", "    :caption: Reference", ""]
        lines += ["    %s" % doc for doc in reference] + [""]
    return "\n".join(lines) + "\n"


def add_pages(rst):
    pages = markdown_pages()
    extra = set()
    for page in pages:
        dest = os.path.join(rst, PAGES_DIR, page)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, page), dest)
        extra |= linked_files(page)
    for rel in sorted(extra):
        dest = os.path.join(rst, PAGES_DIR, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, rel), dest)
    index = os.path.join(rst, "index.rst")
    with open(index, encoding="utf-8") as f:
        text = f.read()
    if text.count(INDEX_ANCHOR) != 1:
        raise SystemExit(
            "ERROR: %s has %d '%s' lines (expected 1): antsibull-docs changed its collection "
            "index; update INDEX_ANCHOR in hacking/build_docsite.py"
            % (index, text.count(INDEX_ANCHOR), INDEX_ANCHOR)
        )
    text = text.replace(
        INDEX_ANCHOR, guides_section(pages, env_var_index(rst)) + "\n" + INDEX_ANCHOR
    )
    with open(index, "w", encoding="utf-8") as f:
        f.write(text)
    log(
        "%d Markdown pages and %d files they link to copied under %s/"
        % (len(pages), len(extra), PAGES_DIR)
    )


def add_static(rst, node_modules):
    dist = os.path.join(node_modules, "mermaid", "dist", "mermaid.min.js")
    if not os.path.isfile(dist):
        raise SystemExit("ERROR: %s is missing: run `make docs-node` (npm ci in tests/docs)" % dist)
    static = os.path.join(rst, "_static", "mermaid")
    os.makedirs(static)
    shutil.copyfile(dist, os.path.join(static, "mermaid.min.js"))
    licence = os.path.join(node_modules, "mermaid", "LICENSE")
    if os.path.isfile(licence):
        shutil.copyfile(licence, os.path.join(static, "LICENSE"))
    for f in ("conf.py", "mermaid_fence.py"):
        shutil.copyfile(os.path.join(CONF_DIR, f), os.path.join(rst, f))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", default=os.path.join(ROOT, ".build", "docs"))
    parser.add_argument(
        "--node-modules", default=os.path.join(ROOT, ".build", "docs-node", "node_modules")
    )
    args = parser.parse_args()
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    out = os.path.abspath(args.out)
    rst, html_dir = os.path.join(out, "rst"), os.path.join(out, "html")
    start = time.monotonic()
    for d in (rst, html_dir, os.path.join(out, "doctrees")):
        shutil.rmtree(d, ignore_errors=True)
    antsibull_docs(rst, bin_dir)
    add_pages(rst)
    add_static(rst, os.path.abspath(args.node_modules))
    run(
        [
            os.path.join(bin_dir, "sphinx-build"),
            "-b",
            "html",
            "-W",
            "--keep-going",
            "-q",
            "-j",
            "auto",
            "-d",
            os.path.join(out, "doctrees"),
            rst,
            html_dir,
        ]
    )
    pages = sum(1 for walked in os.walk(html_dir) for f in walked[2] if f.endswith(".html"))
    log("docs site: %s/index.html (%d pages, %.1fs)" % (html_dir, pages, time.monotonic() - start))


if __name__ == "__main__":
    main()
