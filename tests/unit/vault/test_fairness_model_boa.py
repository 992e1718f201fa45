"""Fairness of the vault against a model of who held what when (issue 14), hypothesis over titanoboa.

The adversary may, at any step: buy (the machine tries whenever it likes; it expects a revert
exactly when `max_buy` says the sale cannot take the shares), transfer, transferFrom after an
EIP-2612 `permit` signed by the owner (or after a plain `approve`), self-transfer, zero-amount
transfer, checkpoint anyone (also by `transfer(victim, 0)`), claim_for anyone, claim (to itself or
an explicit receiver), set a rewards receiver, report and fund (operator), attest and finalise,
declare a default, post bond, and wait any time (boa time travel). Every balance change and every
epoch's figures go to `fairness_model.FairnessModel`, which integrates balances over time in exact
fractions and never reads the contract's accumulator.

Invariants, after every step (the failure message starts with the invariant's name):

- F1 `entitlement`: for each holder, claimable + already claimed equals the model within 1 sat per
  claim made on the holder's rewards (model - (claims + 1) <= paid + claimable <= model + 1).
- F2 `non_holder_cannot_lower`: no action by an account that is not the holder lowers the holder's
  claimable + already claimed (the operator's actions and waiting included).
- F3 `default_within_expected`: a default never slashes more than the epoch's own expected net
  (the model's `expected(e)`, at the supply of the epoch's end).
- F4 `uptime_at_epoch_supply`: the uptime posted on finalisation (the `EpochFinalized` event, and
  the feedback the ReputationRegistry stored) equals delivered * 10_000 // the epoch's supply.

Deployment: `boa_vault.deploy` + `bind_trust` (reused, not copied). The machine first asks for a
primary sale that stays open 5 days into the term; a contract that refuses a sale overlapping the
term (the planned fix) is deployed with the sale ending at TERM_START instead, and the machine
then expects buys during the term to revert.

Mutation evidence on main at 606f958 (the contract before the issue-14 fixes), measured with
`python tests/unit/vault/mutants/run.py --survey` (generation only, no shrinking, 40-step
examples, first violation of each invariant, attributed as described in `_classify`), seeds 1-5,
20 examples x 40 steps each; "step N (ex k)" = the N-th rule step of the run, in example k:

| defect (issue 14)                         | invariant           | seed 1      | seed 2      | seed 3      | seed 4      | seed 5      |
|-------------------------------------------|---------------------|-------------|-------------|-------------|-------------|-------------|
| 1 default priced at today's supply        | F3 slash > expected | not found   | 111 (ex 3)  | not found   | not found   | 261 (ex 7)  |
| 1 (its effect on holders)                 | F1 default priced   | not found   | 112 (ex 3)  | not found   | not found   | 263 (ex 7)  |
| 2 uptime at finalisation supply           | F4                  | 216 (ex 6)  | 184 (ex 5)  | 376 (ex 10) | not found   | 101 (ex 3)  |
| 3 forced rounding by third-party settles  | F1 rounding         | 409 (ex 11) | 116 (ex 3)  | 670 (ex 18) | 134 (ex 4)  | 215 (ex 6)  |
| 4 late mints take earned rewards          | F1 late mint        | 105 (ex 3)  | 177 (ex 5)  | 296 (ex 8)  | 104 (ex 3)  | 99 (ex 3)   |

On main at 53f82c5 (the issue-14 fixes merged: sale closed before the term, epoch supply recorded
at report, accruals unrounded until claim) the machine finds nothing (seed 1, 8 x 40 steps). There
`mutants/run.py` (seed 1 or 2, 20 x 40): `mint-into-stream` killed after 105 steps (F1);
`supply-now-in-expected` and `uptime-at-supply-now` survive alone -- with the sale closed before
the term the supply cannot change during it, so "supply now" equals the epoch's supply (equivalent
mutants) -- and are killed combined with `mint-into-stream` (`+`): after 111 steps (F3) and 113
steps (F1); `floor-in-checkpoint` errors in set-up (an unexpected revert titanoboa cannot decode;
not investigated).

F2 (non-holder lowers a holder's claimable + claimed) never fired on main: the pre-fix contract
loses sats to rounding silently (claimable is floored the same way before and after a forced
checkpoint), so the loss shows only against the model (F1). In pytest (profile "ci",
derandomized) the machine fails on main with F1 within its first examples; shrinking then takes
minutes (the failure is real, not flaky).

Steps and examples come from the active hypothesis profile (tests/conftest.py: "ci" 8 x 40 for
`make test`, "deep" 20 x 100 for `make test-deep`).
"""

from __future__ import annotations

import os

import boa
from boa_vault import DAY, bind_trust, deploy
from eth_account import Account
from eth_account.messages import encode_typed_data
from fairness_model import FairnessModel
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hashtrust.hashrate.economics import TH, FeeParams

N_EPOCHS = 20
GRACE = DAY
SALE_INTO_TERM_DAYS = 8
PERMIT_KEY = "0x" + "4b" * 32  # the keyed holder (EIP-2612 permits need a private key)
FUNDED, FINALIZED, DEFAULTED = 2, 4, 8
MAX = 2**256 - 1

# Survey mode (tests/unit/vault/mutants/run.py): record each invariant's first violation instead
# of raising, so one run measures every defect. None in pytest: the first violation fails the test.
SURVEY: dict | None = None
STATS = {"steps": 0, "examples": 0}
FIRST: dict | None = None  # where the first violation was found (mutants/run.py reads it)

holder = st.integers(0, 3)


def _classify(kind: str, machine: "FairnessMachine", who: int | None) -> str:
    """Name the defect behind a violation (survey only). F1 is split with a twin model that follows
    the contract's own slash amounts and lets every share earn from every stream: a holder that
    disagrees with the twin lost sats to rounding; one that agrees with the twin but not with the
    model was diluted by a late mint or paid from an over-priced default."""
    if kind != "F1":
        return kind
    h = machine.h[who]
    actual = machine._total(h)
    twin = machine.twin.entitled(h, machine.now())
    tol = machine.claims[h] + 1
    fair = machine.model.entitled(h, machine.now())
    structural = "F1 default priced now" if machine.overslashed else "F1 late mint"
    if twin - tol <= actual <= twin + 1:
        return structural  # the contract pays the plain pro-rata rule exactly: the rule differs
    # each settlement of the holder can floor away under 1 sat: more than that is no rounding
    if not (twin - tol - machine.settled[h] <= actual <= twin + 1):
        return "F1 unexplained"
    return structural if abs(fair - twin) > tol + machine.settled[h] else "F1 rounding"


class FairnessMachine(RuleBasedStateMachine):
    @initialize(
        perf=st.integers(0, 3_000), kwh=st.integers(0, 100_000), first=st.integers(1, 60), second=st.integers(0, 60), bond=st.integers(0, 20_000)
    )
    def setup(self, perf, kwh, first, second, bond):
        STATS["examples"] += 1
        self.params = FeeParams(17_500, kwh, 10_000, perf)
        common = dict(term_start_in=DAY, n_epochs=N_EPOCHS, capacity_ths=200, params=self.params, grace=GRACE, n_holders=3)
        try:
            self.env = deploy(sale_days=1 + SALE_INTO_TERM_DAYS, **common)
        except Exception:  # a vault that closes the sale before the term (the issue-14 fix)
            self.env = deploy(sale_days=1, **common)
        self.v = self.env.vault
        key = Account.from_key(PERMIT_KEY)
        self.key = key
        self.h = [*self.env.holders, key.address]
        self.env.usd.mint(key.address, 10**15)
        with boa.env.prank(key.address):
            self.env.usd.approve(self.v.address, MAX)
        self.mallory = boa.env.generate_address("mallory")
        self.outsider = boa.env.generate_address("receiver")
        self.t = bind_trust(self.env)
        self.model = FairnessModel(self.v.TERM_START(), self.params, self.v.hp_difficulty(), self.v.hp_sats_per_block())
        self.twin = FairnessModel(self.v.TERM_START(), self.params, self.v.hp_difficulty(), self.v.hp_sats_per_block(), eligibility=False)
        self.paid = {a: 0 for a in self.h}
        self.claims = {a: 0 for a in self.h}
        self.settled = {a: 0 for a in self.h}  # settlements (checkpoints) of each holder, for _classify
        self.receiver = {a: a for a in self.h}
        self.requested: set[tuple[int, int]] = set()
        self.overslashed = False
        self.actor: int | None = None
        self.prev: dict[str, int] | None = None
        self.steps = 0
        self.term_start = self.v.TERM_START()
        self.status = [0] * N_EPOCHS  # mirror of epochs(e).status, kept by the rules (saves calls)
        self._buy(0, first * TH, 0)
        if second:
            self._buy(1, second * TH, 1)
        if bond:
            self._post_bond(bond)

    # ------------------------------------------------------------ helpers
    def now(self) -> int:
        return boa.env.timestamp

    def _violation(self, kind: str, msg: str, who: int | None = None) -> None:
        if SURVEY is None:
            if FIRST is None:  # hypothesis replays a failing example: keep the first finding's count
                globals()["FIRST"] = {"example": STATS["examples"], "steps": STATS["steps"]}
            raise AssertionError(f"{kind}: {msg}")
        name = _classify(kind, self, who)
        if name not in SURVEY:
            SURVEY[name] = {"example": STATS["examples"], "steps": STATS["steps"], "step_in_example": self.steps, "detail": msg}

    def _total(self, a: str) -> int:
        return self.v.claimable(a) + self.paid[a]

    def _wait(self, seconds: int) -> None:
        if seconds:
            boa.env.time_travel(seconds=seconds)

    def _start(self, actor: int | None) -> None:
        self.steps += 1
        STATS["steps"] += 1
        self.actor = actor

    def _buy(self, payer: int, shares: int, to: int) -> None:
        a, r = self.h[payer], self.h[to]
        mx = self.v.max_buy(r)
        if shares == 0 or shares > mx:
            with boa.reverts():
                with boa.env.prank(a):
                    self.v.buy(shares, MAX, r)
            return
        with boa.env.prank(a):
            self.v.buy(shares, MAX, r)
        self.settled[r] += 1
        for m in (self.model, self.twin):
            m.mint(r, shares, self.now())
        if self.now() >= self.v.TERM_START():
            event("primary mint during the term")

    def _move(self, src: str, dst: str, amount: int) -> None:
        for a in {src, dst} & self.settled.keys():
            self.settled[a] += 1
        for m in (self.model, self.twin):
            m.transfer(src, dst, amount, self.now())

    def _claimed(self, owner: str, got: int, to: str, before: int) -> None:
        assert self.env.wbtc.balanceOf(to) == before + got, "claim paid someone else"
        self.paid[owner] += got
        self.settled[owner] += 1
        self.claims[owner] += 1

    def _status(self, e: int) -> int:
        return self.status[e]

    def _end(self, e: int) -> int:
        return self.term_start + (e + 1) * DAY

    def _deadline(self, e: int) -> int:
        return self._end(e) + GRACE

    def _post_bond(self, amount: int) -> None:
        with boa.env.prank(self.env.operator):
            self.v.post_bond(amount)
        for m in (self.model, self.twin):
            m.post_bond(amount)

    # ------------------------------------------------------------ rules: shares
    @rule(payer=holder, to=holder, whole=st.integers(0, 40), milli=st.integers(0, 999), wait=st.integers(0, DAY))
    def buy(self, payer, to, whole, milli, wait):
        self._start(payer)
        self._wait(wait)
        self._buy(payer, whole * TH + milli * TH // 1000, to)

    @rule(src=holder, dst=holder, pct=st.sampled_from([0, 1, 10, 50, 100]), wait=st.integers(0, DAY))
    def transfer(self, src, dst, pct, wait):
        """Includes self-transfers (src == dst) and zero-amount transfers."""
        self._start(src)
        self._wait(wait)
        a, b = self.h[src], self.h[dst]
        amount = self.v.balanceOf(a) * pct // 100
        with boa.env.prank(a):
            assert self.v.transfer(b, amount)
        self._move(a, b, amount)

    @rule(dst=holder, pct=st.sampled_from([1, 50, 100]), by_permit=st.booleans(), wait=st.integers(0, DAY))
    def transfer_from(self, dst, pct, by_permit, wait):
        """The keyed holder lets the spender (mallory) move its shares: by EIP-2612 permit (signed
        off-chain, submitted by mallory) or by approve; mallory then calls transferFrom."""
        self._start(None)
        self._wait(wait)
        owner = self.key.address
        amount = self.v.balanceOf(owner) * pct // 100
        if by_permit:
            deadline = self.now() + 3_600
            msg = {
                "types": {
                    "EIP712Domain": [
                        {"name": "name", "type": "string"},
                        {"name": "version", "type": "string"},
                        {"name": "chainId", "type": "uint256"},
                        {"name": "verifyingContract", "type": "address"},
                    ],
                    "Permit": [
                        {"name": "owner", "type": "address"},
                        {"name": "spender", "type": "address"},
                        {"name": "value", "type": "uint256"},
                        {"name": "nonce", "type": "uint256"},
                        {"name": "deadline", "type": "uint256"},
                    ],
                },
                "primaryType": "Permit",
                "domain": {"name": self.v.name(), "version": "1", "chainId": boa.env.evm.patch.chain_id, "verifyingContract": self.v.address},
                "message": {"owner": owner, "spender": self.mallory, "value": amount, "nonce": self.v.nonces(owner), "deadline": deadline},
            }
            sig = Account.sign_message(encode_typed_data(full_message=msg), self.key.key)
            with boa.env.prank(self.mallory):
                self.v.permit(owner, self.mallory, amount, deadline, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"))
        else:
            with boa.env.prank(owner):
                self.v.approve(self.mallory, amount)
        assert self.v.allowance(owner, self.mallory) == amount
        b = self.h[dst]
        with boa.env.prank(self.mallory):
            assert self.v.transferFrom(owner, b, amount)
        self._move(owner, b, amount)

    # ------------------------------------------------------------ rules: rewards
    @rule(
        victim=holder,
        times=st.integers(1, 12),
        gap=st.integers(1, 900),
        how=st.sampled_from(["checkpoint", "zero_transfer"]),
        by=st.one_of(st.none(), holder),
    )
    def force_checkpoints(self, victim, times, gap, how, by):
        """A third party (mallory, or another holder) settles the victim again and again."""
        caller = self.mallory if by is None or by == victim else self.h[by]
        self._start(None if caller == self.mallory else by)
        a = self.h[victim]
        for _ in range(times):
            self._wait(gap)
            with boa.env.prank(caller):
                if how == "checkpoint":
                    self.v.checkpoint(a)
                else:
                    assert self.v.transfer(a, 0)
            self._move(caller, a, 0)

    @rule(who=holder, by=st.one_of(st.none(), holder), wait=st.integers(0, DAY))
    def claim_for(self, who, by, wait):
        caller = self.mallory if by is None else self.h[by]
        self._start(None if by is None else by)
        self._wait(wait)
        a = self.h[who]
        to = self.receiver[a]
        before = self.env.wbtc.balanceOf(to)
        with boa.env.prank(caller):
            got = self.v.claim_for(a)
        self._claimed(a, got, to, before)

    @rule(who=holder, explicit=st.booleans(), wait=st.integers(0, DAY))
    def claim(self, who, explicit, wait):
        self._start(who)
        self._wait(wait)
        a = self.h[who]
        to = self.outsider if explicit else self.receiver[a]
        before = self.env.wbtc.balanceOf(to)
        with boa.env.prank(a):
            got = self.v.claim(to) if explicit else self.v.claim()
        self._claimed(a, got, to, before)

    @rule(who=holder, to=st.one_of(st.none(), holder, st.just(-1)))
    def set_receiver(self, who, to):
        self._start(who)
        a = self.h[who]
        r = "0x" + "00" * 20 if to is None else (self.outsider if to == -1 else self.h[to])
        with boa.env.prank(a):
            self.v.set_rewards_receiver(r)
        self.receiver[a] = a if to is None else r

    @rule(seconds=st.integers(1, DAY))
    def wait(self, seconds):
        self._start(None)
        self._wait(seconds)

    # ------------------------------------------------------------ rules: epochs
    def _report(self, e, pct, gross, price_k, fund):
        v, op = self.v, self.env.operator
        if self._status(e) != 0 or not (self._end(e) <= self.now() <= self._deadline(e)):
            return
        price = price_k * 1_000 * 10**8
        self.env.feed.set_price(price)
        delivered = self.model.epoch_supply(e) * pct // 100
        with boa.env.prank(op):
            v.report_epoch(e, delivered, gross, b"\x01" * 32, "ipfs://r")
        for m in (self.model, self.twin):
            fig = m.report(e, delivered, gross, price)
        self.status[e] = 1
        ep = v.epochs(e)
        assert (ep.fee, ep.perf, ep.net) == (fig.fee, fig.perf, fig.net), "split differs from fee_split"
        if fund:
            self._fund(e)

    def _fund(self, e):
        with boa.env.prank(self.env.operator):
            self.v.fund_epoch(e)
        self.status[e] = FUNDED
        for m in (self.model, self.twin):
            m.fund(e, self.now())
        event("epoch funded")

    @rule(pick=st.integers(0, N_EPOCHS - 1), pct=st.integers(0, 100), gross=st.integers(0, 40_000), price_k=st.integers(30, 200), fund=st.booleans())
    def report(self, pick, pct, gross, price_k, fund):
        self._start(None)
        open_ = [e for e in range(N_EPOCHS) if self._status(e) == 0 and self._end(e) <= self.now() <= self._deadline(e)]
        if open_:
            self._report(open_[pick % len(open_)], pct, gross, price_k, fund)

    @rule(offset=st.integers(0, GRACE), pct=st.integers(50, 100), gross=st.integers(0, 40_000), fund=st.sampled_from([True, True, False]))
    def run_epoch(self, offset, pct, gross, fund):
        """Warp to the end of the first epoch not yet due (plus an offset) and report it."""
        self._start(None)
        e = next((e for e in range(N_EPOCHS) if self._status(e) == 0 and self.now() <= self._deadline(e)), None)
        if e is None:
            return
        target = self._end(e) + offset
        if target > self.now():
            self._wait(target - self.now())
        self._report(e, pct, gross, 100, fund)

    @rule(pick=st.integers(0, N_EPOCHS - 1))
    def fund(self, pick):
        self._start(None)
        open_ = [e for e in range(N_EPOCHS) if self._status(e) == 1 and self.now() <= self._deadline(e)]
        if open_:
            self._fund(open_[pick % len(open_)])

    @rule(amount=st.integers(1, 50_000))
    def post_bond(self, amount):
        self._start(None)
        self._post_bond(amount)

    @rule(pick=st.integers(0, N_EPOCHS - 1), by=st.one_of(st.none(), holder))
    def finalise(self, pick, by):
        self._start(by)
        v, t = self.v, self.t
        open_ = [e for e in range(N_EPOCHS) if self._status(e) == FUNDED and self.now() <= self._deadline(e) + GRACE]
        if not open_:
            return
        e = open_[pick % len(open_)]
        for i, who in enumerate(t.validators):
            h = v.request_hash(e, who)
            if (e, i) not in self.requested:
                with boa.env.prank(self.env.operator):
                    t.validation.validationRequest(who, t.agent_id, "", h)
                with boa.env.prank(who):
                    t.validation.validationResponseFor(t.agent_id, h, 100, "", b"\x00" * 32, "", True)
                self.requested.add((e, i))
        with boa.env.prank(self.mallory if by is None else self.h[by]):
            v.finalize_epoch(e)
        self.status[e] = FINALIZED
        logs = [x for x in v.get_logs(strict=False) if type(x).__name__ == "EpochFinalized"]
        posted = logs[-1].uptime_bps if logs else None
        want = self.model.uptime_bps(e)
        event("epoch finalised")
        if posted != want:
            self._violation("F4", f"epoch {e}: uptime posted {posted} bps, delivered over the epoch's supply is {want} bps")
        if t.reputation.address and posted is not None:
            fb = t.reputation.readFeedback(t.agent_id, v.address, t.reputation.getLastIndex(t.agent_id, v.address))
            if fb[0] != want:
                self._violation("F4", f"epoch {e}: reputation holds uptime {fb[0]}, want {want}")

    @rule(pick=st.integers(0, N_EPOCHS - 1), by=st.one_of(st.none(), holder))
    def declare_default(self, pick, by):
        self._start(by)
        v = self.v
        due = []
        for e in range(N_EPOCHS):
            s = self._status(e)
            if s in (FINALIZED, DEFAULTED):
                continue
            deadline = self._deadline(e) + (GRACE if s == FUNDED else 0)
            if self.now() > deadline:
                due.append(e)
        if not due:
            return
        e = due[pick % len(due)]
        expected = self.model.expected(e)
        with boa.env.prank(self.mallory if by is None else self.h[by]):
            slashed = v.declare_default(e)
        self.status[e] = DEFAULTED
        event("epoch defaulted")
        if slashed > expected:
            self.overslashed = True
            self._violation("F3", f"epoch {e}: slashed {slashed} sats, the epoch's own expected net is {expected}")
        self.model.default(e, self.now())
        self.twin.default(e, self.now(), slashed=slashed)

    # ------------------------------------------------------------ invariants
    @invariant()
    def entitlement_and_monotonicity(self):
        now = self.now()
        totals = {}
        for i, a in enumerate(self.h):
            actual = self._total(a)
            totals[a] = actual
            fair = self.model.entitled(a, now)
            tol = self.claims[a] + 1
            if not (fair - tol <= actual <= fair + 1):
                self._violation("F1", f"holder {i}: claimable + claimed {actual} sats, the model owes {float(fair):.3f} (claims {self.claims[a]})", i)
            if self.prev is not None and i != self.actor and actual < self.prev[a]:
                self._violation("F2", f"holder {i}: claimable + claimed fell from {self.prev[a]} to {actual} after another account's action")
        self.prev = totals


FairnessMachine.TestCase.settings = settings(settings.default)
TestFairnessMachine = FairnessMachine.TestCase
