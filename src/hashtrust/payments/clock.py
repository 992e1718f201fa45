"""Two clocks, one validity window.

An EIP-3009 authorization is valid while ``validAfter < block.timestamp < validBefore``: the
token judges it by the **chain's** clock. The ``x402`` package (2.25.0) judges it by the
**host's** wall clock: its client signs ``validBefore = time.time() + maxTimeoutSeconds`` and
its facilitator refuses ``validBefore < time.time() + 6`` or ``validAfter > time.time()``
(`x402.mechanisms.evm.exact.facilitator`, ``_verify``). On a devnet whose clock runs ahead of
the host (``evm_increaseTime``, the demo's 30 vault epochs, ``anvil --timestamp``) the two
disagree: the package's own client then signs authorizations that the package's facilitator
accepts and the token refuses as expired; a devnet behind the host gives the opposite failure.

hashtrust handles it in the open, on both sides, without patching the package:

* the paying client signs a window that is open on **both** clocks:
  ``validAfter = 0`` and ``validBefore = max(chain now, wall now) + maxTimeoutSeconds``
  (`window`), so the package's wall-clock check and the token's chain-clock check both pass;
* the facilitator checks the window against the **chain's** clock before it hands the payment
  to the package (`check_window`), so an authorization that the package would pass on the wall
  clock but that the chain would refuse is refused up front with a reason naming the chain's
  time, and nothing is sent;
* the package's own wall-clock checks still run after that, so an authorization must be valid
  on both clocks; the refusal says which one it failed.

The chain's "now" is the latest block's timestamp; a transaction lands in a later block, whose
timestamp is at least that, so ``validAfter < now`` on the latest block holds at settlement too,
and ``SETTLE_MARGIN_S`` (the package's 6 s) leaves the settlement time to land before
``validBefore``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3

SETTLE_MARGIN_S = 6  # the least time before validBefore a settlement may start (x402's own margin)
MAX_VALIDITY_S = 3600
"""The longest validity the payer signs an EIP-3009 authorization for (third review, finding 7): a
402 asking a longer ``maxTimeoutSeconds`` is refused, nothing signed (our own server asks 120 s)."""


@dataclass(frozen=True)
class Clocks:
    """The two clocks at one moment."""

    chain: int  # latest block timestamp
    wall: int  # host time

    @property
    def skew(self) -> int:
        """Seconds the chain is ahead of the host (negative: behind)."""
        return self.chain - self.wall


def read(w3: Web3, wall: Callable[[], float] = time.time) -> Clocks:
    return Clocks(chain=int(w3.eth.get_block("latest")["timestamp"]), wall=int(wall()))


def window(clocks: Clocks, timeout_s: int) -> tuple[int, int]:
    """(validAfter, validBefore) open on both clocks for ``timeout_s`` seconds."""
    if timeout_s <= SETTLE_MARGIN_S:
        raise ValueError(f"maxTimeoutSeconds must be more than {SETTLE_MARGIN_S}, got {timeout_s}")
    if timeout_s > MAX_VALIDITY_S:
        raise ValueError(f"maxTimeoutSeconds must be at most {MAX_VALIDITY_S}, got {timeout_s}")
    return 0, max(clocks.chain, clocks.wall) + int(timeout_s)


def check_window(clocks: Clocks, valid_after: int, valid_before: int) -> tuple[str, str] | None:
    """None when the window is open on the chain's clock now (with the settlement margin), else
    ``(which bound, reason)`` with which bound = ``"validAfter"`` or ``"validBefore"``."""
    if valid_before < clocks.chain + SETTLE_MARGIN_S:
        past = "has passed" if valid_before <= clocks.chain else f"is less than {SETTLE_MARGIN_S} s away"
        return "validBefore", (f"validBefore {valid_before} {past} on the chain's clock (latest block {clocks.chain}; "
                               f"the chain is {clocks.skew:+d} s from this host's clock)")
    if valid_after >= clocks.chain:
        return "validAfter", (f"validAfter {valid_after} is not yet reached on the chain's clock (latest block {clocks.chain}; "
                              f"the chain is {clocks.skew:+d} s from this host's clock)")
    return None
