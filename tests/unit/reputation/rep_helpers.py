"""Shared constants and the `give` helper of the reputation tests."""

AGENT = 1
MISSING_AGENT = 404
ZERO = "0x0000000000000000000000000000000000000000"
HASH = b"\x11" * 32
NO_HASH = b"\x00" * 32


def give(rep, who, value=87, decimals=0, tag1="starred", tag2="", endpoint="", uri="", h=NO_HASH, agent=AGENT):
    return rep.giveFeedback(agent, value, decimals, tag1, tag2, endpoint, uri, h, sender=who)
