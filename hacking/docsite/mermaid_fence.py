# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A Sphinx `mermaid` directive for MyST's ```mermaid fences (myst_fence_as_directive).

Each diagram becomes `<pre class="mermaid">` holding its source, as Mermaid's own docs embed
diagrams, and pages with one load the mermaid npm package's browser build from _static (a
classic script, so the pages also draw their diagrams opened from disk) and render them on load.
"""

import html

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class mermaid(nodes.General, nodes.Element):  # noqa: N801 # docutils names nodes in lower case
    pass


class Mermaid(SphinxDirective):
    has_content = True

    def run(self):
        if not self.content:
            raise self.error("a mermaid diagram needs content")
        node = mermaid()
        node["code"] = "\n".join(self.content)
        self.set_source_info(node)
        return [node]


def visit_mermaid_html(self, node):
    self.body.append('<pre class="mermaid">%s</pre>\n' % html.escape(node["code"]))
    raise nodes.SkipNode


def skip_mermaid(self, node):
    raise nodes.SkipNode


INIT = "mermaid.initialize({startOnLoad: true, securityLevel: 'strict'});"


def add_script(app, pagename, templatename, context, doctree):
    if doctree is None or not any(doctree.findall(mermaid)):
        return
    app.add_js_file(app.config.mermaid_js)
    app.add_js_file(None, body=INIT)


def setup(app):
    app.add_config_value("mermaid_js", "mermaid/mermaid.min.js", "html")
    app.add_node(
        mermaid,
        html=(visit_mermaid_html, None),
        latex=(skip_mermaid, None),
        text=(skip_mermaid, None),
        man=(skip_mermaid, None),
        texinfo=(skip_mermaid, None),
    )
    app.add_directive("mermaid", Mermaid)
    app.connect("html-page-context", add_script)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
