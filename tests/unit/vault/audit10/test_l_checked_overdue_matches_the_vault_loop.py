"""audit10, checked (fed67ea): `VaultTrust._overdue` (used by `post_bond`) is exactly the vault's
settlement-loop condition, over a term with funded, reported-unfunded and unreported epochs, an
early `unpause`, a pause left to expire and one running across the term's end, probed every 3 h
from the term's start to past the last attest deadline:

- a top-up is refused ("epochs overdue") exactly when a `settle_due` would move a cursor (settle
  or skip), so no top-up lands while a settlement (or a skip before one) is pending, and none is
  refused when nothing is pending;
- one `settle_due(64)` (anyone) always clears it: right after it a top-up is accepted (or, with
  every cursor at N_EPOCHS, "term over"); `settle_due(1)` calls repeated clear it too;
- a transfer (it settles up to 4 epochs itself) is refused only while due, and one that goes
  through leaves nothing due (a top-up is accepted right after it);
- between probes the state is only settled every third probe, so due windows last."""

import boa
from scenario import fund, report, trust_vault, warp

H = 3_600


def _try(fn):
    try:
        fn()
        return "ok"
    except boa.BoaError as exc:
        lines = {ln.strip() for ln in str(exc).splitlines()}  # the reason line (not the source excerpt)
        for r, reason in (("epochs overdue", "trust: epochs overdue, call settle_due"), ("epochs overdue", "vault: epochs overdue, call settle_due"), ("term over", "trust: term over")):
            if reason in lines:
                return r
        raise


def test_overdue_is_the_vault_loop_condition_through_pauses():
    env, t = trust_vault(holdings=(100, 50), n_epochs=12)
    v, tr = env.vault, t.trust
    keeper, sup, h0, h1 = env.holders[-1], env.holders[2], env.holders[0], env.holders[1]
    env.wbtc.mint(sup, 10**9)
    with boa.env.prank(sup):
        env.wbtc.approve(tr.address, 2**256 - 1)
    funded, unfunded = {0, 2, 3, 5, 8, 10}, {4, 9}
    pauses = {1: "early", 6: "expire", 11: "expire"}  # start just after epoch e's end
    done = set()
    paused_at = {}
    start, stop = v.epoch_end(0) - 86_400, v.attest_deadline(11) + 10 * 86_400
    ts, i, checked = start, 0, 0
    while ts < stop:
        for e in range(12):
            if e in done or boa.env.timestamp > v.epoch_end(e) + 600 or ts < v.epoch_end(e):
                continue
            done.add(e)
            if e in funded | unfunded and not v.paused():
                report(env, e, 90 * 10**18, 6_000)
                if e in funded:
                    fund(env, e)
            if e in pauses and not v.paused():
                warp(v.epoch_end(e) + 900)
                with boa.env.prank(env.guardian):
                    v.pause()
                paused_at[e] = boa.env.timestamp
        for e, s in list(paused_at.items()):
            if pauses[e] == "early" and boa.env.timestamp >= s + 2 * 86_400:
                with boa.env.prank(env.admin):
                    v.unpause()
                del paused_at[e]
        warp(ts)
        u, a = v.cursors()
        with boa.env.anchor():
            with boa.env.prank(sup):
                top_up = _try(lambda: tr.post_bond(1))
        with boa.env.anchor():
            with boa.env.prank(keeper):
                v.settle_due(64)
            moved = v.cursors() != (u, a)
            with boa.env.prank(sup):
                after = _try(lambda: tr.post_bond(1))
        with boa.env.anchor():
            with boa.env.prank(h0):
                xfer = _try(lambda: v.transfer(h1, 1))
            with boa.env.prank(sup):
                xfer_after = _try(lambda: tr.post_bond(1))  # a transfer that went through settled what was due
        with boa.env.anchor():
            for _ in range(40):
                with boa.env.prank(keeper):
                    v.settle_due(1)
            with boa.env.prank(sup):
                after1 = _try(lambda: tr.post_bond(1))
        if min(u, a) < 12:
            if tr.n_settled() == 12:  # every epoch settled (audit10 L1): refused as such, whatever the cursors
                assert top_up == "term over", (ts, (u, a), top_up)
            else:
                assert (top_up == "epochs overdue") == moved, (ts, (u, a), top_up, moved)
            assert xfer == "ok" or moved, (ts, (u, a), xfer)  # refused only while due
            assert xfer_after in ("ok", "term over") or xfer == "epochs overdue", (ts, xfer, xfer_after)
            assert after in ("ok", "term over") and after1 in ("ok", "term over"), (ts, after, after1)
            checked += 1
        if i % 3 == 2:
            with boa.env.prank(keeper):
                v.settle_due(64)
        ts += 3 * H
        i += 1
    assert checked > 100
    assert v.settle_cursor() == 12 and all(tr.record(e).settled for e in range(12))
