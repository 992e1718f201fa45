# pragma version ~=0.4.3
# pragma optimize codesize
"""
@title Tokenized-Hashrate Vault
@custom:contract-name HashrateVault
@license AGPL-3.0-only
@notice A mining operator sells Bitcoin hashrate as an ERC-20 token
        (10**18 base units = 1 TH/s, 18 decimals, EIP-2612 permit) and
        pays the holders, pro rata, the net mining reward of every epoch
        (one day) in a wrapped-BTC reward token (8 decimals, sats).

        Reward accounting is a reward-per-share accumulator scaled by
        1e36 (Synthetix `StakingRewards`, Curve `LiquidityGaugeV4`):
        every balance change settles both parties first; each epoch's
        net reward streams over the next epoch (no just-in-time
        sniping); what streams while the supply is zero is kept and
        streamed again to the first holders; donations change nobody's
        claim (all accounting is internal). Claims and transfers are
        O(1) whatever the number of epochs or holders.

        Fees per epoch, in this order and never above the gross:
        electricity `TH * J/TH * 24 / 1000 * $/kWh` plus maintenance
        `TH * $/TH/day`, converted to sats at the BTC/USD price of a
        Chainlink-compatible feed (stale or non-positive prices revert),
        then a performance fee in basis points of what is left.

        Roles: the admin (`owner`, two-step hand-over) changes the fee
        parameters through a queue with a delay, within immutable caps;
        the operator reports and funds epochs (checked in one place,
        `_check_operator`, so that an ERC-8004 agent check slots in);
        the guardian may only pause. Pause stops `buy`, `report_epoch`
        and `fund_epoch`, never claims or transfers.
@dev The ERC-20 is snekmate's `erc20` module; its `transfer`,
     `transferFrom`, `mint` and `burn` are not exported: this contract
     writes `transfer`/`transferFrom` around `erc20._transfer` so that
     both parties are checkpointed first. Design references: Yearn V3
     (internal accounting, "withdrawals are never paused"), Curve
     gauges (checkpoint both sides, rewards receiver), ERC-4626
     (rounding and `max_*`/`preview_*` rules of the primary sale).
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20
from snekmate.utils import pausable

from interfaces import IPriceFeed
from interfaces import IIdentityRegistry


# @dev The ValidationRegistry view the vault reads (squat-proof, one call).
interface IValidationRegistry:
    def getAttestation(agentId: uint256, requestHash: bytes32) -> (uint8, address, uint8, bool, uint256): view


# @dev The ReputationRegistry entry the vault calls on finalisation.
interface IReputationRegistry:
    def giveFeedback(
        agentId: uint256,
        feedbackValue: int128,
        valueDecimals: uint8,
        tag1: String[32],
        tag2: String[32],
        endpoint: String[512],
        feedbackURI: String[1024],
        feedbackHash: bytes32,
    ): nonpayable

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]
initializes: pausable

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    pausable.paused,
)


# ------------------------------------------------------------------ #
#                              EVENTS                                #
# ------------------------------------------------------------------ #

### SALE ###

# @dev `buyer` paid `payment` (payment-token units) for `shares` minted to `receiver`.
event Bought:
    buyer: indexed(address)
    receiver: indexed(address)
    shares: uint256
    payment: uint256

# @dev Sale proceeds were sent to the treasury.
event ProceedsWithdrawn:
    treasury: indexed(address)
    amount: uint256

### EPOCHS ###

# @dev The operator reported epoch `epoch`; the fee split is fixed at report time.
event EpochReported:
    epoch: indexed(uint256)
    delivered: uint256
    gross: uint256
    fee: uint256
    perf: uint256
    net: uint256
    btc_usd: uint256
    report_hash: bytes32
    uri: String[256]

# @dev The operator paid the gross reward of epoch `epoch` into the vault.
event EpochFunded:
    epoch: indexed(uint256)
    gross: uint256
    fee: uint256
    perf: uint256
    net: uint256

### REWARDS ###

# @dev `amount` sats were added to the stream; `rate_scaled` is sats * 1e18 per second until `period_finish`.
event RewardsNotified:
    amount: uint256
    rate_scaled: uint256
    period_finish: uint256

# @dev `owner`'s rewards were paid to `receiver`.
event Claimed:
    owner: indexed(address)
    receiver: indexed(address)
    amount: uint256

# @dev `owner` chose where its rewards are paid (the zero address: to itself).
event RewardsReceiverSet:
    owner: indexed(address)
    receiver: indexed(address)

# @dev Accrued fees were paid to the fee recipient.
event FeesWithdrawn:
    recipient: indexed(address)
    amount: uint256

### TRUST ###

# @dev The vault was bound to operator agent `agent_id` and its registries (once).
event AgentBound:
    agent_id: indexed(uint256)
    identity: address
    validation: address
    reputation: address
    quorum: uint256
    min_score: uint256
    difficulty: uint256
    sats_per_block: uint256

# @dev The admin listed (`listed`) or delisted a validator.
event ValidatorSet:
    validator: indexed(address)
    listed: bool

# @dev Epoch `epoch` was attested by `attestations` listed validators and finalised.
event EpochFinalized:
    epoch: indexed(uint256)
    attestations: uint256
    uptime_bps: uint256

# @dev Epoch `epoch` was declared in default by `caller`; `slashed` sats of the bond went to holders.
event EpochDefaulted:
    epoch: indexed(uint256)
    caller: indexed(address)
    expected: uint256
    slashed: uint256

# @dev Epoch `epoch` was settled (finalised or defaulted): the one public record of every epoch of
#      the term, which the operator cannot suppress. `supply` is the epoch's share supply,
#      `feedback_posted` whether the ReputationRegistry accepted the uptime feedback.
event EpochClosed:
    epoch: indexed(uint256)
    delivered: uint256
    supply: uint256
    attestations: uint256
    defaulted: bool
    slashed: uint256
    feedback_posted: bool

# @dev `amount` reward-token units were added to the operator's bond.
event BondPosted:
    sender: indexed(address)
    amount: uint256

# @dev The bond left after the term was paid to the operator agent's wallet.
event BondReleased:
    receiver: indexed(address)
    amount: uint256

### ADMIN ###

# @dev A parameter change was queued; it may be applied from `eta` on.
event ParamsQueued:
    params: Params
    eta: uint256

# @dev A queued parameter change took effect.
event ParamsApplied:
    params: Params

# @dev The admin dropped the queued parameter change.
event ParamsCancelled:
    params: Params

# @dev The operator address changed.
event OperatorSet:
    operator: indexed(address)

# @dev The guardian address changed.
event GuardianSet:
    guardian: indexed(address)


# ------------------------------------------------------------------ #
#                              STRUCTS                               #
# ------------------------------------------------------------------ #

# @dev Status of an epoch. Empty = never reported. FINALIZED and
# DEFAULTED are reserved for the attestation / default extension.
flag EpochStatus:
    REPORTED
    FUNDED
    FINALIZED
    DEFAULTED


# @dev What the operator reported for one epoch, and the fee split.
struct Epoch:
    status: EpochStatus
    delivered: uint256  # share units (1e18 = 1 TH/s)
    gross: uint256  # sats
    fee: uint256  # electricity + maintenance, sats
    perf: uint256  # performance fee, sats
    net: uint256  # to holders, sats
    btc_usd: uint256  # feed answer used for the split
    report_hash: bytes32
    supply: uint256  # share supply of the epoch, recorded at report (constant during the term)


# @dev The fee parameters (fixed-point integers) and who receives the fees.
struct Params:
    mj_per_th: uint256  # efficiency in milli-joule per TH (17.5 J/TH = 17_500)
    micro_usd_per_kwh: uint256  # electricity price, 1e-6 USD per kWh ($0.05 = 50_000)
    micro_usd_per_th_day: uint256  # maintenance, 1e-6 USD per TH/s per day
    perf_bps: uint256  # performance fee, basis points of gross - fee
    fee_recipient: address


# ------------------------------------------------------------------ #
#                             CONSTANTS                              #
# ------------------------------------------------------------------ #

# @dev One epoch: a day.
EPOCH: public(constant(uint256)) = 86_400
# @dev Accumulator scale: reward_per_share is sats * 1e36 per share unit.
ACC: constant(uint256) = 10**36
# @dev Scale of the streamed amounts: sats * 1e18.
STREAM: constant(uint256) = 10**18
# @dev One TH/s in share units.
TH: constant(uint256) = 10**18
MAX_BPS: constant(uint256) = 10_000
# @dev Most validators the admin can list (bounds the finalisation loop).
MAX_VALIDATORS: public(constant(uint256)) = 16
# @dev Highest ValidationRegistry score.
MAX_SCORE: constant(uint256) = 100


# ------------------------------------------------------------------ #
#                             IMMUTABLES                             #
# ------------------------------------------------------------------ #

# @dev The reward token (wBTC-like, 8 decimals).
REWARD_TOKEN: public(immutable(IERC20))
# @dev The payment token of the primary sale (a USD stablecoin).
PAYMENT_TOKEN: public(immutable(IERC20))
# @dev BTC/USD price feed (Chainlink AggregatorV3 read surface).
PRICE_FEED: public(immutable(IPriceFeed))
# @dev 10**decimals of the feed's answers.
FEED_UNIT: public(immutable(uint256))
# @dev Sale capacity in share units.
CAPACITY: public(immutable(uint256))
# @dev Price of 1 TH/s (10**18 shares) in payment-token units.
PRICE_PER_TH: public(immutable(uint256))
# @dev Start of epoch 0.
TERM_START: public(immutable(uint256))
# @dev End of the sale (exclusive).
SALE_END: public(immutable(uint256))
# @dev End of the term: no epoch ends after it.
TERM_END: public(immutable(uint256))
# @dev Number of epochs in the term.
N_EPOCHS: public(immutable(uint256))
# @dev Seconds after an epoch's end during which it may be reported and funded.
REPORT_GRACE: public(immutable(uint256))


# ------------------------------------------------------------------ #
#                              STORAGE                               #
# ------------------------------------------------------------------ #

### SET ONCE ###

# Set by the constructor and never written again. Storage, not immutables: each immutable
# adds 32 bytes to the runtime, and these are read on rare paths only (admin, proceeds,
# one price read per report), so the vault stays under EIP-170 with the trust extension.

# @dev Where sale proceeds go.
TREASURY: public(address)
# @dev Oldest feed answer accepted, in seconds.
MAX_PRICE_AGE: public(uint256)
# @dev Delay between queueing and applying a parameter change.
ADMIN_DELAY: public(uint256)
# @dev Caps of the fee parameters.
MAX_MJ_PER_TH: public(uint256)
MAX_MICRO_USD_PER_KWH: public(uint256)
MAX_MICRO_USD_PER_TH_DAY: public(uint256)
MAX_PERF_BPS: public(uint256)

### ROLES ###

# @dev Reports and funds epochs (replaced by an ERC-8004 agent check later).
operator: public(address)
# @dev May pause, nothing else.
guardian: public(address)

### TRUST ###

# @dev The operator agent (ERC-8004 id); 0 while unbound (then `operator` is used).
agent_id: public(uint256)
# @dev True once `bind_agent` ran: operator calls need the agent's live `agentWallet`.
agent_bound: public(bool)
identity: public(IIdentityRegistry)
validation: public(IValidationRegistry)
# @dev Where finalisations post feedback (zero: no feedback).
reputation: public(IReputationRegistry)
# @dev Finalised answers >= `min_score` needed from distinct listed validators.
quorum: public(uint256)
min_score: public(uint256)
# @dev Admin-listed validators (independent of the operator agent).
validators: DynArray[address, MAX_VALIDATORS]
# @dev Hashprice inputs of the expected reward (fixed at binding): network difficulty
#      and sats per block (subsidy + average fees).
hp_difficulty: public(uint256)
hp_sats_per_block: public(uint256)
# @dev BTC/USD of the latest report (0 before any), used to net the expected reward.
last_btc_usd: public(uint256)
# @dev Operator bond, reward-token units, kept out of the holders' liabilities (total_notified - total_claimed + fees_payable).
bond: public(uint256)
# @dev Epochs finalised or defaulted (the bond is released when it reaches N_EPOCHS).
settled_epochs: public(uint256)
# @dev Listed validators whose finalised answer counted, per finalised epoch (snapshot).
attestations: public(HashMap[uint256, uint256])

### FEES ###

# @dev The fee parameters in force.
params: public(Params)
# @dev A queued change (valid when `pending_eta != 0`).
pending_params: public(Params)
# @dev When the queued change may be applied (0: none queued).
pending_eta: public(uint256)
# @dev Fees accrued and not yet paid to the fee recipient, sats.
fees_payable: public(uint256)

### SALE ###

# @dev Payment-token units received and not yet sent to the treasury.
proceeds: public(uint256)

### EPOCHS ###

# @dev Per-epoch report and split.
epochs: public(HashMap[uint256, Epoch])

### ACCOUNTING ###

# @dev Sats * 1e36 per share unit, never decreases.
reward_per_share: public(uint256)
# @dev Value of reward_per_share at each account's last checkpoint.
reward_per_share_paid: public(HashMap[address, uint256])
# @dev Sats * 1e36 earned by each account up to its last checkpoint, not yet claimed; kept
#      scaled so that checkpoints never round (a claim pays the whole sats, the rest stays).
accrued_scaled: HashMap[address, uint256]
# @dev Where each account's rewards go (zero: to the account itself).
rewards_receiver: public(HashMap[address, address])
# @dev Current stream rate, sats * 1e18 per second.
rate_scaled: public(uint256)
# @dev End of the current stream.
period_finish: public(uint256)
# @dev Time up to which the stream has been accounted.
last_update: public(uint256)
# @dev Sats * 1e18 notified and not yet streamed.
unstreamed_scaled: public(uint256)
# @dev Sats * 1e18 streamed while the supply was zero, kept for later holders.
unallocated_scaled: public(uint256)
# @dev Net rewards ever notified to holders, sats (conservation figure).
total_notified: public(uint256)
# @dev Rewards ever paid out to holders, sats.
total_claimed: public(uint256)


# ------------------------------------------------------------------ #
#                            CONSTRUCTOR                             #
# ------------------------------------------------------------------ #


@deploy
def __init__(
    name_: String[25],
    symbol_: String[5],
    reward_token: IERC20,
    payment_token: IERC20,
    price_feed: IPriceFeed,
    capacity_ths: uint256,
    price_per_th: uint256,
    term_start: uint256,
    sale_end: uint256,
    term_end: uint256,
    operator_: address,
    guardian_: address,
    treasury: address,
    params_: Params,
    caps: Params,
    report_grace: uint256,
    max_price_age: uint256,
    admin_delay: uint256,
):
    """
    @dev The deployer becomes the admin (`owner`).
    @param name_ Share-token name.
    @param symbol_ Share-token symbol.
    @param reward_token The wBTC-like reward token (8 decimals).
    @param payment_token The token buyers pay in.
    @param price_feed The BTC/USD feed (Chainlink AggregatorV3 surface).
    @param capacity_ths Sale capacity in whole TH/s.
    @param price_per_th Price of 1 TH/s in payment-token units.
    @param term_start Start of epoch 0 (at or after `sale_end`).
    @param sale_end End of the sale (buying stops at this time; at the latest `term_start`,
           so the supply cannot change during the term).
    @param term_end End of the term; `(term_end - term_start)` holds whole epochs.
    @param operator_ The operator address.
    @param guardian_ The guardian address.
    @param treasury Receiver of sale proceeds.
    @param params_ Initial fee parameters (within `caps`).
    @param caps Immutable caps of the fee parameters (`fee_recipient` ignored).
    @param report_grace Seconds after an epoch's end to report and fund it.
    @param max_price_age Oldest accepted feed answer, seconds.
    @param admin_delay Delay of queued parameter changes, seconds.
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(name_, symbol_, 18, name_, "1")
    pausable.__init__()

    assert reward_token.address != empty(address) and payment_token.address != empty(address), "vault: zero token"
    assert treasury != empty(address), "vault: zero treasury"
    assert capacity_ths > 0 and price_per_th > 0, "vault: zero capacity or price"
    assert term_end >= term_start + EPOCH, "vault: term shorter than an epoch"
    assert (term_end - term_start) % EPOCH == 0, "vault: term not whole epochs"
    assert sale_end <= term_start, "vault: sale must end before the term"
    assert caps.perf_bps <= MAX_BPS, "vault: perf cap above 100%"
    assert max_price_age > 0, "vault: zero price age"
    feed_decimals: uint8 = staticcall price_feed.decimals()
    assert feed_decimals <= 18, "vault: feed decimals"

    REWARD_TOKEN = reward_token
    PAYMENT_TOKEN = payment_token
    PRICE_FEED = price_feed
    FEED_UNIT = 10 ** convert(feed_decimals, uint256)
    CAPACITY = capacity_ths * TH
    PRICE_PER_TH = price_per_th
    self.TREASURY = treasury
    TERM_START = term_start
    SALE_END = sale_end
    TERM_END = term_end
    N_EPOCHS = (term_end - term_start) // EPOCH
    REPORT_GRACE = report_grace
    self.MAX_PRICE_AGE = max_price_age
    self.ADMIN_DELAY = admin_delay
    self.MAX_MJ_PER_TH = caps.mj_per_th
    self.MAX_MICRO_USD_PER_KWH = caps.micro_usd_per_kwh
    self.MAX_MICRO_USD_PER_TH_DAY = caps.micro_usd_per_th_day
    self.MAX_PERF_BPS = caps.perf_bps

    self._check_caps(params_)
    self.params = params_
    self.operator = operator_
    self.guardian = guardian_
    log OperatorSet(operator=operator_)
    log GuardianSet(guardian=guardian_)
    log ParamsApplied(params=params_)


# ------------------------------------------------------------------ #
#                         INTERNAL: ROLES                            #
# ------------------------------------------------------------------ #


@internal
@view
def _check_operator():
    """
    @dev The one place operator calls are authorised. Once bound, the
         caller must be the operator agent's current `agentWallet`, read
         live from the IdentityRegistry (a transfer clears the wallet, so
         selling the agent removes the operator at once). Before binding,
         the plain `operator` address.
    """
    if self.agent_bound:
        wallet: address = staticcall self.identity.getAgentWallet(self.agent_id)
        assert wallet != empty(address) and msg.sender == wallet, "vault: caller is not the operator"
    else:
        assert msg.sender == self.operator, "vault: caller is not the operator"


@internal
@view
def _independent(v: address) -> bool:
    """
    @dev `v` is neither the operator agent's owner, approved address or
         operator, nor its wallet.
    """
    if staticcall self.identity.isAuthorizedOrOwner(v, self.agent_id):
        return False
    return v != staticcall self.identity.getAgentWallet(self.agent_id)


@internal
@view
def _request_hash(epoch: uint256, delivered: uint256, gross: uint256, report_hash: bytes32, validator: address) -> bytes32:
    return keccak256(abi_encode(chain.id, self, epoch, delivered, gross, report_hash, validator))


@internal
def _close(epoch: uint256, delivered: uint256, supply: uint256, count: uint256, slashed: uint256, uptime: uint256, report_hash: bytes32):
    """
    @dev Settles an epoch: counts it, posts the uptime feedback of a
         finalised epoch (count > 0; quorum >= 1) for the operator agent
         and logs `EpochClosed` (a defaulted epoch's record is the event
         itself). The feedback is a call that may fail (the registry
         refuses feedback from the agent's owner or approved addresses, so
         an operator approving the vault could otherwise block
         finalisation): its outcome is logged instead.
    """
    self.settled_epochs += 1
    posted: bool = False
    rep: address = self.reputation.address
    if rep != empty(address) and count != 0:
        posted = raw_call(
            rep,
            abi_encode(
                self.agent_id,
                convert(uptime, int128),
                convert(2, uint8),
                "uptime",
                concat("epoch-", uint2str(convert(epoch, uint64))),
                "",
                "",
                report_hash,
                method_id=method_id("giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)"),
            ),
            revert_on_failure=False,
        )
    log EpochClosed(epoch=epoch, delivered=delivered, supply=supply, attestations=count, defaulted=count == 0, slashed=slashed, feedback_posted=posted)


@internal
@view
def _expected(epoch: uint256) -> uint256:
    """
    @dev The net sats holders should get for an epoch at the bound
         hashprice: gross = supply * 1e12 * 86_400 * sats_per_block /
         (1e18 * difficulty * 2**32), split with the current parameters
         at the latest reported BTC/USD (no electricity or maintenance
         before any report), minus what the epoch already paid holders.
         Supply: the epoch's, recorded at report (unreported: the supply,
         which cannot change once the term has started).
    """
    d: uint256 = self.hp_difficulty
    if d == 0:
        return 0
    e: Epoch = self.epochs[epoch]
    supply: uint256 = erc20.totalSupply
    if e.status != empty(EpochStatus):
        supply = e.supply
    gross: uint256 = supply * 10**12 * EPOCH * self.hp_sats_per_block // (TH * d * 2**32)
    p: Params = self.params
    net: uint256 = gross - gross * p.perf_bps // MAX_BPS
    px: uint256 = self.last_btc_usd
    if px != 0:
        fee: uint256 = 0
        perf: uint256 = 0
        fee, perf, net = self._split(supply, gross, p, px)
    if e.status == EpochStatus.FUNDED:
        return net - min(net, e.net)
    return net


@internal
@view
def _check_caps(p: Params):
    assert p.mj_per_th <= self.MAX_MJ_PER_TH, "vault: efficiency above cap"
    assert p.micro_usd_per_kwh <= self.MAX_MICRO_USD_PER_KWH, "vault: power price above cap"
    assert p.micro_usd_per_th_day <= self.MAX_MICRO_USD_PER_TH_DAY, "vault: maintenance above cap"
    assert p.perf_bps <= self.MAX_PERF_BPS, "vault: perf fee above cap"
    assert p.fee_recipient != empty(address), "vault: zero fee recipient"


# ------------------------------------------------------------------ #
#                       INTERNAL: ACCOUNTING                         #
# ------------------------------------------------------------------ #


@internal
def _update_global():
    """
    @dev Accounts the stream up to now (or its end). What streams while
         the supply is zero goes to `unallocated_scaled`.
    """
    t: uint256 = min(block.timestamp, self.period_finish)
    last: uint256 = self.last_update
    if t > last:
        streamed: uint256 = (t - last) * self.rate_scaled
        supply: uint256 = erc20.totalSupply
        if supply > 0:
            self.reward_per_share += streamed * STREAM // supply
        else:
            self.unallocated_scaled += streamed
        self.unstreamed_scaled -= streamed
        self.last_update = t


@internal
@view
def _current_reward_per_share() -> uint256:
    rps: uint256 = self.reward_per_share
    t: uint256 = min(block.timestamp, self.period_finish)
    last: uint256 = self.last_update
    supply: uint256 = erc20.totalSupply
    if t > last and supply > 0:
        rps += (t - last) * self.rate_scaled * STREAM // supply
    return rps


@internal
def _checkpoint(account: address):
    """
    @dev Settles `account` at the current reward_per_share (call
         `_update_global` first).
    """
    rps: uint256 = self.reward_per_share
    paid: uint256 = self.reward_per_share_paid[account]
    if rps != paid:
        bal: uint256 = erc20.balanceOf[account]
        if bal != 0:
            self.accrued_scaled[account] += bal * (rps - paid)
        self.reward_per_share_paid[account] = rps


@internal
def _notify_reward(amount: uint256):
    """
    @dev Streams `amount` sats, together with whatever has not streamed
         yet and whatever streamed while the supply was zero, over the
         next epoch. The default path of the attestation extension
         reuses this entry.
    """
    self._update_global()
    left: uint256 = self.unstreamed_scaled + self.unallocated_scaled
    self.unallocated_scaled = 0
    total: uint256 = amount * STREAM + left
    self.unstreamed_scaled = total
    rate: uint256 = total // EPOCH
    self.rate_scaled = rate
    self.last_update = block.timestamp
    self.period_finish = block.timestamp + EPOCH
    self.total_notified += amount
    log RewardsNotified(amount=amount, rate_scaled=rate, period_finish=block.timestamp + EPOCH)


@internal
def _move(owner: address, to: address, amount: uint256):
    self._update_global()
    self._checkpoint(owner)
    self._checkpoint(to)
    erc20._transfer(owner, to, amount)


@internal
def _claim(owner: address, receiver: address) -> uint256:
    self._update_global()
    self._checkpoint(owner)
    amount: uint256 = self.accrued_scaled[owner] // ACC
    if amount != 0:
        self.accrued_scaled[owner] -= amount * ACC
        self.total_claimed += amount
        assert extcall REWARD_TOKEN.transfer(receiver, amount, default_return_value=True), "vault: reward transfer failed"
    log Claimed(owner=owner, receiver=receiver, amount=amount)
    return amount


@internal
@view
def _receiver_of(owner: address) -> address:
    r: address = self.rewards_receiver[owner]
    if r == empty(address):
        return owner
    return r


# ------------------------------------------------------------------ #
#                         INTERNAL: FEES                             #
# ------------------------------------------------------------------ #


@internal
@view
def _price() -> uint256:
    """
    @dev The feed's latest answer; reverts when non-positive, stale or
         from the future.
    """
    round_id: uint80 = 0
    answer: int256 = 0
    started: uint256 = 0
    updated: uint256 = 0
    answered: uint80 = 0
    round_id, answer, started, updated, answered = staticcall PRICE_FEED.latestRoundData()
    assert answer > 0, "vault: oracle price not positive"
    assert updated <= block.timestamp and block.timestamp - updated <= self.MAX_PRICE_AGE, "vault: oracle price stale"
    return convert(answer, uint256)


@internal
@view
def _split(delivered: uint256, gross: uint256, p: Params, btc_usd: uint256) -> (uint256, uint256, uint256):
    """
    @dev (fee, perf, net) of `gross` sats for `delivered` share units.
         usd_e6 = delivered * (mJ/TH * 24 * u$/kWh + u$/TH/day * 1e6) / 1e24;
         cost   = usd_e6 * 100 * FEED_UNIT / btc_usd   (sats, rounded down);
         fee    = min(gross, cost); perf = (gross - fee) * bps / 1e4.
    """
    per_th: uint256 = p.mj_per_th * 24 * p.micro_usd_per_kwh + p.micro_usd_per_th_day * 10**6
    cost: uint256 = delivered * per_th * 100 * FEED_UNIT // (10**24 * btc_usd)
    fee: uint256 = min(gross, cost)
    perf: uint256 = (gross - fee) * p.perf_bps // MAX_BPS
    return fee, perf, gross - fee - perf


@internal
@view
def _max_buy(receiver: address) -> uint256:
    if pausable.paused or block.timestamp >= SALE_END or receiver == empty(address):
        return 0
    return CAPACITY - erc20.totalSupply


@internal
@view
def _preview_buy(shares: uint256) -> uint256:
    # Rounded up: the buyer never pays less than the exact price.
    return (shares * PRICE_PER_TH + TH - 1) // TH


# ------------------------------------------------------------------ #
#                         EXTERNAL: SALE                             #
# ------------------------------------------------------------------ #


@external
@view
def preview_buy(shares: uint256) -> uint256:
    """
    @notice What buying `shares` costs, in payment-token units.
    @dev Rounded up (the vault's favour); ignores limits, as ERC-4626 `preview*`.
    @param shares Share units (1e18 = 1 TH/s).
    @return The payment.
    """
    return self._preview_buy(shares)


@external
@view
def max_buy(receiver: address) -> uint256:
    """
    @notice The most shares `receiver` can buy now; 0 when buying is
            impossible (paused, sale over, capacity sold, zero receiver).
    @dev Never reverts.
    @param receiver Who would receive the shares.
    @return Share units.
    """
    return self._max_buy(receiver)


@external
@nonreentrant
def buy(shares: uint256, max_payment: uint256, receiver: address) -> uint256:
    """
    @notice Buys `shares` for `receiver`, paying at most `max_payment`.
    @dev Checkpoints the receiver, pulls the payment (balance measured:
         fee-on-transfer payment tokens revert), then mints. Only before
         the term: no reward exists yet, so none is diluted. Emits `Bought`
         and `Transfer`.
    @param shares Share units to buy (> 0).
    @param max_payment Slippage bound, payment-token units.
    @param receiver Receiver of the shares.
    @return The payment taken.
    """
    pausable._require_not_paused()
    assert shares > 0, "vault: zero shares"
    assert block.timestamp < SALE_END, "vault: sale ended"
    assert receiver != empty(address), "vault: zero receiver"
    supply: uint256 = erc20.totalSupply
    assert shares <= CAPACITY - supply, "vault: capacity exceeded"
    payment: uint256 = self._preview_buy(shares)
    assert payment <= max_payment, "vault: payment above max"

    self._update_global()
    self._checkpoint(receiver)

    before: uint256 = staticcall PAYMENT_TOKEN.balanceOf(self)
    assert extcall PAYMENT_TOKEN.transferFrom(msg.sender, self, payment, default_return_value=True), "vault: payment failed"
    assert staticcall PAYMENT_TOKEN.balanceOf(self) - before == payment, "vault: payment token fee-on-transfer"
    self.proceeds += payment

    erc20._mint(receiver, shares)
    log Bought(buyer=msg.sender, receiver=receiver, shares=shares, payment=payment)
    return payment


@external
@nonreentrant
def withdraw_proceeds() -> uint256:
    """
    @notice Sends the sale proceeds held by the vault to the treasury.
    @dev Anyone may call. Emits `ProceedsWithdrawn`.
    @return The amount sent.
    """
    amount: uint256 = self.proceeds
    self.proceeds = 0
    if amount != 0:
        assert extcall PAYMENT_TOKEN.transfer(self.TREASURY, amount, default_return_value=True), "vault: proceeds transfer failed"
    log ProceedsWithdrawn(treasury=self.TREASURY, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                        EXTERNAL: ERC-20                            #
# ------------------------------------------------------------------ #


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transfer; settles both parties' rewards first.
    @dev Never paused. Emits `Transfer`.
    @param to Receiver.
    @param amount Share units.
    @return True.
    """
    self._move(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transferFrom; settles both parties' rewards first.
    @dev Never paused. Emits `Transfer` (and `Approval` when the allowance is finite).
    @param owner Sender of the shares.
    @param to Receiver.
    @param amount Share units.
    @return True.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    self._move(owner, to, amount)
    return True


# ------------------------------------------------------------------ #
#                        EXTERNAL: EPOCHS                            #
# ------------------------------------------------------------------ #


@external
def report_epoch(epoch: uint256, delivered: uint256, gross: uint256, report_hash: bytes32, uri: String[256]):
    """
    @notice The operator reports an ended epoch: delivered hashrate,
            gross reward and its pool report. The fee split is fixed now,
            at the feed's current BTC/USD price.
    @dev Reverts when paused, for an epoch outside the term, not ended,
         past its deadline, already reported, or with `delivered` above
         the sold supply; on a stale or non-positive price. Emits
         `EpochReported`.
    @param epoch Epoch index (0 starts at TERM_START).
    @param delivered Average delivered hashrate, share units (1e18 = 1 TH/s).
    @param gross Gross reward of the epoch, sats.
    @param report_hash Hash of the pool report.
    @param uri Where the pool report can be read.
    """
    pausable._require_not_paused()
    self._check_operator()
    assert epoch < N_EPOCHS, "vault: epoch after term end"
    end: uint256 = TERM_START + (epoch + 1) * EPOCH
    assert block.timestamp >= end, "vault: epoch not ended"
    assert block.timestamp <= end + REPORT_GRACE, "vault: epoch deadline passed"
    assert self.epochs[epoch].status == empty(EpochStatus), "vault: epoch already reported"
    supply: uint256 = erc20.totalSupply
    assert delivered <= supply, "vault: delivered exceeds sold"
    btc_usd: uint256 = self._price()
    self.last_btc_usd = btc_usd
    fee: uint256 = 0
    perf: uint256 = 0
    net: uint256 = 0
    fee, perf, net = self._split(delivered, gross, self.params, btc_usd)
    self.epochs[epoch] = Epoch(
        status=EpochStatus.REPORTED,
        delivered=delivered,
        gross=gross,
        fee=fee,
        perf=perf,
        net=net,
        btc_usd=btc_usd,
        report_hash=report_hash,
        supply=supply,
    )
    log EpochReported(
        epoch=epoch, delivered=delivered, gross=gross, fee=fee, perf=perf, net=net, btc_usd=btc_usd, report_hash=report_hash, uri=uri
    )


@external
@nonreentrant
def fund_epoch(epoch: uint256):
    """
    @notice The operator pays a reported epoch's gross reward; the net
            starts streaming to holders over the next epoch and the fees
            become payable to the fee recipient.
    @dev Needs an allowance of `gross` reward tokens. The balance change
         is measured: fee-on-transfer tokens revert. Reverts when
         paused, not reported, already funded, or past the deadline.
         Emits `EpochFunded` and `RewardsNotified`.
    @param epoch The epoch index.
    """
    pausable._require_not_paused()
    self._check_operator()
    e: Epoch = self.epochs[epoch]
    assert e.status != empty(EpochStatus), "vault: epoch not reported"
    assert e.status == EpochStatus.REPORTED, "vault: epoch already funded"
    assert block.timestamp <= TERM_START + (epoch + 1) * EPOCH + REPORT_GRACE, "vault: epoch deadline passed"
    self.epochs[epoch].status = EpochStatus.FUNDED
    if e.gross != 0:
        before: uint256 = staticcall REWARD_TOKEN.balanceOf(self)
        assert extcall REWARD_TOKEN.transferFrom(msg.sender, self, e.gross, default_return_value=True), "vault: funding failed"
        assert staticcall REWARD_TOKEN.balanceOf(self) - before == e.gross, "vault: reward token fee-on-transfer"
    self.fees_payable += e.fee + e.perf
    self._notify_reward(e.net)
    log EpochFunded(epoch=epoch, gross=e.gross, fee=e.fee, perf=e.perf, net=e.net)


@external
@nonreentrant
def withdraw_fees() -> uint256:
    """
    @notice Pays the accrued fees to the current fee recipient.
    @dev Anyone may call. Emits `FeesWithdrawn`.
    @return The amount paid, sats.
    """
    amount: uint256 = self.fees_payable
    recipient: address = self.params.fee_recipient
    self.fees_payable = 0
    if amount != 0:
        assert extcall REWARD_TOKEN.transfer(recipient, amount, default_return_value=True), "vault: fee transfer failed"
    log FeesWithdrawn(recipient=recipient, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                        EXTERNAL: REWARDS                           #
# ------------------------------------------------------------------ #


@external
@view
def claimable(account: address) -> uint256:
    """
    @notice Sats `account` can claim now.
    @param account The holder.
    @return Sats.
    """
    rps: uint256 = self._current_reward_per_share()
    return (self.accrued_scaled[account] + erc20.balanceOf[account] * (rps - self.reward_per_share_paid[account])) // ACC


@external
@nonreentrant
def claim(receiver: address = empty(address)) -> uint256:
    """
    @notice Claims the caller's rewards, paid to `receiver` (default: the
            caller's rewards receiver, or the caller).
    @dev Never paused. Emits `Claimed`.
    @param receiver Where to pay; zero for the default.
    @return Sats paid.
    """
    to: address = receiver
    if to == empty(address):
        to = self._receiver_of(msg.sender)
    return self._claim(msg.sender, to)


@external
@nonreentrant
def claim_for(account: address) -> uint256:
    """
    @notice Claims `account`'s rewards on its behalf; they are paid to
            `account` (or to the receiver `account` chose), never to the caller.
    @dev Anyone may call. Emits `Claimed`.
    @param account The holder.
    @return Sats paid.
    """
    return self._claim(account, self._receiver_of(account))


@external
def set_rewards_receiver(receiver: address):
    """
    @notice Chooses where the caller's rewards are paid (zero: to itself).
    @dev Emits `RewardsReceiverSet`.
    @param receiver The receiver.
    """
    self.rewards_receiver[msg.sender] = receiver
    log RewardsReceiverSet(owner=msg.sender, receiver=receiver)


@external
def checkpoint(account: address):
    """
    @notice Settles `account`'s rewards up to now (anyone may call).
    @param account The holder.
    """
    self._update_global()
    self._checkpoint(account)


@external
@view
def epoch_end(epoch: uint256) -> uint256:
    """
    @notice End time of an epoch.
    @param epoch The epoch index.
    @return Unix time.
    """
    return TERM_START + (epoch + 1) * EPOCH


@external
@view
def epoch_deadline(epoch: uint256) -> uint256:
    """
    @notice Last moment an epoch may be reported or funded.
    @param epoch The epoch index.
    @return Unix time.
    """
    return TERM_START + (epoch + 1) * EPOCH + REPORT_GRACE


# ------------------------------------------------------------------ #
#                         EXTERNAL: TRUST                            #
# ------------------------------------------------------------------ #


@external
def bind_agent(
    identity_: IIdentityRegistry,
    validation_: IValidationRegistry,
    reputation_: IReputationRegistry,
    agent_id_: uint256,
    quorum_: uint256,
    min_score_: uint256,
    difficulty: uint256,
    sats_per_block: uint256,
):
    """
    @notice Binds the vault, once, to operator agent `agent_id_` and the
            ERC-8004 registries ("opening the term"); from then on only the
            agent's live `agentWallet` acts as operator.
    @dev Admin only; before epoch 0 ends (so before any report). The agent
         must exist and have a wallet. The hashprice inputs fix the
         expected reward of a defaulted epoch. Emits `AgentBound`.
    @param identity_ The IdentityRegistry.
    @param validation_ The ValidationRegistry.
    @param reputation_ The ReputationRegistry (zero: no feedback).
    @param agent_id_ The operator agent id.
    @param quorum_ Distinct listed validators needed to finalise (>= 1).
    @param min_score_ Lowest counted score, 1..100.
    @param difficulty Network difficulty of the expected reward (> 0).
    @param sats_per_block Subsidy + average fees per block, sats.
    """
    ownable._check_owner()
    assert not self.agent_bound, "vault: agent already bound"
    assert block.timestamp < TERM_START + EPOCH, "vault: term running"
    assert identity_.address != empty(address) and validation_.address != empty(address), "vault: zero registry"
    assert quorum_ >= 1 and quorum_ <= MAX_VALIDATORS, "vault: bad quorum"
    assert min_score_ >= 1 and min_score_ <= MAX_SCORE, "vault: bad min score"
    assert difficulty > 0, "vault: zero difficulty"
    assert staticcall identity_.getAgentWallet(agent_id_) != empty(address), "vault: agent has no wallet"
    self.identity = identity_
    self.validation = validation_
    self.reputation = reputation_
    self.agent_id = agent_id_
    self.agent_bound = True
    self.quorum = quorum_
    self.min_score = min_score_
    self.hp_difficulty = difficulty
    self.hp_sats_per_block = sats_per_block
    if self.operator != empty(address):
        self.operator = empty(address)
        log OperatorSet(operator=empty(address))
    log AgentBound(
        agent_id=agent_id_,
        identity=identity_.address,
        validation=validation_.address,
        reputation=reputation_.address,
        quorum=quorum_,
        min_score=min_score_,
        difficulty=difficulty,
        sats_per_block=sats_per_block,
    )


@external
def add_validator(v: address):
    """
    @notice Lists validator `v`.
    @dev Admin only, after binding; `v` must be independent of the
         operator agent (not owner, approved, operator or wallet).
         Emits `ValidatorSet`.
    @param v The validator address.
    """
    ownable._check_owner()
    assert self.agent_bound, "vault: agent not bound"
    assert v != empty(address), "vault: zero validator"
    assert v not in self.validators, "vault: validator listed"
    assert len(self.validators) < MAX_VALIDATORS, "vault: too many validators"
    assert self._independent(v), "vault: validator not independent"
    self.validators.append(v)
    log ValidatorSet(validator=v, listed=True)


@external
def remove_validator(v: address):
    """
    @notice Delists validator `v` (finalised epochs keep their snapshot).
    @dev Admin only. Emits `ValidatorSet`.
    @param v The validator address.
    """
    ownable._check_owner()
    n: uint256 = len(self.validators)
    for i: uint256 in range(n, bound=MAX_VALIDATORS):
        if self.validators[i] == v:
            self.validators[i] = self.validators[n - 1]
            self.validators.pop()
            log ValidatorSet(validator=v, listed=False)
            return
    raise "vault: validator not listed"


@external
@view
def validator_list() -> DynArray[address, MAX_VALIDATORS]:
    """
    @notice The listed validators.
    @return The list.
    """
    return self.validators


@external
@view
def request_hash(epoch: uint256, validator: address) -> bytes32:
    """
    @notice The ValidationRegistry request hash of a reported epoch for one validator:
            keccak256(abi_encode(chain.id, vault, epoch, delivered, gross, report_hash, validator)).
    @param epoch The epoch index.
    @param validator The validator.
    @return The hash (of the stored report; zero fields for an unreported epoch).
    """
    e: Epoch = self.epochs[epoch]
    return self._request_hash(epoch, e.delivered, e.gross, e.report_hash, validator)


@external
@view
def expected_reward(epoch: uint256) -> uint256:
    """
    @notice What a default of `epoch` would pay holders now (before the bond cap).
    @param epoch The epoch index.
    @return Sats.
    """
    return self._expected(epoch)


@external
@nonreentrant
def finalize_epoch(epoch: uint256) -> uint256:
    """
    @notice Finalises a funded epoch once `quorum` listed, independent
            validators hold a finalised answer >= `min_score` for the
            epoch's request hash under the operator agent; posts the
            epoch's uptime feedback for the agent.
    @dev Anyone; never paused; until `attest_deadline`. The result is
         snapshotted (`attestations`, status FINALIZED): later registry
         changes do not alter it. Feedback: value delivered * 1e4 / the
         epoch's supply (2 decimals, percent), tag1 "uptime", tag2
         "epoch-<n>"; a registry refusing it cannot revert finalisation
         (recorded in `EpochClosed.feedback_posted`). Emits `EpochFinalized`
         and `EpochClosed`.
    @param epoch The epoch index.
    @return The number of counted attestations.
    """
    assert self.agent_bound, "vault: agent not bound"
    e: Epoch = self.epochs[epoch]
    assert e.status == EpochStatus.FUNDED, "vault: epoch not funded"
    assert block.timestamp <= TERM_START + (epoch + 1) * EPOCH + 2 * REPORT_GRACE, "vault: attest deadline passed"
    agent: uint256 = self.agent_id
    reg: IValidationRegistry = self.validation
    lowest: uint256 = self.min_score
    count: uint256 = 0
    for v: address in self.validators:
        h: bytes32 = self._request_hash(epoch, e.delivered, e.gross, e.report_hash, v)
        status: uint8 = 0
        who: address = empty(address)
        score: uint8 = 0
        done: bool = False
        ts: uint256 = 0
        status, who, score, done, ts = staticcall reg.getAttestation(agent, h)
        if done and who == v and convert(score, uint256) >= lowest and self._independent(v):
            count += 1
    assert count >= self.quorum, "vault: no quorum"
    self.epochs[epoch].status = EpochStatus.FINALIZED
    self.attestations[epoch] = count
    uptime: uint256 = 0
    if e.supply != 0:
        uptime = e.delivered * MAX_BPS // e.supply
    log EpochFinalized(epoch=epoch, attestations=count, uptime_bps=uptime)
    self._close(epoch, e.delivered, e.supply, count, 0, uptime, e.report_hash)
    return count


@external
@nonreentrant
def declare_default(epoch: uint256) -> uint256:
    """
    @notice Declares `epoch` in default: not funded by its deadline, or
            funded but not finalised by its attestation deadline. The bond
            pays holders the epoch's expected reward, as far as it
            reaches, through the normal reward stream.
    @dev Anyone; never paused; also when the slash is 0 (the epoch is
         recorded as defaulted whatever the operator funded). Emits
         `EpochDefaulted`, `RewardsNotified` and `EpochClosed`.
    @param epoch The epoch index (< N_EPOCHS).
    @return The sats taken from the bond.
    """
    assert epoch < N_EPOCHS, "vault: epoch after term end"
    status: EpochStatus = self.epochs[epoch].status
    assert status != EpochStatus.FINALIZED and status != EpochStatus.DEFAULTED, "vault: epoch already settled"
    deadline: uint256 = TERM_START + (epoch + 1) * EPOCH + REPORT_GRACE
    if status == EpochStatus.FUNDED:
        deadline += REPORT_GRACE
    assert block.timestamp > deadline, "vault: default too early"
    expected: uint256 = self._expected(epoch)
    slashed: uint256 = min(self.bond, expected)
    e: Epoch = self.epochs[epoch]
    supply: uint256 = e.supply
    if status == empty(EpochStatus):
        supply = erc20.totalSupply
    self.epochs[epoch].status = EpochStatus.DEFAULTED
    self.bond -= slashed
    self._notify_reward(slashed)
    log EpochDefaulted(epoch=epoch, caller=msg.sender, expected=expected, slashed=slashed)
    self._close(epoch, e.delivered, supply, 0, slashed, 0, e.report_hash)
    return slashed


@external
@nonreentrant
def post_bond(amount: uint256):
    """
    @notice Adds `amount` reward tokens to the operator's bond.
    @dev Anyone may top it up; the balance change is measured
         (fee-on-transfer tokens revert). Emits `BondPosted`.
    @param amount Reward-token units (> 0).
    """
    assert amount > 0, "vault: zero bond"
    before: uint256 = staticcall REWARD_TOKEN.balanceOf(self)
    assert extcall REWARD_TOKEN.transferFrom(msg.sender, self, amount, default_return_value=True), "vault: bond transfer failed"
    got: uint256 = staticcall REWARD_TOKEN.balanceOf(self) - before
    assert got == amount, "vault: reward token fee-on-transfer"
    self.bond += got
    log BondPosted(sender=msg.sender, amount=got)


@external
@nonreentrant
def withdraw_bond() -> uint256:
    """
    @notice Pays the remaining bond to the operator agent's wallet after
            the term, once every epoch is finalised or defaulted.
    @dev Operator only. Emits `BondReleased`.
    @return The amount paid.
    """
    self._check_operator()
    assert block.timestamp >= TERM_END, "vault: term not over"
    assert self.settled_epochs == N_EPOCHS, "vault: epochs not settled"
    amount: uint256 = self.bond
    self.bond = 0
    if amount != 0:
        assert extcall REWARD_TOKEN.transfer(msg.sender, amount, default_return_value=True), "vault: bond transfer failed"
    log BondReleased(receiver=msg.sender, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                         EXTERNAL: ADMIN                            #
# ------------------------------------------------------------------ #


@external
def queue_params(p: Params):
    """
    @notice Queues a fee-parameter change, applicable after ADMIN_DELAY.
    @dev Admin only; within the caps. Replaces any queued change.
         Emits `ParamsQueued`.
    @param p The new parameters.
    """
    ownable._check_owner()
    self._check_caps(p)
    eta: uint256 = block.timestamp + self.ADMIN_DELAY
    self.pending_params = p
    self.pending_eta = eta
    log ParamsQueued(params=p, eta=eta)


@external
def apply_params():
    """
    @notice Applies the queued change once its ETA is reached.
    @dev Admin only. Emits `ParamsApplied`.
    """
    ownable._check_owner()
    eta: uint256 = self.pending_eta
    assert eta != 0, "vault: no params queued"
    assert block.timestamp >= eta, "vault: params not yet due"
    p: Params = self.pending_params
    self.params = p
    self.pending_eta = 0
    self.pending_params = empty(Params)
    log ParamsApplied(params=p)


@external
def cancel_params():
    """
    @notice Drops the queued change.
    @dev Admin only. Emits `ParamsCancelled`.
    """
    ownable._check_owner()
    assert self.pending_eta != 0, "vault: no params queued"
    p: Params = self.pending_params
    self.pending_eta = 0
    self.pending_params = empty(Params)
    log ParamsCancelled(params=p)


@external
def set_operator(operator_: address):
    """
    @notice Sets the operator address.
    @dev Admin only. Emits `OperatorSet`.
    @param operator_ The new operator.
    """
    ownable._check_owner()
    assert not self.agent_bound, "vault: agent bound"
    self.operator = operator_
    log OperatorSet(operator=operator_)


@external
def set_guardian(guardian_: address):
    """
    @notice Sets the guardian address.
    @dev Admin only. Emits `GuardianSet`.
    @param guardian_ The new guardian.
    """
    ownable._check_owner()
    self.guardian = guardian_
    log GuardianSet(guardian=guardian_)


@external
def pause():
    """
    @notice Stops buy, report_epoch and fund_epoch (never claims or transfers).
    @dev Guardian or admin. Emits `Paused`.
    """
    assert msg.sender == self.guardian or msg.sender == ownable.owner, "vault: caller is not the guardian"
    pausable._pause()


@external
def unpause():
    """
    @notice Resumes buy, report_epoch and fund_epoch.
    @dev Admin only. Emits `Unpaused`.
    """
    ownable._check_owner()
    pausable._unpause()
