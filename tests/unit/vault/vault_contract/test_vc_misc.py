"""The vault's remaining revert paths and events: sale, funding, proceeds, fees, roles, rewards."""

import boa
from vc_env import DAY, PRICE_PER_TH, TH, deploy, fund, load, logs, publish_before_end, report, warp

ZERO = "0x" + "00" * 20


def test_buy_refusals_and_event():
    env = deploy(holdings=())
    v, h = env.vault, env.holders[0]
    with boa.env.prank(h):
        with boa.reverts("vault: zero shares"):
            v.buy(0, 2**256 - 1, h)
        with boa.reverts("vault: zero receiver"):
            v.buy(TH, 2**256 - 1, ZERO)
        with boa.reverts("vault: payment above max"):
            v.buy(TH, PRICE_PER_TH - 1, h)
        assert v.preview_buy(TH + 1) == PRICE_PER_TH + 1
        assert v.buy(TH, PRICE_PER_TH, h) == PRICE_PER_TH
    (ev,) = logs(v, "Bought")
    assert (ev.buyer, ev.receiver, ev.shares, ev.payment) == (h, h, TH, PRICE_PER_TH)
    assert v.max_buy(ZERO) == 0
    warp(v.SALE_END())
    assert v.max_buy(h) == 0
    with boa.env.prank(h), boa.reverts("vault: sale ended"):
        v.buy(TH, 2**256 - 1, h)
    assert v.withdraw_proceeds() == PRICE_PER_TH
    (ev,) = logs(v, "ProceedsWithdrawn")
    assert (ev.treasury, ev.amount) == (env.treasury, PRICE_PER_TH) and env.usd.balanceOf(env.treasury) == PRICE_PER_TH


def test_fund_refusals_and_events():
    env = deploy()
    v = env.vault
    with boa.env.prank(env.operator), boa.reverts("vault: epoch not reported"):
        v.fund_epoch(0)
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    fund(env, 0)
    (f,) = logs(v, "EpochFunded")
    (n,) = logs(v, "RewardsNotified")
    assert (f.epoch, f.gross, f.fee, f.perf, f.net) == (0, 100_000, 12_400, 8_760, 78_840)
    assert n.amount == 78_840 and n.period_finish == v.period_finish() and n.rate_scaled == 78_840 * 10**18 // DAY
    with boa.env.prank(env.operator), boa.reverts("vault: epoch already funded"):
        v.fund_epoch(0)
    report(env, 1, 400, 5)
    warp(v.report_deadline(1) + 1)
    with boa.env.prank(env.operator), boa.reverts("vault: epoch deadline passed"):
        v.fund_epoch(1)


def test_funding_refused_by_the_token():
    env = deploy()
    v = env.vault
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    with boa.env.prank(env.operator):
        env.wbtc.approve(v.address, 0)
    with boa.env.prank(env.operator), boa.reverts():
        v.fund_epoch(0)  # no allowance: the token refuses


def test_fee_on_transfer_reward_token_refused_and_settlement_not_reentrant():
    tok = load("MockVaultToken", 8)
    env = deploy(wbtc=tok)
    v = env.vault
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    tok.set_fee_bps(100)
    with boa.env.prank(env.operator), boa.reverts("vault: reward token fee-on-transfer"):
        v.fund_epoch(0)
    tok.set_fee_bps(0)
    # a token calling back into the vault while the trust pays a settlement: the lock refuses it
    a, c = env.holders[0], env.holders[2]
    # claim_for(a) would succeed from anyone outside a vault call: only the lock can refuse it
    tok.set_hook(v.address, v.claim_for.prepare_calldata(a))
    env.trust.set_owed(0, 4_000)
    warp(v.report_deadline(0) + 1)
    calls = tok.hook_calls()
    with boa.env.prank(a):
        v.transfer(c, TH)
    assert tok.hook_calls() > calls and not tok.hook_succeeded()
    assert v.claimable(a) == 1_000 and v.balanceOf(c) == TH


def test_roles_and_receivers():
    env = deploy()
    v, (a, b) = env.vault, env.holders[:2]
    g = boa.env.generate_address("guardian2")
    with boa.env.prank(a), boa.reverts("ownable: caller is not the owner"):
        v.set_guardian(g)
    v.set_guardian(g)
    (ev,) = logs(v, "GuardianSet")
    assert ev.guardian == g and v.guardian() == g
    with boa.env.prank(a):
        v.set_rewards_receiver(b)
    (ev,) = logs(v, "RewardsReceiverSet")
    assert (ev.owner, ev.receiver) == (a, b) and v.rewards_receiver(a) == b
    env.trust.set_owed(0, 4_000)
    warp(v.report_deadline(0) + 1)
    with boa.env.prank(a):
        assert v.claim() == 1_000
    assert env.wbtc.balanceOf(b) == 1_000
    (ev,) = logs(v, "Claimed")
    assert (ev.owner, ev.receiver, ev.amount) == (a, b, 1_000)


def test_withdraw_fees_event_with_nothing_accrued():
    env = deploy()
    assert env.vault.withdraw_fees() == 0
    (ev,) = logs(env.vault, "FeesWithdrawn")
    assert (ev.recipient, ev.amount) == (env.fee_recipient, 0)
