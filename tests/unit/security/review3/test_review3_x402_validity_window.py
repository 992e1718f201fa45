"""Third review, finding 7 (severity Medium): the payer signs its EIP-3009 authorization for as
long as the agent's 402 asks. `ChainClockEvmScheme.create_payment_payload` takes the 402's
``maxTimeoutSeconds`` as it comes (``clock.window`` only checks it is above the 6 s margin) and
`check_requirement` does not look at it, so a service asking ``maxTimeoutSeconds: 10**12`` gets a
signed transfer usable for 31,000 years. The service can keep it, answer an error (or nothing),
and settle it whenever it likes: the client's safety net is a cancel transaction (gas, and it
may fail, leaving the authorization live: the message then says "it stays usable until
<year 33,000>"), and with ``--keep-authorization`` there is none. Our own server asks 120 s.

Suggested fix: refuse (in `check_requirement`, "nothing was signed") a ``maxTimeoutSeconds``
above a client cap (e.g. 600 s, a `Payer` option), or sign ``min(asked, cap)``.
"""

from __future__ import annotations

from x402.schemas import PaymentRequirements

from hashtrust.payments.client import ChainClockEvmScheme, check_requirement

KEY = "0x" + "59" * 32
TOKEN = "0x" + "aa" * 20
WALLET = "0x" + "bb" * 20
NOW = 1_800_000_000
CAP_S = 3600  # far above any honest maxTimeoutSeconds (x402's examples use 60-300)


class _Eth:
    def get_block(self, _which):
        return {"timestamp": NOW}


class _W3:
    eth = _Eth()


def _requirement(max_timeout_seconds: int) -> PaymentRequirements:
    return PaymentRequirements(scheme="exact", network="eip155:31337", asset=TOKEN, amount="5", pay_to=WALLET,
                               max_timeout_seconds=max_timeout_seconds, extra={"name": "TestUSD", "version": "1"})


def test_a_402_asking_a_31000_year_validity_is_not_signed_for_it():
    req = _requirement(10**12)
    why = check_requirement(req, chain_id=31337, token=TOKEN, token_domain=("TestUSD", "1"), wallet=WALLET, max_price=5)
    if why is not None:  # refused before signing: the fix
        assert "maxTimeoutSeconds" in why or "valid" in why, why
        return
    scheme = ChainClockEvmScheme(KEY, _W3())
    scheme.create_payment_payload(req)
    auth = scheme.last_authorization
    lasts = auth.valid_before - max(NOW, 0)
    assert lasts <= CAP_S + 60, f"signed an authorization usable for {lasts:,} s ({lasts // (365 * 86400):,} years) because the 402 asked"


def test_the_cap_is_also_enforced_where_the_window_is_signed():
    import pytest

    from hashtrust.payments import clock

    scheme = ChainClockEvmScheme(KEY, _W3())
    with pytest.raises(ValueError, match="at most"):
        scheme.create_payment_payload(_requirement(clock.MAX_VALIDITY_S + 1))
    assert scheme.last_authorization is None
    scheme.create_payment_payload(_requirement(clock.MAX_VALIDITY_S))
    assert scheme.last_authorization.valid_before <= NOW + clock.MAX_VALIDITY_S + 60
    ok = check_requirement(_requirement(120), chain_id=31337, token=TOKEN, token_domain=("TestUSD", "1"), wallet=WALLET, max_price=5)
    assert ok is None
