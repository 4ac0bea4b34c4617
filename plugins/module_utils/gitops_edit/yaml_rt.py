# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Round-trip YAML (ruamel.yaml) for editing a user's file: loading and re-emitting with the
file's own indentation, new scalars quoted the way the file quotes, and the comments that follow
a mapping kept after it when keys are added at its end. The only file that imports ruamel."""

from __future__ import annotations

import io
import re
from collections import Counter

try:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import CommentMark, YAMLError
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        ScalarString,
        SingleQuotedScalarString,
    )
    from ruamel.yaml.tokens import CommentToken

    HAS_RUAMEL = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_RUAMEL = False
    ScalarString = CommentedMap = CommentedSeq = ()

# What PyYAML / YAML 1.1 readers (Helm's Go YAML library among them) would read as something
# other than a string when left plain: a new string that looks like one of these is quoted.
_NOT_PLAIN = re.compile(
    r"""^(?:
        ~|null|Null|NULL|
        y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|
        [-+]?(?:0|[1-9][0-9_]*|0[0-7_]+|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+)|
        [-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|
        [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|
        [0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|
        =|<<
    )$""",
    re.X,
)
# Characters a plain scalar may not start with ("-", "?" and ":" only before a space or alone).
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
_KEY_ONLY = re.compile(r"^(?P<dash>- +)?[^#\s][^#]*:\s*(?:#.*)?$")


class Style:
    """How the file is written: its indentation (mapping, sequence, dash offset, as ruamel.yaml
    takes them) and the quote it uses most."""

    def __init__(self, mapping=2, offset=0, quote='"'):
        self.mapping, self.offset, self.quote = mapping, offset, quote
        self.sequence = offset + 2


def guess_style(text):
    """The indentation and quoting most of the file's lines use (2/0 and double quotes when it
    does not say)."""
    maps, offsets, quotes = Counter(), Counter(), Counter()
    key_col = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        col = len(line) - len(line.lstrip(" "))
        if key_col is not None:
            if stripped == "-" or stripped.startswith("- "):
                offsets[col - key_col] += 1
            elif col > key_col:
                maps[col - key_col] += 1
        m = _KEY_ONLY.match(stripped)
        key_col = (col + len(m.group("dash") or "")) if m else None
        value = stripped.split(": ", 1)[1] if ": " in stripped else ""
        if value[:1] in ("'", '"'):
            quotes[value[0]] += 1
    mapping = _most_common(Counter({k: v for k, v in maps.items() if k > 0}), 2)
    offset = _most_common(Counter({k: v for k, v in offsets.items() if k >= 0}), 0)
    return Style(mapping=mapping, offset=offset, quote=_most_common(quotes, '"'))


def _most_common(counter, default):
    return counter.most_common(1)[0][0] if counter else default


def _yaml(style):
    y = YAML(typ="rt", pure=True)
    y.preserve_quotes = True
    y.width = 1 << 16  # never fold a long line the user wrote on one line
    y.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    return y


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; the message says what and where."""


def load_all(text, style):
    """The documents of ``text`` as round-trip nodes. Raises YamlSyntaxError."""
    try:
        return list(_yaml(style).load_all(text))
    except YAMLError as exc:
        raise YamlSyntaxError(_error_text(exc)) from None


def dump_all(docs, style):
    out = io.StringIO()
    _yaml(style).dump_all(docs, out)
    return out.getvalue()


def _error_text(exc):
    """One line for a ruamel.yaml error: what and where (1-based line and column)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    context = getattr(exc, "context", None)
    where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
    return "%s%s%s" % ("%s, " % context if context else "", problem, where)


def is_map(node):
    return isinstance(node, dict)


def plain(node):
    """Plain Python data of a node (dicts, lists, scalars), for comparing meanings."""
    if isinstance(node, dict):
        return {plain(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, ScalarString):
        return str(node)
    return node


def _kind(value):
    if value is None or isinstance(value, bool):
        return repr(value) if value is None else "bool"
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


def same(a, b):
    """Equal as YAML data, types included (True is not 1, "1" is not 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return _kind(a) == _kind(b) and a == b


def _needs_quotes(text):
    return (
        text == ""
        or text != text.strip()
        or text[0] in _PLAIN_START
        and not (text[0] in "-?:" and text[1:2] not in ("", " "))
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or bool(_NOT_PLAIN.match(text))
    )


def new_scalar(value, style, like=None):
    """A scalar to write: a string keeps the quoting of the value it replaces (``like``), else
    is quoted in the file's style when a YAML 1.1 or 1.2 reader would not read it back as the
    same string; multi-line strings become literal blocks."""
    if not isinstance(value, str):
        return value
    if "\n" in value:
        return LiteralScalarString(value)
    if isinstance(like, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        return type(like)(value)
    if _needs_quotes(value):
        single = style.quote == "'"
        if ("'" if single else '"') in value and ('"' if single else "'") not in value:
            single = not single  # the other quote needs no escaping
        return (SingleQuotedScalarString if single else DoubleQuotedScalarString)(value)
    return value


def literal(text):
    """A string written as a literal block (``|``)."""
    return LiteralScalarString(text)


def to_node(value, style):
    """Plain data as round-trip nodes, block style, strings as new_scalar() writes them."""
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = to_node(v, style)
        return node
    if isinstance(value, list):
        node = CommentedSeq()
        for v in value:
            node.append(to_node(v, style))
        return node
    return new_scalar(value, style)


def block_style(node):
    """An empty flow mapping (``podLabels: {}``) that gets keys is written as a block."""
    if isinstance(node, CommentedMap) and not len(node) and node.fa.flow_style():
        node.fa.set_block_style()


def _tail_levels(node):
    """The levels of last items of a block collection, outermost first: (collection, its
    comment slots, the last key or index, the slot's position and size)."""
    levels = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node) and not node.fa.flow_style():
        if isinstance(node, CommentedMap):
            key = next(reversed(node))
            levels.append((node, node.ca.items, key, 2, 4))
        else:
            key = len(node) - 1
            levels.append((node, node.ca.items, key, 0, 2))
        node = node[key]
    return levels


def detach_tail(node):
    """Take the comment lines that follow the last item of ``node`` (a header of whatever comes
    next, blank lines) off it, leaving the end-of-line comment; returns them as text. They are
    on the last item (after its end-of-line comment) or at the end of a collection, innermost
    first in the text."""
    rest = ""
    for collection, items, key, pos, _size in reversed(_tail_levels(node)):
        token = (items.get(key) or [None] * 4)[pos]
        if token is not None and isinstance(token.value, str):
            eol, sep, more = token.value.partition("\n")
            if more:
                token.value = eol + sep
                rest += more
        for token in collection.ca.end or ():
            rest += " " * (token.column or 0) + token.value
        collection.ca.end = []
    return rest


def attach_tail(node, rest):
    """Put comment lines (from detach_tail) after the last item of ``node``."""
    levels = _tail_levels(node)
    if not rest or not levels:
        return
    _collection, items, key, pos, size = levels[-1]
    entry = items.setdefault(key, [None] * size)
    if entry[pos] is None:
        entry[pos] = CommentToken("\n" + rest, CommentMark(0))
    else:
        entry[pos].value += rest
