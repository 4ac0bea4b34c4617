# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Sphinx configuration of the documentation site (hacking/build_docsite.py copies it into the
RST tree antsibull-docs wrote and builds there).

Based on what `antsibull-docs sphinx-init --use-current` generates, with three changes: no
intersphinx (the build is offline), MyST for the Markdown pages (README, docs/*.md, the role
READMEs), and Mermaid diagrams drawn in the browser by the npm package's own build, copied into
_static by the build script: nothing is loaded from another host.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = "meshgate.istio_lb"
copyright = "2026, meshgate authors"  # noqa: A001 # pylint: disable=redefined-builtin
author = "meshgate platform team"

title = "meshgate.istio_lb documentation"
html_short_title = "meshgate.istio_lb"
html_title = "meshgate.istio_lb documentation"

extensions = ["sphinx_antsibull_ext", "myst_parser", "mermaid_fence"]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_theme_options = {
    "show_extranav": False,
    "show_rtd_ethical_ads": False,
    "display_version": False,
    # No top bar of links to Ansible's own sites (the theme's default).
    "topbar_links": {},
}
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_static_path = ["_static"]

default_role = "any"

# No network at build time: no intersphinx inventories are fetched. The generated plugin pages
# refer to two labels of Ansible's own docsite (what intersphinx with the `ansible_devel`
# inventory of `antsibull-docs sphinx-init` would resolve); they link there, any other missing
# label still fails the build.
ANSIBLE_DOCSITE = "https://docs.ansible.com/projects/ansible/devel/"
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": (
        "reference_appendices/config.html",
        "Ansible Configuration Settings",
    ),
}

# Markdown: GitHub-style heading anchors (README links such as docs/architecture.md#adding-a-vendor
# and docs/findings.md's #mg0001 keep working), ```mermaid fences become the mermaid directive.
myst_heading_anchors = 4
myst_fence_as_directive = ["mermaid"]
myst_enable_extensions = ["strikethrough"]
suppress_warnings = ["myst.strikethrough"]

# Where the build script copies the mermaid npm package's browser build, under _static.
mermaid_js = "mermaid/mermaid.min.js"


def resolve_ansible_label(app, env, node, contnode):
    """The ANSIBLE_LABELS above as links to Ansible's docsite (offline intersphinx, two entries)."""
    from docutils import nodes

    target = ANSIBLE_LABELS.get(node.get("reftarget"))
    if node.get("refdomain") != "std" or target is None:
        return None
    ref = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCSITE + target[0])
    if node.get("refexplicit"):
        ref.append(contnode)
    else:
        ref.append(nodes.inline(target[1], target[1]))
    return ref


def home_link(app, pagename, templatename, context, doctree):
    """The theme's top bar links to theme_documentation_home_url as written (default "/", the
    server's root, or the disk's root from file://): make it the site's index, relative to the page.
    """
    context["theme_documentation_home_url"] = context["pathto"](app.config.root_doc)


def setup(app):
    app.connect("missing-reference", resolve_ansible_label)
    app.connect("html-page-context", home_link)
