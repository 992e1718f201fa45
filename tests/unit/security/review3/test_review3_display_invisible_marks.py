"""Third review, finding 5 (severity Low): `hashtrust.chain.decode.display`, the one filter for
hostile text shown on the terminal (agent names, URIs, tags, node messages), escapes C0/C1 controls
and the bidi embeddings/overrides/isolates (U+202A-202E, U+2066-2069) but not the other
Bidi_Control characters (U+061C ARABIC LETTER MARK, U+200E LRM, U+200F RLM) nor the invisible
format characters (U+200B-U+200D zero-width space/joiners, U+2060 WORD JOINER, U+FEFF, U+00AD
soft hyphen). An agent named ``"alice\\u200b"`` prints exactly like ``alice``, so two agents look
alike in `agents list` / `agents rank`, and RLM/ALM reorder neutral characters around numbers
(an agent id or a score next to a name can be shown in a different order).

Suggested fix: escape every character of Unicode category ``Cf`` (format) as well as ``Cc``,
``Zl`` and ``Zp`` (``unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}``), which covers all the
above and future additions.
"""

from __future__ import annotations

import pytest

from hashtrust.chain.decode import display

INVISIBLE = ["\u061c", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("mark", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_an_invisible_or_bidi_mark_in_a_name_is_shown_escaped(mark):
    shown = display("alice" + mark)
    assert shown != "alice" + mark and mark not in shown, f"U+{ord(mark):04X} passed through display() unescaped: {shown!r}"
    assert f"{ord(mark):04x}" in shown or f"{ord(mark):02x}" in shown
