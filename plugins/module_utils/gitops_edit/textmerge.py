# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A line-based three-way merge, so an edit keeps the file's own formatting.

A round-trip YAML library re-emits a whole document: it keeps comments, key order and quoting,
but not every byte (``key: null`` comes back as ``key:``, indentation is made uniform, a leading
``---`` may go). So the edit is made twice: ``base`` is the original re-emitted unchanged,
``edited`` the same with the values merged. Only what differs between those two is applied to
the original text; everything else stays as the user wrote it (diff3 with the original as one
side and the edited re-emission as the other). Pure; no YAML here.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _matches(a, b):
    """{index in a: index in b} of the lines SequenceMatcher pairs (monotonic in both)."""
    pairs = {}
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            pairs[block.a + k] = block.b + k
    return pairs


def _conflict(orig, base, edited):
    """One region changed on both sides: when the original and the base have the same number of
    lines there (only formatting differs, line by line), the edit's changes are applied to the
    original's lines; otherwise the edited lines are taken as they are (the caller checks the
    meaning of the whole)."""
    if not base:
        # Both added lines at one place: the edit's (keys appended to what comes before) go
        # first, then the original's (a `...` or `---` the re-emission dropped).
        return list(edited) + list(orig)
    if len(orig) != len(base):
        return list(edited)
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, edited, autojunk=False).get_opcodes():
        out.extend(orig[i1:i2] if tag == "equal" else edited[j1:j2])
    return out


def merge3(orig, base, edited):
    """The original text (a list of lines) with the changes from base to edited applied.

    Regions where only the edit changed take the edit; regions where only the original differs
    from base (formatting the re-emission lost) keep the original; regions both changed go
    through _conflict(). The caller checks that the result means what ``edited`` means."""
    to_orig, to_edited = _matches(base, orig), _matches(base, edited)
    stable = [i for i in range(len(base)) if i in to_orig and i in to_edited]
    out = []
    prev_b, prev_o, prev_e = -1, -1, -1
    for b in stable + [len(base)]:
        o = to_orig.get(b, len(orig))
        e = to_edited.get(b, len(edited))
        chunk_o, chunk_b, chunk_e = (
            orig[prev_o + 1 : o],
            base[prev_b + 1 : b],
            edited[prev_e + 1 : e],
        )
        if chunk_o == chunk_b:
            out.extend(chunk_e)
        elif chunk_e == chunk_b:
            out.extend(chunk_o)
        else:
            out.extend(_conflict(chunk_o, chunk_b, chunk_e))
        if b < len(base):
            out.append(orig[o])
        prev_b, prev_o, prev_e = b, o, e
    return out
