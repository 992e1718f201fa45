# pragma version ~=0.4.3
# pragma optimize codesize
"""
@title Hashrate vault trust layer
@custom:contract-name VaultTrust
@license MIT
@notice The trust terms of one `HashrateVault` term, fixed at construction
        (docs/design/vault-trust-split.md): the operator agent (ERC-8004) and
        its registries, the validators, quorum and minimum score that attest
        an epoch, the hashprice index that prices each epoch (with the
        binding figures as its floor while a day is not final) and the FPPS
        pool fee of the gross check, and the operator's bond that pays for it
        (docs/design/vault-reads-the-index.md).

        Each epoch ends in exactly one record, written when the vault
        settles it at its record time:
        - never reported: owes `Nu(e)`, the hashprice net without electricity;
        - reported, never funded: owes `max(e.net, Nu(e))` (an unfunded
          report proves nothing, so it never costs less than no report);
        - funded and finalised: owes `Nr(e) * (S - delivered) / S`, the
          undelivered share at the hashprice (zero delivery: all of `Nr(e)`),
          plus the gross shortfall `max(0, net(F) - e.net)` against what an
          FPPS pool pays for the delivered hashrate at the index, `F` (when
          the epoch's index days are final at its record time);
        - funded, never attested: owes `max(0, Nu(e) - e.net)`.
        The bond pays `min(bond, owed)` to the vault, which credits it to the
        holders at the record time. Every epoch reaches the operator's
        reputation: finalised epochs post their uptime, defaults post 0; a
        record settled without a post (by a claim or a transfer) or whose
        post was refused is queued and posted, oldest first, by the vault's
        `settle_due` (`post_pending`): a refused post is never dropped, and
        nothing is tried while the operator's agent has authorised the
        trust or the vault (H1); `post_record` retries any pending post.
@dev No setters, no owner: every term is a constructor argument. The trust
     holds only the bond; balances and the reward stream are the vault's.
     The vault is trusted for timing (it calls `settle` at the record time).
"""

from ethereum.ercs import IERC20

from interfaces import IHashpriceIndex
from interfaces import IHashrateVault
from interfaces import IIdentityRegistry
from interfaces import IVaultTrust

implements: IVaultTrust


# @dev The ValidationRegistry view the trust reads (squat-proof, one call).
interface IValidationRegistry:
    def getAttestation(agentId: uint256, requestHash: bytes32) -> (uint8, address, uint8, bool, uint256): view


# @dev The one vault view the trust reads besides IHashrateVault: the sale capacity (sizes `required_bond`).
interface IVaultCapacity:
    def CAPACITY() -> uint256: view


# ------------------------------------------------------------------ #
#                              EVENTS                                #
# ------------------------------------------------------------------ #

# @dev Every term of the trust, fixed at construction.
event TermsFixed:
    vault: indexed(address)
    identity: address
    validation: address
    reputation: address
    agent_id: indexed(uint256)
    quorum: uint256
    min_score: uint256
    difficulty: uint256
    sats_per_block: uint256
    bond_epochs: uint256
    index: address
    pool_fee_bps: uint256
    binding_value: uint256

# @dev `validator` was listed (only at construction; the set never changes).
event ValidatorSet:
    validator: indexed(address)
    listed: bool

# @dev Epoch `epoch` was attested by `attestations` listed, independent validators and finalised.
event EpochFinalized:
    epoch: indexed(uint256)
    attestations: uint256
    uptime_bps: uint256

# @dev Epoch `epoch` defaulted (`kind` 2 unreported, 3 unfunded, 4 unattested): it owed `owed` sats, the bond paid `paid`.
event EpochDefaulted:
    epoch: indexed(uint256)
    kind: uint256
    owed: uint256
    paid: uint256

# @dev Finalised epoch `epoch` under-delivered: it owed `owed` sats for the undelivered share, the bond paid `paid`.
event EpochCompensated:
    epoch: indexed(uint256)
    owed: uint256
    paid: uint256

# @dev Epoch `epoch` was priced at its settlement: `day` is its first UTC day, `value0`/`value1` the
#      values (msat per TH/s per day) of that day and the next (0 when the epoch ends on `day`),
#      `final` whether both came final from the index (else the late rule: latest final, floored).
event EpochPriced:
    epoch: indexed(uint256)
    day: uint256
    value0: uint256
    value1: uint256
    final: bool

# @dev Finalised epoch `epoch`'s reported gross against `expected`, what an FPPS pool pays for the
#      delivered hashrate at the index; `shortfall` sats of net are owed on top of the undelivered share.
#      Emitted only when the epoch's index days are final at its settlement (audit11 M1).
event GrossChecked:
    epoch: indexed(uint256)
    reported: uint256
    expected: uint256
    shortfall: uint256

# @dev Epoch `epoch` was settled: the one public record of every epoch of the term.
event EpochClosed:
    epoch: indexed(uint256)
    kind: uint256
    delivered: uint256
    supply: uint256
    attestations: uint256
    owed: uint256
    paid: uint256
    feedback: uint256

# @dev The epoch's uptime feedback (`value`, 2 decimals) was offered to the ReputationRegistry: `posted` or refused (left pending).
event FeedbackPosted:
    epoch: indexed(uint256)
    value: uint256
    posted: bool

# @dev The queue of settled records whose feedback is pending (posted oldest first by `post_pending`)
#      is now [head, tail): `tail` grew when a settlement left its feedback pending (no post, refused
#      or not tried while captured) or `post_pending` moved a refused record to the back, `head` when
#      `post_pending` took records off it.
event FeedbackQueue:
    head: uint256
    tail: uint256

# @dev `amount` reward tokens were added to the bond by `sender`; `bond` is the new total.
event BondPosted:
    sender: indexed(address)
    amount: uint256
    bond: uint256

# @dev The bond left after the term was paid to the operator's wallet.
event BondReleased:
    receiver: indexed(address)
    amount: uint256


# ------------------------------------------------------------------ #
#                             CONSTANTS                              #
# ------------------------------------------------------------------ #

# @dev Record.kind
KIND_NONE: constant(uint8) = 0
FINALIZED: constant(uint8) = 1
DEFAULT_UNREPORTED: constant(uint8) = 2
DEFAULT_UNFUNDED: constant(uint8) = 3
DEFAULT_UNATTESTED: constant(uint8) = 4
# @dev Record.feedback
FEEDBACK_NONE: constant(uint8) = 0
FEEDBACK_PENDING: constant(uint8) = 1
FEEDBACK_POSTED: constant(uint8) = 2

MAX_VALIDATORS: constant(uint256) = 16
# @dev Lowest accepted `min_score` (a validator scores 100 * measured / reported).
MIN_SCORE_FLOOR: constant(uint256) = 98
MAX_SCORE: constant(uint256) = 100
MAX_BPS: constant(uint256) = 10_000
# @dev One TH/s in share units.
TH: constant(uint256) = 10**18
# @dev Supply at which the per-share bond rate is taken (the floors of the hashprice are negligible there).
REF_SHARES: constant(uint256) = 10**6 * TH
# @dev Gas given to the feedback call, and the floor below which the post is not tried (F2).
FEEDBACK_GAS: constant(uint256) = 400_000
FEEDBACK_FLOOR: constant(uint256) = FEEDBACK_GAS * 64 // 63 + 30_000
# @dev Most pending feedbacks one `post_pending` call offers, and the gas kept for returning.
MAX_POST: constant(uint256) = 64
POST_RESERVE: constant(uint256) = 20_000
MAX_UINT64: constant(uint256) = 2**64 - 1
# @dev A UTC day, and the index's unit: msat per TH/s per day (1 sat = 1,000 msat).
DAY: constant(uint256) = 86_400
MSAT: constant(uint256) = 1_000
# @dev Highest FPPS pool fee of the gross check (10 %).
MAX_POOL_FEE_BPS: constant(uint256) = 1_000


# ------------------------------------------------------------------ #
#                             IMMUTABLES                             #
# ------------------------------------------------------------------ #

# @dev The hashrate vault this trust serves (the only caller of `settle`).
VAULT: public(immutable(address))
# @dev The ERC-8004 registries: the agent's wallet and authorisations, the attestations, the feedback.
IDENTITY: public(immutable(address))
VALIDATION: public(immutable(address))
REPUTATION: public(immutable(address))
# @dev The operator agent.
AGENT_ID: public(immutable(uint256))
# @dev Final answers >= MIN_SCORE from distinct listed, independent validators that finalise an epoch.
QUORUM: public(immutable(uint256))
MIN_SCORE: public(immutable(uint256))
# @dev Binding hashprice inputs: network difficulty and sats per block (subsidy + average fees).
HP_DIFFICULTY: public(immutable(uint256))
HP_SATS_PER_BLOCK: public(immutable(uint256))
# @dev The binding value, msat per TH/s per day: the index formula at the binding inputs
#      (floor(1e15 * 86,400 * sats_per_block / (difficulty * 2**32))); the floor of a day not final.
HP_BINDING: public(immutable(uint256))
# @dev The hashprice index every epoch is priced from, and the FPPS pool fee of the gross check.
INDEX: public(immutable(address))
POOL_FEE_BPS: public(immutable(uint256))
# @dev Unreported epochs the bond is sized for (`required_bond`, `coverable_shares`).
BOND_EPOCHS: public(immutable(uint256))
# @dev The vault's reward token, epoch count and epoch length (read once).
REWARD_TOKEN: immutable(address)
N_EPOCHS: immutable(uint256)
EPOCH: immutable(uint256)
REPORT_GRACE: immutable(uint256)
TERM_START: immutable(uint256)


# ------------------------------------------------------------------ #
#                              STORAGE                               #
# ------------------------------------------------------------------ #

# @dev The validators, set once by the constructor.
validators: DynArray[address, MAX_VALIDATORS]
# @dev Reward-token units held for the holders' claims on missed or short epochs.
bond: public(uint256)
# @dev One packed word per epoch (see `_pack`): the epoch's record.
records: HashMap[uint256, uint256]
# @dev Epochs settled so far (audit10 L1: "every epoch settled" is not the vault's lower cursor
#      at N, which may still be skipping epochs the other cursor settled).
n_settled: public(uint256)
# @dev G3/H1: settled epochs whose feedback is pending, in settlement (record-time) order (a record
#      refused by `post_pending` moves to the back), eight 32-bit epoch indices per word;
#      `fb_ends` = head | tail << 32 (positions; each is written once).
fb_queue: HashMap[uint256, uint256]
fb_ends: uint256


# ------------------------------------------------------------------ #
#                            CONSTRUCTOR                             #
# ------------------------------------------------------------------ #


@deploy
def __init__(
    vault: IHashrateVault,
    identity: IIdentityRegistry,
    validation: address,
    reputation: address,
    agent_id: uint256,
    validators: DynArray[address, MAX_VALIDATORS],
    quorum: uint256,
    min_score: uint256,
    difficulty: uint256,
    sats_per_block: uint256,
    bond_epochs: uint256,
    index: IHashpriceIndex,
    pool_fee_bps: uint256,
):
    """
    @dev Fixes every term; there is no setter. The vault must have no trust
         and no shares yet, so every term is known before anyone buys.
         Emits `TermsFixed` and one `ValidatorSet` per validator.
    @param vault The hashrate vault this trust serves.
    @param identity The ERC-8004 IdentityRegistry.
    @param validation The ERC-8004 ValidationRegistry.
    @param reputation The ERC-8004 ReputationRegistry.
    @param agent_id The operator agent (must have a wallet).
    @param validators Distinct validators independent of the agent and the vault's admin roles.
    @param quorum Validators whose final answer >= `min_score` finalises an epoch (1..len(validators)).
    @param min_score Lowest counted score, 98..100.
    @param difficulty Network difficulty of the hashprice (> 0).
    @param sats_per_block Subsidy plus average fees per block, sats (the gross of the
           vault's capacity must fit 64 bits).
    @param bond_epochs Unreported epochs the bond must cover (>= 1 + 2 * REPORT_GRACE / EPOCH, rounded up).
    @param index The hashprice index (IHashpriceIndex) every epoch is priced from.
    @param pool_fee_bps The FPPS pool fee of the gross check, 0..1,000.
    """
    assert staticcall vault.trust() == empty(address), "trust: vault already has a trust"
    assert staticcall vault.totalSupply() == 0, "trust: vault has shares"
    assert identity.address != empty(address), "trust: zero identity registry"
    assert validation != empty(address), "trust: zero validation registry"
    assert reputation != empty(address), "trust: zero reputation registry"
    assert staticcall identity.getAgentWallet(agent_id) != empty(address), "trust: agent has no wallet"
    assert quorum >= 1, "trust: zero quorum"
    assert quorum <= len(validators), "trust: quorum above validators"
    assert min_score >= MIN_SCORE_FLOOR, "trust: min score below 98"
    assert min_score <= MAX_SCORE, "trust: min score above 100"
    assert difficulty > 0, "trust: zero difficulty"
    assert sats_per_block > 0, "trust: zero reward per block"
    # bounds that keep `_gross` from overflowing (mainnet: difficulty ~2^47, reward ~2^29 sats)
    assert difficulty <= 2**160 and sats_per_block <= 2**64, "trust: hashprice inputs out of range"
    epoch: uint256 = staticcall vault.EPOCH()
    grace: uint256 = staticcall vault.REPORT_GRACE()
    assert bond_epochs >= 1 + (2 * grace + epoch - 1) // epoch, "trust: bond epochs below the settlement lag"
    # an epoch meets at most two UTC days (`_priced`)
    assert epoch <= DAY, "trust: epoch longer than a day"
    assert index.address != empty(address), "trust: zero index"
    assert pool_fee_bps <= MAX_POOL_FEE_BPS, "trust: pool fee above 10%"

    VAULT = vault.address
    IDENTITY = identity.address
    VALIDATION = validation
    REPUTATION = reputation
    AGENT_ID = agent_id
    QUORUM = quorum
    MIN_SCORE = min_score
    HP_DIFFICULTY = difficulty
    HP_SATS_PER_BLOCK = sats_per_block
    HP_BINDING = 10**15 * DAY * sats_per_block // (difficulty * 2**32)
    INDEX = index.address
    POOL_FEE_BPS = pool_fee_bps
    TERM_START = staticcall vault.TERM_START()
    BOND_EPOCHS = bond_epochs
    REWARD_TOKEN = staticcall vault.REWARD_TOKEN()
    N_EPOCHS = staticcall vault.N_EPOCHS()
    EPOCH = epoch
    REPORT_GRACE = grace
    # every figure of the term stays in range: the gross of the whole capacity fits the 64-bit
    # record, and is not 0 (a zero hashprice would make the bond and every compensation 0)
    capacity: uint256 = staticcall IVaultCapacity(vault.address).CAPACITY()
    assert capacity <= 2**96, "trust: hashprice inputs out of range"
    whole: uint256 = self._gross_at(capacity, HP_BINDING)
    assert whole > 0 and whole <= MAX_UINT64, "trust: hashprice inputs out of range"

    log TermsFixed(
        vault=vault.address,
        identity=identity.address,
        validation=validation,
        reputation=reputation,
        agent_id=agent_id,
        quorum=quorum,
        min_score=min_score,
        difficulty=difficulty,
        sats_per_block=sats_per_block,
        bond_epochs=bond_epochs,
        index=index.address,
        pool_fee_bps=pool_fee_bps,
        binding_value=HP_BINDING,
    )
    for v: address in validators:
        assert v != empty(address), "trust: zero validator"
        assert v not in self.validators, "trust: duplicate validator"
        assert self._independent(v), "trust: validator not independent"
        self.validators.append(v)
        log ValidatorSet(validator=v, listed=True)


# ------------------------------------------------------------------ #
#                        EXTERNAL: THE VAULT                         #
# ------------------------------------------------------------------ #


@external
@nonreentrant
def settle(epoch: uint256, post: bool) -> uint256:
    """
    @notice Settles `epoch` at its record time: prices what it owes by its
            outcome, pays `min(bond, owed)` reward tokens to the vault and
            writes its record.
    @dev Vault only, once per epoch. A default posts uptime 0 when `post`;
         when `post`, a finalised epoch's refused feedback is retried too.
         The post is not tried while the registry would refuse it as
         self-feedback (`_self_feedback`: the agent authorised the trust or
         made it its wallet, H1). A
         feedback left pending (not posted: `post` false (G3), refused, or
         not tried) is queued for `post_pending`, never dropped (H1).
         Emits `EpochDefaulted` or `EpochCompensated`, then `EpochClosed`
         (and `FeedbackPosted` when a post is tried, `FeedbackQueue` when
         queued).
    @param epoch The epoch index (< N_EPOCHS).
    @param post Whether to post the reputation feedback now.
    @return The reward tokens paid to the vault.
    """
    assert msg.sender == VAULT, "trust: caller is not the vault"
    assert epoch < N_EPOCHS, "trust: epoch after term end"
    rec: IVaultTrust.Record = self._unpack(self.records[epoch])
    assert not rec.settled, "trust: epoch already settled"
    e: IHashrateVault.Epoch = staticcall IHashrateVault(VAULT).epochs(epoch)
    supply: uint256 = staticcall IHashrateVault(VAULT).term_supply()

    # issue 16: the epoch's index, time-weighted over its UTC days (late days: `_value`)
    day: uint256 = 0
    v0: uint256 = 0
    v1: uint256 = 0
    final: bool = False
    w: uint256 = 0
    day, v0, v1, final, w = self._priced(epoch)
    log EpochPriced(epoch=epoch, day=day, value0=v0, value1=v1, final=final)
    g: uint256 = self._gross_w(supply, w)

    owed: uint256 = 0
    if rec.kind == FINALIZED:
        # F12: the undelivered share of the epoch at the hashprice, at its own price and params
        dv: uint256 = min(e.delivered, supply)
        if supply != 0:
            owed = self._nr(epoch, supply, g, e.btc_usd) * (supply - dv) // supply
        # issue 16: the gross check, bounded: what an FPPS pool pays for the delivered hashrate at
        # the index, less the pool fee; a net below its net is owed from the bond. Only at final
        # index values (audit11 M1): a late day's stand-in, max(latest final, binding), is no
        # measure of what a pool paid and would charge an honest operator in a falling market;
        # with the index late at the record time the validators' attestation stands alone
        if final:
            fpps: uint256 = self._gross_w(dv, w)
            fpps -= fpps * POOL_FEE_BPS // MAX_BPS
            f_net: uint256 = self._net(epoch, dv, fpps, e.btc_usd)
            shortfall: uint256 = f_net - min(f_net, e.net)
            log GrossChecked(epoch=epoch, reported=e.gross, expected=fpps, shortfall=shortfall)
            owed += shortfall
    elif e.status == empty(IHashrateVault.EpochStatus):
        rec.kind = DEFAULT_UNREPORTED
        owed = self._nu(epoch, g)
    elif IHashrateVault.EpochStatus.FUNDED not in e.status:
        # F10: at least what the operator itself reported; G1: an unfunded report proves no
        # electricity (nothing attested, no sat received), so never less than no report (Nu)
        rec.kind = DEFAULT_UNFUNDED
        owed = max(e.net, self._nu(epoch, g))
    else:
        # funded, never attested: the unreported rate, less what already streamed
        rec.kind = DEFAULT_UNATTESTED
        nu: uint256 = self._nu(epoch, g)
        owed = nu - min(nu, e.net)

    # the record keeps 64-bit sats (21e14 sats exist); a larger claim cannot be paid anyway
    owed = min(owed, MAX_UINT64)
    paid: uint256 = min(self.bond, owed)
    rec.owed = convert(owed, uint64)
    rec.paid = convert(paid, uint64)
    rec.settled = True
    self.n_settled += 1
    if rec.kind != FINALIZED:
        rec.feedback = FEEDBACK_PENDING
    if post and rec.feedback == FEEDBACK_PENDING and not self._self_feedback():
        # H1: not tried while the registry would refuse it as self-feedback (a refusal the
        # operator chooses): queued below; I1: an approved vault is no refusal, it posts
        rec.feedback = self._post(epoch, rec, e.report_hash)
    self.records[epoch] = self._pack(rec)
    if rec.feedback == FEEDBACK_PENDING:
        # G3: not tried now (a claim or a transfer settled it), H1: or not accepted (refused, or
        # not tried while captured): `post_pending` (the vault's `settle_due`) posts it later
        ends: uint256 = self.fb_ends
        self._enqueue(epoch, ends & 4_294_967_295, ends >> 32)

    if paid != 0:
        self.bond -= paid
        assert extcall IERC20(REWARD_TOKEN).transfer(VAULT, paid, default_return_value=True), "trust: bond transfer failed"

    if rec.kind == FINALIZED:
        log EpochCompensated(epoch=epoch, owed=owed, paid=paid)
    else:
        log EpochDefaulted(epoch=epoch, kind=convert(rec.kind, uint256), owed=owed, paid=paid)
    log EpochClosed(
        epoch=epoch,
        kind=convert(rec.kind, uint256),
        delivered=e.delivered,
        supply=supply,
        attestations=convert(rec.attestations, uint256),
        owed=owed,
        paid=paid,
        feedback=convert(rec.feedback, uint256),
    )
    return paid


# ------------------------------------------------------------------ #
#                          EXTERNAL: ANYONE                          #
# ------------------------------------------------------------------ #


@external
@nonreentrant
def finalize_epoch(epoch: uint256) -> uint256:
    """
    @notice Finalises a funded epoch once `QUORUM` listed validators, still
            independent of the agent, hold a final answer >= `MIN_SCORE` on
            the epoch's request hash; posts the epoch's uptime for the
            operator agent.
    @dev Anyone; until the vault's `attest_deadline(epoch)`. Refused while
         the agent has authorised the trust or the vault, or made either its
         wallet (the registry would refuse the feedback: F1). The post gets
         FEEDBACK_GAS and is only tried with enough gas left (F2); a refused
         post leaves the feedback pending (`post_record`). Emits
         `EpochFinalized` and `FeedbackPosted`.
    @param epoch The epoch index.
    @return The number of counted attestations.
    """
    rec: IVaultTrust.Record = self._unpack(self.records[epoch])
    assert not rec.settled, "trust: epoch already settled"
    assert rec.kind == KIND_NONE, "trust: epoch already finalised"
    e: IHashrateVault.Epoch = staticcall IHashrateVault(VAULT).epochs(epoch)
    assert IHashrateVault.EpochStatus.FUNDED in e.status, "trust: epoch not funded"
    assert block.timestamp <= staticcall IHashrateVault(VAULT).attest_deadline(epoch), "trust: attest deadline passed"
    wallet: address = staticcall IIdentityRegistry(IDENTITY).getAgentWallet(AGENT_ID)
    assert not self._captured(wallet), "trust: agent has authorised the trust contract"

    count: uint256 = 0
    for v: address in self.validators:
        h: bytes32 = self._request_hash(epoch, e, v)
        status: uint8 = 0
        who: address = empty(address)
        score: uint8 = 0
        done: bool = False
        ts: uint256 = 0
        status, who, score, done, ts = staticcall IValidationRegistry(VALIDATION).getAttestation(AGENT_ID, h)
        if done and who == v and convert(score, uint256) >= MIN_SCORE and self._independent_of_agent(v):
            count += 1
    assert count >= QUORUM, "trust: no quorum"

    supply: uint256 = staticcall IHashrateVault(VAULT).term_supply()
    uptime: uint256 = 0
    if supply != 0:
        uptime = min(e.delivered * MAX_BPS // supply, MAX_BPS)
    rec.kind = FINALIZED
    rec.attestations = convert(count, uint8)
    rec.uptime_bps = convert(uptime, uint16)
    log EpochFinalized(epoch=epoch, attestations=count, uptime_bps=uptime)
    rec.feedback = self._post(epoch, rec, e.report_hash)
    self.records[epoch] = self._pack(rec)
    return count


@external
@nonreentrant
def post_record(epoch: uint256) -> bool:
    """
    @notice Offers a pending feedback (a default's uptime 0, or a finalised
            epoch's refused uptime) to the ReputationRegistry again.
    @dev Anyone, any number of times, while the feedback is pending.
         Emits `FeedbackPosted`.
    @param epoch The epoch index.
    @return True when the registry accepted it.
    """
    rec: IVaultTrust.Record = self._unpack(self.records[epoch])
    assert rec.feedback == FEEDBACK_PENDING, "trust: no feedback pending"
    report_hash: bytes32 = empty(bytes32)
    if rec.kind == FINALIZED:
        report_hash = (staticcall IHashrateVault(VAULT).epochs(epoch)).report_hash
    rec.feedback = self._post(epoch, rec, report_hash)
    self.records[epoch] = self._pack(rec)
    return rec.feedback == FEEDBACK_POSTED


@external
@nonreentrant
def post_pending(max_n: uint256) -> uint256:
    """
    @notice Posts the feedback of records settled without a post or whose
            post was refused (defaults settled by a claim or a transfer, a
            default or finalised uptime the registry refused), oldest first,
            so that every default reaches the reputation registry without a
            holder paying for `post_record`.
    @dev Anyone (the vault's `settle_due` calls it after settling). Takes
         at most `max_n` (and MAX_POST) records off the queue. Each post
         needs the feedback floor (F2): below it the call reverts ("trust:
         gas below the feedback floor"), nothing is dropped, and a gas
         estimate includes the posts (a call that stopped for gas instead
         would let `eth_estimateGas` pick a limit that never posts). A
         record already posted (`post_record`) is only dropped. No refused
         record is ever dropped (H1):
         - while the registry would refuse the trust as self-feedback (the
           agent authorised the trust, a refusal the operator chooses and
           can undo) nothing is tried and the queue stays as it is: its
           records post once it is undone (and `withdraw_bond` waits, I1);
         - a post refused otherwise (the registry's own reason: a full
           feedback limit, a broken or replaced registry, out of gas) is
           moved from the head to the tail and the call stops: it is
           retried on a later call, after the records behind it, so a
           permanently refused record never blocks the others (at most one
           refused try, FEEDBACK_GAS, per call). `post_record` stays the
           manual retry of any pending record.
         Emits `FeedbackPosted` per post and `FeedbackQueue` when the queue
         moved.
    @param max_n Most records to take off the queue.
    @return The number of records taken off the queue (posted, or found posted).
    """
    ends: uint256 = self.fb_ends
    head: uint256 = ends & 4_294_967_295
    tail: uint256 = ends >> 32
    start: uint256 = head
    checked: bool = False
    for i: uint256 in range(MAX_POST):
        if i == max_n or head == tail:
            break
        epoch: uint256 = (self.fb_queue[head // 8] >> ((head % 8) * 32)) & 4_294_967_295
        rec: IVaultTrust.Record = self._unpack(self.records[epoch])
        if rec.feedback == FEEDBACK_PENDING:
            if not checked:
                # H1: the refusal holds for the whole call; nothing is tried (or dropped) under it
                if self._self_feedback():
                    break
                checked = True
            report_hash: bytes32 = empty(bytes32)
            if rec.kind == FINALIZED:
                report_hash = (staticcall IHashrateVault(VAULT).epochs(epoch)).report_hash
            # F2: the post and what follows it need the floor; below it nothing happens at all
            assert msg.gas >= FEEDBACK_FLOOR + POST_RESERVE, "trust: gas below the feedback floor"
            if self._post(epoch, rec, report_hash) == FEEDBACK_PENDING:
                # refused: kept queued, behind the others (never dropped, never blocking)
                self._enqueue(epoch, head + 1, tail)
                return head - start
            rec.feedback = FEEDBACK_POSTED
            self.records[epoch] = self._pack(rec)
        head += 1
    if head != start:
        self.fb_ends = head | (tail << 32)
        log FeedbackQueue(head=head, tail=tail)
    return head - start


@external
@view
def pending_feedback() -> (uint256, uint256):
    """
    @notice The queue of settled records whose feedback waits for `post_pending`.
    @return head, tail: positions; `tail - head` records are queued.
    """
    ends: uint256 = self.fb_ends
    return ends & 4_294_967_295, ends >> 32


@external
@nonreentrant
def post_bond(amount: uint256):
    """
    @notice Adds `amount` reward tokens to the operator's bond.
    @dev Anyone. The balance change is measured (fee-on-transfer tokens
         revert). Refused while an epoch's record time has passed and it is
         not settled yet (a top-up would change what that settlement pays
         depending on when it is called; call the vault's `settle_due`
         first) and once the vault has settled every epoch (it would cover
         nothing: only the operator could take it back). Emits `BondPosted`.
    @param amount Reward-token units (> 0).
    """
    assert amount > 0, "trust: zero bond"
    # audit8 J1: the last epochs settle after TERM_END (their record times), so a top-up still covers
    # them until then; audit10 L1: counted here, not the vault's lower cursor (it may lag, skipping)
    assert self.n_settled < N_EPOCHS, "trust: term over"
    assert not self._overdue(), "trust: epochs overdue, call settle_due"
    token: IERC20 = IERC20(REWARD_TOKEN)
    before: uint256 = staticcall token.balanceOf(self)
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "trust: bond transfer failed"
    assert staticcall token.balanceOf(self) - before == amount, "trust: reward token fee-on-transfer"
    bond: uint256 = self.bond + amount
    self.bond = bond
    log BondPosted(sender=msg.sender, amount=amount, bond=bond)


@external
@nonreentrant
def withdraw_bond() -> uint256:
    """
    @notice Pays the bond left after the term to the operator's live wallet.
    @dev Operator wallet only (`operator_wallet`), at or after the vault's
         TERM_END, once the vault has settled every epoch and every queued
         feedback is posted (I1: the bond waits for the defaults to reach the
         reputation; an operator that kept the registry refusing them undoes
         it and calls `post_pending`, a few records a call). Emits
         `BondReleased`.
    @return The amount paid.
    """
    wallet: address = self._operator_wallet()
    assert wallet != empty(address) and msg.sender == wallet, "trust: caller is not the operator"
    assert block.timestamp >= staticcall IHashrateVault(VAULT).TERM_END(), "trust: term not over"
    assert staticcall IHashrateVault(VAULT).settle_cursor() == N_EPOCHS, "trust: epochs not settled"
    ends: uint256 = self.fb_ends
    assert ends & 4_294_967_295 == ends >> 32, "trust: feedback pending, call post_pending"
    amount: uint256 = self.bond
    assert amount != 0, "trust: no bond"
    self.bond = 0
    assert extcall IERC20(REWARD_TOKEN).transfer(wallet, amount, default_return_value=True), "trust: bond transfer failed"
    log BondReleased(receiver=wallet, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                               VIEWS                                #
# ------------------------------------------------------------------ #


@external
@view
def operator_wallet() -> address:
    """
    @notice The operator agent's live wallet: the only address the vault
            accepts as operator.
    @dev Zero while the agent has no wallet, or has authorised the trust or
         the vault (owner/approved/operator), or made either its wallet (F1).
    @return The wallet, or zero.
    """
    return self._operator_wallet()


@external
@view
def coverable_shares() -> uint256:
    """
    @notice The most shares the bond covers for BOND_EPOCHS unreported epochs
            (the vault sells no more).
    @dev bond * REF / (BOND_EPOCHS * G(REF)) at REF = 1e6 TH/s, with the
         hashprice gross G (performance fee 0: an upper bound of every later
         `Nu`, so no fee change after the sale uncovers it, G6) at
         `_sizing_value()` (the higher of the binding value and the index's
         latest: a rise after binding sells less); unbounded when the gross
         is zero.
    @return Share units.
    """
    per_ref: uint256 = BOND_EPOCHS * self._gross_at(REF_SHARES, self._sizing_value())
    if per_ref == 0:
        return max_value(uint256)
    return self.bond * REF_SHARES // per_ref


@external
@view
def required_bond() -> uint256:
    """
    @notice The bond that covers BOND_EPOCHS unreported epochs of the vault's
            whole capacity (so `coverable_shares() >= CAPACITY`).
    @dev BOND_EPOCHS * G(REF) * CAPACITY / REF, rounded up, on the hashprice
         gross (performance fee 0, G6: whatever fee the admin sets later) at
         `_sizing_value()`: it grows when the index rises above the binding value.
    @return Reward-token units.
    """
    per_ref: uint256 = BOND_EPOCHS * self._gross_at(REF_SHARES, self._sizing_value())
    capacity: uint256 = staticcall IVaultCapacity(VAULT).CAPACITY()
    return (per_ref * capacity + REF_SHARES - 1) // REF_SHARES


@external
@view
def coverage_bps() -> uint256:
    """
    @notice The bond as a share of what BOND_EPOCHS unreported epochs of the
            shares sold would owe, in basis points (10,000 = fully covered).
    @dev At risk: BOND_EPOCHS * G(totalSupply), the hashprice gross
         (performance fee 0, at `_sizing_value()`, as `required_bond`). 10,000 when nothing is at
         risk (no shares or a zero rate). Slashes lower it; no report is
         refused for it.
    @return Basis points (may exceed 10,000).
    """
    at_risk: uint256 = BOND_EPOCHS * self._gross_at(staticcall IHashrateVault(VAULT).totalSupply(), self._sizing_value())
    if at_risk == 0:
        return MAX_BPS
    return self.bond * MAX_BPS // at_risk


@external
@view
def expected_unreported(epoch: uint256) -> uint256:
    """
    @notice What `epoch` owes if never reported: Nu(e), the hashprice gross of
            the term supply less the performance fee in force at its end.
    @dev No electricity or maintenance: the operator proved none. Owed by an
         unreported epoch, the floor of an unfunded one (`max(e.net, Nu)`),
         the base of an unattested one (less its net). Priced from the index
         as `settle` would price it now (`_priced`: a day not final yet takes
         the late rule, so the figure may still move until the record time).
    @param epoch The epoch index.
    @return Sats.
    """
    return self._nu(epoch, self._gross_w(staticcall IHashrateVault(VAULT).term_supply(), self._weighted(epoch)))


@external
@view
def expected_reported(epoch: uint256) -> uint256:
    """
    @notice Nr(e): the net of full delivery of the term supply at the
            hashprice, split at the epoch's reported BTC/USD and the
            parameters in force at its end (no electricity before a report).
    @dev The vault's `split_of`; the base of a finalised epoch's
         under-delivery compensation (an unfunded report owes at least
         `Nu`, not `Nr`: nothing of it is attested).
    @param epoch The epoch index.
    @return Sats.
    """
    e: IHashrateVault.Epoch = staticcall IHashrateVault(VAULT).epochs(epoch)
    supply: uint256 = staticcall IHashrateVault(VAULT).term_supply()
    return self._nr(epoch, supply, self._gross_w(supply, self._weighted(epoch)), e.btc_usd)


@external
@view
def epoch_value(epoch: uint256) -> (uint256, uint256, uint256, bool):
    """
    @notice The index figures `settle` would price `epoch` with now.
    @dev `_priced`: the first UTC day of the epoch, its value and the next
         day's (0 when the epoch ends on the first day), whether both are final.
    @param epoch The epoch index.
    @return (day, value0, value1, final), msat per TH/s per day.
    """
    day: uint256 = 0
    v0: uint256 = 0
    v1: uint256 = 0
    final: bool = False
    w: uint256 = 0
    day, v0, v1, final, w = self._priced(epoch)
    return day, v0, v1, final


@external
@view
def record(epoch: uint256) -> IVaultTrust.Record:
    """
    @notice The record of `epoch` (kind, attestations, uptime, owed, paid, feedback, settled).
    @dev Unpacked from one storage word. kind: 1 FINALIZED, 2 unreported,
         3 unfunded, 4 unattested; feedback: 0 none, 1 pending, 2 posted.
    @param epoch The epoch index.
    @return The record (all zero before finalisation or settlement).
    """
    return self._unpack(self.records[epoch])


@external
@view
def validator_list() -> DynArray[address, MAX_VALIDATORS]:
    """
    @notice The validators (fixed at construction).
    @dev One the agent makes its owner, approved address, operator or wallet
         stays listed but stops counting; the vault refuses to make a listed
         validator its guardian or fee recipient.
    @return The list.
    """
    return self.validators


@external
@view
def request_hash(epoch: uint256, validator: address) -> bytes32:
    """
    @notice The ValidationRegistry request hash of a reported epoch for one validator:
            keccak256(abi_encode(chain.id, vault, epoch, delivered, gross, report_hash, validator)).
    @dev Unchanged from the single-contract vault (the SDK and validators keep it);
         the vault's address, not the trust's, is encoded.
    @param epoch The epoch index.
    @param validator The validator.
    @return The hash (zero report fields for an unreported epoch).
    """
    return self._request_hash(epoch, staticcall IHashrateVault(VAULT).epochs(epoch), validator)


# ------------------------------------------------------------------ #
#                             INTERNAL                               #
# ------------------------------------------------------------------ #


@internal
@view
def _operator_wallet() -> address:
    wallet: address = staticcall IIdentityRegistry(IDENTITY).getAgentWallet(AGENT_ID)
    if wallet == empty(address) or self._captured(wallet):
        return empty(address)
    return wallet


@internal
@view
def _self_feedback() -> bool:
    """
    @dev H1/I1: the ReputationRegistry would refuse the trust's feedback as
         self-feedback: the agent authorised the trust (owner, approved
         address or operator) or made it its wallet. Exactly the registry's
         two checks for the trust as client; an authorised vault is no
         refusal (the trust still posts: only `_captured` refuses it).
    """
    if staticcall IIdentityRegistry(IDENTITY).getAgentWallet(AGENT_ID) == self:
        return True
    return staticcall IIdentityRegistry(IDENTITY).isAuthorizedOrOwner(self, AGENT_ID)


@internal
@view
def _captured(wallet: address) -> bool:
    """
    @dev F1: the agent has authorised the trust or the vault (owner, approved
         address or operator) or made either its wallet; the registry would
         refuse the trust's feedback (self-feedback).
    """
    if wallet == self or wallet == VAULT:
        return True
    if staticcall IIdentityRegistry(IDENTITY).isAuthorizedOrOwner(self, AGENT_ID):
        return True
    return staticcall IIdentityRegistry(IDENTITY).isAuthorizedOrOwner(VAULT, AGENT_ID)


@internal
@view
def _independent(v: address) -> bool:
    """
    @dev Construction only (the terms the holders buy): `v` is independent of
         the agent (`_independent_of_agent`) and none of the vault's owner,
         guardian, treasury or fee recipient. After construction the vault
         refuses to make a listed validator its guardian or fee recipient
         (G2); the vault roles are not re-read at finalisation.
    """
    if not self._independent_of_agent(v):
        return False
    vault: IHashrateVault = IHashrateVault(VAULT)
    if v == staticcall vault.owner() or v == staticcall vault.guardian() or v == staticcall vault.TREASURY():
        return False
    return v != (staticcall vault.params()).fee_recipient


@internal
@view
def _independent_of_agent(v: address) -> bool:
    """
    @dev `v` is none of: the agent's owner, approved address, operator or
         wallet; the vault or this contract. Re-checked at every
         finalisation: only the agent's own addresses, which only the
         operator can change (it can only disqualify validators against
         itself), never the vault's admin roles (G2).
    """
    if v == self or v == VAULT:
        return False
    if staticcall IIdentityRegistry(IDENTITY).isAuthorizedOrOwner(v, AGENT_ID):
        return False
    return v != staticcall IIdentityRegistry(IDENTITY).getAgentWallet(AGENT_ID)


@internal
@view
def _request_hash(epoch: uint256, e: IHashrateVault.Epoch, validator: address) -> bytes32:
    return keccak256(abi_encode(chain.id, VAULT, epoch, e.delivered, e.gross, e.report_hash, validator))


@internal
@view
def _value(day: uint256) -> (uint256, bool):
    """
    @dev The value of UTC `day`, msat per TH/s per day: the index's when final; otherwise
         (a late index never blocks a settlement) the latest final value before `day`
         (the index is contiguous: `latest()` when its day is earlier), floored at the
         binding value, so withholding proofs never makes a default cheaper than the terms.
    @return (value, final).
    """
    v: uint256 = 0
    final: bool = False
    v, final = staticcall IHashpriceIndex(INDEX).hashprice(day)
    if final:
        return v, True
    ld: uint256 = 0
    lv: uint256 = 0
    ld, lv = staticcall IHashpriceIndex(INDEX).latest()
    if ld >= day:
        lv = 0  # none before `day` (it precedes the index's first day)
    return max(lv, HP_BINDING), False


@internal
@view
def _priced(epoch: uint256) -> (uint256, uint256, uint256, bool, uint256):
    """
    @dev Epoch `epoch` is [s, s + EPOCH), s = TERM_START + epoch * EPOCH, EPOCH <= a day: its
         first UTC day d0 = s // DAY holds a = DAY * (d0 + 1) - s of its seconds (all of them
         when a >= EPOCH), day d0 + 1 the rest.
    @return (d0, v(d0), v(d0 + 1) or 0, both final, a * v(d0) + (EPOCH - a) * v(d0 + 1)).
    """
    s: uint256 = TERM_START + epoch * EPOCH
    d0: uint256 = s // DAY
    a: uint256 = min(DAY * (d0 + 1) - s, EPOCH)
    v0: uint256 = 0
    f0: bool = False
    v0, f0 = self._value(d0)
    v1: uint256 = 0
    f1: bool = True
    if a < EPOCH:
        v1, f1 = self._value(d0 + 1)
    return d0, v0, v1, f0 and f1, a * v0 + (EPOCH - a) * v1


@internal
@view
def _weighted(epoch: uint256) -> uint256:
    d0: uint256 = 0
    v0: uint256 = 0
    v1: uint256 = 0
    final: bool = False
    w: uint256 = 0
    d0, v0, v1, final, w = self._priced(epoch)
    return w


@internal
@pure
def _gross_w(shares: uint256, w: uint256) -> uint256:
    """
    @dev Hashprice gross of `shares` over `w` = the sum of seconds * value (msat per TH/s per
         day) of the epoch's days: shares * w / (1e18 * 86,400 * 1,000), one floor.
    """
    return shares * w // (TH * DAY * MSAT)


@internal
@view
def _gross_at(shares: uint256, v: uint256) -> uint256:
    """@dev Hashprice gross of `shares` for a whole epoch at one value `v`."""
    return self._gross_w(shares, EPOCH * v)


@internal
@view
def _sizing_value() -> uint256:
    """@dev The value the bond is sized at: max(binding value, the index's latest final value)."""
    ld: uint256 = 0
    lv: uint256 = 0
    ld, lv = staticcall IHashpriceIndex(INDEX).latest()
    return max(lv, HP_BINDING)


@internal
@view
def _nu(epoch: uint256, g: uint256) -> uint256:
    """@dev Nu(e) of gross `g`: no electricity (the operator proved none), perf of the params in force at the epoch's end."""
    return g - g * (staticcall IHashrateVault(VAULT).params_of(epoch)).perf_bps // MAX_BPS


@internal
@view
def _net(epoch: uint256, delivered: uint256, g: uint256, btc_usd: uint256) -> uint256:
    """@dev The vault's net of gross `g` for `delivered` shares, at the epoch's price and params."""
    fee: uint256 = 0
    perf: uint256 = 0
    net: uint256 = 0
    fee, perf, net = staticcall IHashrateVault(VAULT).split_of(epoch, delivered, g, btc_usd)
    return net


@internal
@view
def _nr(epoch: uint256, supply: uint256, g: uint256, btc_usd: uint256) -> uint256:
    """@dev Nr(e): the vault's split of full delivery of gross `g`, at the epoch's price and params."""
    return self._net(epoch, supply, g, btc_usd)


@internal
@view
def _overdue() -> bool:
    """
    @dev The vault's own question (its settlement loop's): is a settlement cursor past
         its record time? The unfunded cursor u is due once D(u) passed, the attest
         cursor a once A(a) passed. O(1) in epochs. A cursor with only a skip to make
         counts too (anyone clears it with `settle_due`). audit9 K1: a scan of 64 epochs
         from the settle cursor (the lower one) missed an overdue epoch at the other
         cursor when pauses put it 64 epochs ahead.
    """
    vault: IHashrateVault = IHashrateVault(VAULT)
    u: uint256 = 0
    a: uint256 = 0
    u, a = staticcall vault.cursors()
    if u < N_EPOCHS and block.timestamp > staticcall vault.report_deadline(u):
        return True
    return a < N_EPOCHS and block.timestamp > staticcall vault.attest_deadline(a)


@internal
def _enqueue(epoch: uint256, head: uint256, tail: uint256):
    """
    @dev Appends `epoch` at position `tail` of the pending-feedback queue and writes
         the queue ends [head, tail + 1). Emits `FeedbackQueue`.
    """
    slot: uint256 = tail // 8
    bits: uint256 = (tail % 8) * 32
    # a position is written once (the tail only grows), so its 32 bits are still zero
    self.fb_queue[slot] = self.fb_queue[slot] | (epoch << bits)
    self.fb_ends = head | ((tail + 1) << 32)
    log FeedbackQueue(head=head, tail=tail + 1)


@internal
def _post(epoch: uint256, rec: IVaultTrust.Record, report_hash: bytes32) -> uint8:
    """
    @dev Offers the record's feedback to the ReputationRegistry: value
         `uptime_bps` (2 decimals; a default posts 0), tags "uptime" and
         "epoch-<n>", feedbackHash the report hash of a finalised epoch or
         keccak256(abi_encode(kind, owed, paid)) of a default. The call gets
         FEEDBACK_GAS and may fail without reverting; a failure leaves it
         pending. Emits `FeedbackPosted`.
    @return FEEDBACK_POSTED or FEEDBACK_PENDING.
    """
    assert msg.gas >= FEEDBACK_FLOOR, "trust: gas below the feedback floor"
    value: uint256 = convert(rec.uptime_bps, uint256)
    fb_hash: bytes32 = report_hash
    if rec.kind != FINALIZED:
        value = 0
        fb_hash = keccak256(abi_encode(rec.kind, rec.owed, rec.paid))
    ok: bool = raw_call(
        REPUTATION,
        abi_encode(
            AGENT_ID,
            convert(value, int128),
            convert(2, uint8),
            "uptime",
            concat("epoch-", uint2str(convert(epoch, uint64))),
            "",
            "",
            fb_hash,
            method_id=method_id("giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)"),
        ),
        gas=FEEDBACK_GAS,
        revert_on_failure=False,
    )
    log FeedbackPosted(epoch=epoch, value=value, posted=ok)
    if ok:
        return FEEDBACK_POSTED
    return FEEDBACK_PENDING


@internal
@pure
def _pack(r: IVaultTrust.Record) -> uint256:
    """@dev kind | attestations << 8 | uptime_bps << 16 | owed << 32 | paid << 96 | feedback << 160 | settled << 168."""
    w: uint256 = convert(r.kind, uint256)
    w |= convert(r.attestations, uint256) << 8
    w |= convert(r.uptime_bps, uint256) << 16
    w |= convert(r.owed, uint256) << 32
    w |= convert(r.paid, uint256) << 96
    w |= convert(r.feedback, uint256) << 160
    if r.settled:
        w |= 1 << 168
    return w


@internal
@pure
def _unpack(w: uint256) -> IVaultTrust.Record:
    return IVaultTrust.Record(
        kind=convert(w & 255, uint8),
        attestations=convert((w >> 8) & 255, uint8),
        uptime_bps=convert((w >> 16) & 65_535, uint16),
        owed=convert((w >> 32) & MAX_UINT64, uint64),
        paid=convert((w >> 96) & MAX_UINT64, uint64),
        feedback=convert((w >> 160) & 255, uint8),
        settled=(w >> 168) & 1 == 1,
    )
