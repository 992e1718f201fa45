"""Third review, finding 8 (severity Medium): two command outputs print text written on chain by
someone else without `hashtrust.chain.decode.display`, so ANSI/OSC escape sequences reach the
user's terminal:

* ``hashtrust agents reputation AGENT`` (`ReputationView.text`) prints each feedback ``tag1`` as
  the chain returned it (`ChainText` keeps control characters). Without ``--client`` the view is
  over ALL clients of the agent, and anyone can be a client: one ``giveFeedback`` with
  ``tag1 = "\\x1b[2J..."`` rewrites what every viewer of that agent sees (fake averages included).
* ``hashtrust agents validation ...`` (`ValidationResult.text`) prints the validator's response
  file ``reason`` (from its ``data:`` responseURI) with ``str(...)[:200]`` only.

The texts are built here from the values the chain would return (ChainText, as `decode_log`
makes them); the formatting is the real one.

Suggested fix: pass every chain-derived field through ``display(..., width)`` in these ``text()``
methods (tags, reason, and the ``request_uri`` / ``response_uri`` if ever shown), and keep a
test that greps no f-string in ``commands.py`` interpolates a chain field raw.
"""

from __future__ import annotations

from hashtrust.chain.decode import ChainText
from hashtrust.erc8004.commands import ReputationView, TagSummary, ValidationResult

ESC = "\x1b[2J\x1b[H\x1b]0;owned\x07"


def test_feedback_tags_are_escaped_in_agents_reputation():
    hostile = TagSummary(ChainText((ESC + "quality").encode()), "", 3, 99, 0)
    view = ReputationView(7, ["0x" + "11" * 20], "all 1 client(s) of the agent", TagSummary("", "", 3, 99, 0), [hostile])
    out = view.text()
    assert "\x1b" not in out and "\x07" not in out, f"a client's tag1 reaches the terminal raw: {out!r}"


def test_a_validators_reason_is_escaped_in_agents_validation():
    r = ValidationResult(7, "0x" + "ab" * 32, "0x" + "22" * 20, "FINALIZED", 100, True,
                         response_file={"reason": ESC + "payload verified by 12 independent re-executions"})  # as _data_json decodes it
    out = r.text()
    assert "\x1b" not in out and "\x07" not in out, f"the validator's reason reaches the terminal raw: {out!r}"
