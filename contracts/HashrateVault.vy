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
        every balance change settles both parties first; each funded
        epoch's net reward streams over the next epoch (no just-in-time
        sniping); what streams while the supply is zero is kept and
        streamed again to the first holders; donations change nobody's
        claim (all accounting is internal). Claims and transfers are
        O(1) whatever the number of epochs or holders.

        Fees per epoch, in this order and never above the gross:
        electricity `TH * J/TH * 24 / 1000 * $/kWh` plus maintenance
        `TH * $/TH/day`, converted to sats at the BTC/USD round of a
        Chainlink-compatible feed in force at the epoch's end (a stale
        round: no electricity/maintenance fee), then a performance fee
        in basis points of what is left. The parameters are versioned:
        an epoch is priced with the version in force at its end.

        Trust split (docs/design/vault-trust-split.md): the trust layer
        (`trust`, set once before any sale) names the operator (its
        live agent wallet), holds the bond and decides what a missed or
        short epoch owes; the vault decides who receives it and when:
        at each epoch's record time it asks the trust (`settle`) and
        credits what the trust pays to the holders of that moment.

        Roles: the admin (`owner`, two-step hand-over) changes the fee
        parameters through a queue with a delay, within immutable caps;
        the operator reports and funds epochs; the guardian (or admin)
        may pause, at most 8 times, each pause at most 7 days; every
        deadline runs in unpaused time. Pause stops `buy`,
        `report_epoch` and `fund_epoch`, never claims, transfers or
        settlement.
@dev The ERC-20 is snekmate's `erc20` module; its `transfer`,
     `transferFrom`, `mint` and `burn` are not exported: this contract
     writes `transfer`/`transferFrom` around `erc20._transfer` so that
     due epochs are settled and both parties checkpointed first.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20

from interfaces import IPriceFeed
from interfaces import IVaultTrust
from interfaces import IHashrateVault

implements: IHashrateVault

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

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

# @dev The trust layer of the term was set (once, before any sale).
event TrustSet:
    trust: indexed(address)

### EPOCHS ###

# @dev The operator reported epoch `epoch` with the BTC/USD round `round_id` in force at its end;
#      the fee split is fixed at report time. `price_stale`: the round was older than
#      MAX_PRICE_AGE at the epoch's end (then `btc_usd` = 0 and no electricity/maintenance fee).
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
    round_id: uint80
    price_stale: bool

# @dev The operator paid the gross reward of epoch `epoch` into the vault.
event EpochFunded:
    epoch: indexed(uint256)
    gross: uint256
    fee: uint256
    perf: uint256
    net: uint256

# @dev Epoch `epoch` was settled with the trust at its record time `record_time`: `credited`
#      sats were paid by the trust and credited to the holders of that moment.
event EpochSettled:
    epoch: indexed(uint256)
    credited: uint256
    record_time: uint256

# @dev The settlement cursors moved to (`unfunded`, `attest`) (see `cursors()`), also when a step
#      only skipped an epoch the other cursor settles.
event CursorsMoved:
    unfunded: uint256
    attest: uint256

### REWARDS ###

# @dev `account`'s rewards were accounted up to now (`checkpoint`).
event Checkpointed:
    account: indexed(address)

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

### ADMIN ###

# @dev A parameter change was queued; it may be applied from `eta` on.
event ParamsQueued:
    params: IHashrateVault.Params
    eta: uint256

# @dev Parameter version `version` is in force for every epoch ending at or after `from_time`.
event ParamsApplied:
    params: IHashrateVault.Params
    version: uint256
    from_time: uint256

# @dev The admin dropped the queued parameter change.
event ParamsCancelled:
    params: IHashrateVault.Params

# @dev The guardian address changed.
event GuardianSet:
    guardian: indexed(address)

# @dev `account` paused the vault (same ABI as snekmate's `pausable`); the pause lasts at most MAX_PAUSE.
event Paused:
    account: address

# @dev `account` ended the pause.
event Unpaused:
    account: address

# @dev A pause that expired without `unpause` was closed at `end` = start + MAX_PAUSE (written by the next `pause`).
event PauseEnded:
    start: uint256
    end: uint256


# ------------------------------------------------------------------ #
#                              STRUCTS                               #
# ------------------------------------------------------------------ #

# @dev `IHashrateVault.EpochStatus`, `Epoch` and `IHashrateVault.Params` are those of `IHashrateVault` (the ABI the trust reads):
#      IHashrateVault.EpochStatus REPORTED | FUNDED (FINALIZED and DEFAULTED are kept for the ABI; the trust layer
#      keeps each epoch's outcome); Epoch.btc_usd is 0 when the round at the end was stale;
#      Epoch.supply is the term supply, filled by the `epochs` view (not stored).


# @dev One pause: [start, end); end = 0 while it has not been ended (it ends at start + MAX_PAUSE at the latest).
struct Pause:
    start: uint256
    end: uint256


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
# @dev Most parameter versions of a term (the constructor's is version 0).
MAX_PARAM_VERSIONS: public(constant(uint256)) = 16
# @dev Most pauses of a term, and the longest pause.
MAX_PAUSES: public(constant(uint256)) = 8
MAX_PAUSE: public(constant(uint256)) = 7 * 86_400
# @dev Settlements a balance change or a claim runs before acting.
AUTO_SETTLE: constant(uint256) = 4
# @dev Most settlements of one `settle_due` call.
MAX_SETTLE: public(constant(uint256)) = 64
M32: constant(uint256) = 2**32 - 1
M64: constant(uint256) = 2**64 - 1
# @dev Most later feed phases `_round_price` reads for the first one with a round (H2).
MAX_PHASE_WALK: constant(uint256) = 8


# ------------------------------------------------------------------ #
#                             IMMUTABLES                             #
# ------------------------------------------------------------------ #

# @dev The reward token (wBTC-like, 8 decimals).
REWARD_TOKEN: public(immutable(IERC20))
# @dev The payment token of the primary sale (a USD stablecoin).
PAYMENT_TOKEN: public(immutable(IERC20))
# @dev BTC/USD price feed (Chainlink AggregatorV3 read surface, with `getRoundData`).
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
# @dev Seconds (unpaused) after an epoch's end during which it may be reported and funded.
REPORT_GRACE: public(immutable(uint256))


# ------------------------------------------------------------------ #
#                              STORAGE                               #
# ------------------------------------------------------------------ #

### SET ONCE ###

# @dev Where sale proceeds go.
TREASURY: public(address)
# @dev Oldest BTC/USD round (at the epoch's end) that still prices electricity, seconds.
MAX_PRICE_AGE: public(uint256)
# @dev Delay between queueing and applying a parameter change (>= EPOCH).
ADMIN_DELAY: public(uint256)
# @dev Caps of the fee parameters.
MAX_MJ_PER_TH: public(uint256)
MAX_MICRO_USD_PER_KWH: public(uint256)
MAX_MICRO_USD_PER_TH_DAY: public(uint256)
MAX_PERF_BPS: public(uint256)

### ROLES ###

# @dev May pause, nothing else.
guardian: public(address)

### TERM STATE ###

# @dev One slot read by every transfer: the trust (bits 0-159), the unfunded cursor (160-191),
#      the attest cursor (192-223) and the number of pauses (224-231).
state: uint256
# @dev Pauses, each `start | end << 64` (end 0 while not ended).
pause_log: uint256[MAX_PAUSES]

### FEES ###

# @dev Parameter versions; `params_from[v]`: the time version v was applied.
params_hist: HashMap[uint256, IHashrateVault.Params]
params_from: public(HashMap[uint256, uint256])
# @dev The newest version (the one in force now).
params_version: public(uint256)
# @dev A queued change (valid when `pending_eta != 0`).
pending_params: public(IHashrateVault.Params)
# @dev When the queued change may be applied (0: none queued).
pending_eta: public(uint256)
# @dev Fees accrued and not yet paid to the fee recipient, sats.
fees_payable: public(uint256)

### SALE ###

# @dev Payment-token units received and not yet sent to the treasury.
proceeds: public(uint256)

### EPOCHS ###

# @dev Per-epoch report and split (`supply` unused in storage: see the `epochs` view).
_epochs: HashMap[uint256, IHashrateVault.Epoch]

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
# @dev Net rewards ever notified or credited to holders, sats (conservation figure).
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
    guardian_: address,
    treasury: address,
    params_: IHashrateVault.Params,
    caps: IHashrateVault.Params,
    report_grace: uint256,
    max_price_age: uint256,
    admin_delay: uint256,
):
    """
    @dev The deployer becomes the admin (`owner`). The operator is named by the trust layer
         (`set_trust`), not here.
    @param name_ Share-token name.
    @param symbol_ Share-token symbol.
    @param reward_token The wBTC-like reward token (8 decimals).
    @param payment_token The token buyers pay in.
    @param price_feed The BTC/USD feed (Chainlink AggregatorV3 surface with `getRoundData`).
    @param capacity_ths Sale capacity in whole TH/s.
    @param price_per_th Price of 1 TH/s in payment-token units.
    @param term_start Start of epoch 0 (at or after `sale_end`).
    @param sale_end End of the sale (buying stops at this time; at the latest `term_start`,
           so the supply cannot change during the term).
    @param term_end End of the term; `(term_end - term_start)` holds whole epochs.
    @param guardian_ The guardian address.
    @param treasury Receiver of sale proceeds.
    @param params_ Initial fee parameters (within `caps`), version 0.
    @param caps Immutable caps of the fee parameters (`fee_recipient` ignored).
    @param report_grace Seconds (unpaused) after an epoch's end to report and fund it.
    @param max_price_age Oldest round (at the epoch's end) that prices electricity, seconds.
    @param admin_delay Delay of queued parameter changes, seconds (>= EPOCH).
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(name_, symbol_, 18, name_, "1")

    self._req(reward_token.address != empty(address) and payment_token.address != empty(address), "vault: zero token")
    self._req(treasury != empty(address), "vault: zero treasury")
    self._req(capacity_ths > 0 and price_per_th > 0, "vault: zero capacity or price")
    self._req(term_end >= term_start + EPOCH, "vault: term shorter than an epoch")
    self._req((term_end - term_start) % EPOCH == 0, "vault: term not whole epochs")
    self._req((term_end - term_start) // EPOCH <= M32, "vault: term too long")
    self._req(sale_end <= term_start, "vault: sale must end before the term")
    self._req(caps.perf_bps <= MAX_BPS, "vault: perf cap above 100%")
    self._req(max_price_age > 0, "vault: zero price age")
    self._req(admin_delay >= EPOCH, "vault: admin delay below an epoch")
    feed_decimals: uint8 = staticcall price_feed.decimals()
    self._req(feed_decimals <= 18, "vault: feed decimals")

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
    self.params_hist[0] = params_
    self.params_from[0] = block.timestamp
    self.guardian = guardian_
    log GuardianSet(guardian=guardian_)
    log ParamsApplied(params=params_, version=0, from_time=block.timestamp)


# ------------------------------------------------------------------ #
#                      INTERNAL: TERM STATE                          #
# ------------------------------------------------------------------ #


@internal
@pure
def _req(ok: bool, reason: String[40]):
    """
    @dev `assert ok, reason` through one shared revert site: each inline assert repeats the
         revert encoding (about 2.7 kB of runtime over the vault's 63 checks).
    """
    if not ok:
        raise reason


@internal
@view
def _trust() -> IVaultTrust:
    return IVaultTrust(convert(convert(self.state & (2**160 - 1), uint160), address))


@internal
@view
def _not_validator(t: IVaultTrust, a: address, reason: String[40]):
    """
    @dev G2: refuses to give a listed validator of the trust `t` a vault role its attestations
         must stay independent of (guardian, fee recipient). Rare admin paths: one external call.
    """
    if t.address != empty(address):
        self._req(a not in staticcall t.validator_list(), reason)


@internal
@view
def _n_pauses() -> uint256:
    return (self.state >> 224) & 255


@internal
@view
def _check_operator():
    """
    @dev The one place operator calls are authorised: the caller must be the trust layer's
         `operator_wallet()` (the operator agent's live wallet; zero while the agent has
         authorised the trust or the vault, or has no wallet).
    """
    t: IVaultTrust = self._trust()
    self._req(t.address != empty(address), "vault: term not opened")
    wallet: address = staticcall t.operator_wallet()
    self._req(wallet != empty(address), "vault: no operator wallet")
    self._req(msg.sender == wallet, "vault: caller is not the operator")


@internal
@view
def _end(epoch: uint256) -> uint256:
    return TERM_START + (epoch + 1) * EPOCH


@internal
@view
def _deadline(epoch: uint256, span: uint256) -> uint256:
    """
    @dev `span` unpaused seconds after the epoch's end: every paused second after the end
         and before the (pushed) deadline pushes it. A pause not ended counts up to its
         longest end (start + MAX_PAUSE): while it runs, nothing becomes due.
    """
    end_e: uint256 = self._end(epoch)
    d: uint256 = end_e + span
    n: uint256 = self._n_pauses()
    for i: uint256 in range(n, bound=MAX_PAUSES):
        p: uint256 = self.pause_log[i]
        s: uint256 = p & M64
        if s >= d:
            break
        u: uint256 = p >> 64
        if u == 0:
            u = s + MAX_PAUSE
        if u > end_e:
            d += u - max(s, end_e)
    return d


@internal
@view
def _paused() -> bool:
    n: uint256 = self._n_pauses()
    if n == 0:
        return False
    p: uint256 = self.pause_log[n - 1]
    return p >> 64 == 0 and block.timestamp < (p & M64) + MAX_PAUSE


@internal
@view
def _require_not_paused():
    self._req(not self._paused(), "vault: paused")


@internal
@view
def _params_of(epoch: uint256) -> IHashrateVault.Params:
    """@dev The newest version applied at or before the epoch's end (version 0 at the latest)."""
    end_e: uint256 = self._end(epoch)
    v: uint256 = self.params_version
    for i: uint256 in range(MAX_PARAM_VERSIONS):
        if v == 0 or self.params_from[v] <= end_e:
            break
        v -= 1
    return self.params_hist[v]


@internal
@view
def _check_caps(p: IHashrateVault.Params):
    self._req(p.mj_per_th <= self.MAX_MJ_PER_TH, "vault: efficiency above cap")
    self._req(p.micro_usd_per_kwh <= self.MAX_MICRO_USD_PER_KWH, "vault: power price above cap")
    self._req(p.micro_usd_per_th_day <= self.MAX_MICRO_USD_PER_TH_DAY, "vault: maintenance above cap")
    self._req(p.perf_bps <= self.MAX_PERF_BPS, "vault: perf fee above cap")
    self._req(p.fee_recipient != empty(address), "vault: zero fee recipient")


# ------------------------------------------------------------------ #
#                       INTERNAL: SETTLEMENT                         #
# ------------------------------------------------------------------ #


@internal
def _settle_due(max_n: uint256, post: bool, soft: bool) -> (uint256, bool):
    """
    @dev Advances the two cursors over every epoch whose record time has passed, at most
         `max_n` `settle` calls: the unfunded cursor past D(c) settles an epoch not funded
         (skips a funded one), the attest cursor past A(c) settles a funded epoch (skips
         the others, which the unfunded cursor settles); each step moves the cursor whose
         record time is earlier. `soft` (claims): a failing `settle` stops the loop instead
         of reverting. At most 2 * max_n + 3 steps; the
         last pass only looks. Returns the number of settlements and whether an epoch is
         still due.
    """
    st: uint256 = self.state
    t: IVaultTrust = IVaultTrust(convert(convert(st & (2**160 - 1), uint160), address))
    if t.address == empty(address):
        return 0, False
    u: uint256 = (st >> 160) & M32
    a: uint256 = (st >> 192) & M32
    calls: uint256 = 0
    due: bool = False
    last: uint256 = 2 * max_n + 3
    for i: uint256 in range(last + 1, bound=2 * MAX_SETTLE + 4):
        c: uint256 = 0
        rt: uint256 = 0
        on_u: bool = False
        settle: bool = False
        # the cursor whose record time comes first (ties: the unfunded one), so a late batch
        # settles in record-time order, as on-time calls would
        du: uint256 = max_value(uint256)
        da: uint256 = max_value(uint256)
        if u < N_EPOCHS:
            du = self._deadline(u, REPORT_GRACE)
        if a < N_EPOCHS:
            da = self._deadline(a, 2 * REPORT_GRACE)
        if block.timestamp > du and du <= da:
            c = u
            rt = du
            on_u = True
            settle = self._epochs[u].status != IHashrateVault.EpochStatus.FUNDED
        elif block.timestamp > da:
            c = a
            rt = da
            settle = self._epochs[a].status == IHashrateVault.EpochStatus.FUNDED
        else:
            due = False
            break
        due = True
        if i == last or (settle and calls == max_n):
            break
        if settle:
            before: uint256 = staticcall REWARD_TOKEN.balanceOf(self)
            paid: uint256 = 0
            if soft:
                # claims: a trust that refuses (or runs out of gas) leaves the epoch due, never
                # blocks the claim; its call reverted, so nothing of it happened
                ok: bool = False
                resp: Bytes[32] = b""
                ok, resp = raw_call(
                    t.address,
                    abi_encode(c, post, method_id=method_id("settle(uint256,bool)")),
                    max_outsize=32,
                    revert_on_failure=False,
                )
                if not ok or len(resp) != 32:
                    break
                paid = abi_decode(resp, uint256)
            else:
                paid = extcall t.settle(c, post)
            calls += 1
            self._req(staticcall REWARD_TOKEN.balanceOf(self) == before + paid, "vault: settlement not received")
            self._credit(paid)
            log EpochSettled(epoch=c, credited=paid, record_time=rt)
        if on_u:
            u += 1
        else:
            a += 1
    if calls != 0 or u != (st >> 160) & M32 or a != (st >> 192) & M32:
        # re-read: only the cursors are this function's (the pause count may not be stale)
        cur: uint256 = self.state
        self.state = (cur & (2**160 - 1)) | (u << 160) | (a << 192) | (cur >> 224 << 224)
        log CursorsMoved(unfunded=u, attest=a)
    return calls, due


@internal
def _credit(paid: uint256):
    """
    @dev A settlement's payment as one reward_per_share step over the term supply (never a
         new stream period): the holders at the record time receive it pro rata. With no
         supply (a term nobody bought into) it is kept like a stream with nobody to receive
         it: in `unallocated_scaled`, which the next funded epoch streams (it was received
         and counted nowhere before: found by the deep state machines).
    """
    self._update_global()
    supply: uint256 = erc20.totalSupply
    if paid != 0:
        if supply != 0:
            self.reward_per_share += paid * ACC // supply
        else:
            self.unallocated_scaled += paid * STREAM
        self.total_notified += paid


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
         next epoch (funded epochs only; settlements are credited at once).
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
    """
    @dev Every balance change settles the due epochs first and refuses while some are still
         due, so that no balance changes between an epoch's record time and its crediting.
    """
    calls: uint256 = 0
    due: bool = False
    calls, due = self._settle_due(AUTO_SETTLE, False, False)
    self._req(not due, "vault: epochs overdue, call settle_due")
    self._update_global()
    self._checkpoint(owner)
    self._checkpoint(to)
    erc20._transfer(owner, to, amount)


@internal
def _claim(owner: address, receiver: address) -> uint256:
    calls: uint256 = 0
    due: bool = False
    calls, due = self._settle_due(AUTO_SETTLE, False, True)
    self._update_global()
    self._checkpoint(owner)
    amount: uint256 = self.accrued_scaled[owner] // ACC
    if amount != 0:
        self.accrued_scaled[owner] -= amount * ACC
        self.total_claimed += amount
        self._req(extcall REWARD_TOKEN.transfer(receiver, amount, default_return_value=True), "vault: reward transfer failed")
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
def _round_price(epoch: uint256, round_id: uint80) -> (uint256, bool):
    """
    @dev The answer of `round_id`, which must be the feed's round in force at the epoch's
         end: answered, positive, updated at or before the end, and the next round (if any)
         updated after the end; a round of an older phase only when the first round of the
         first later phase that has rounds came after the end (and no later round of its
         phase). H2: phases without rounds (a proxy moved on more than once) are walked over,
         at most MAX_PHASE_WALK of them (more: refused, the round in force is not proven);
         a round that is missing, reverts or reads updatedAt 0 (an OCR2 aggregator answers
         zeros for a round it never had) is no round. Returns (answer, stale); a round older
         than MAX_PRICE_AGE at the end, carried over (answeredInRound below its id) or not
         positive is stale (answer 0: no electricity fee).
    """
    end_e: uint256 = self._end(epoch)
    latest: uint80 = 0
    answer: int256 = 0
    started: uint256 = 0
    updated: uint256 = 0
    answered: uint80 = 0
    latest, answer, started, updated, answered = staticcall PRICE_FEED.latestRoundData()
    phase: uint256 = convert(round_id, uint256) >> 64
    last_phase: uint256 = convert(latest, uint256) >> 64
    rid: uint80 = 0
    rid, answer, started, updated, answered = staticcall PRICE_FEED.getRoundData(round_id)
    self._req(updated != 0 and updated <= end_e, "vault: not the round at the epoch end")
    nxt: uint256 = 0
    if phase != last_phase:
        # an older phase: its round is in force at the end only if the next phase that has
        # rounds started after the end and no later round of its own phase precedes the end
        # (an aggregator upgrade between the end and the report must not make the epoch
        # unreportable)
        for p: uint256 in range(phase + 1, phase + 1 + MAX_PHASE_WALK, bound=MAX_PHASE_WALK):
            if p > last_phase:
                break
            nxt = self._updated_at(convert((p << 64) | 1, uint80))
            if nxt != 0:
                break
        self._req(nxt > end_e, "vault: price round from an old phase")
        nxt = self._updated_at(round_id + 1)
        self._req(nxt == 0 or nxt > end_e, "vault: not the round at the epoch end")
    elif round_id != latest:
        x: int256 = 0
        y: uint80 = 0
        rid, x, started, nxt, y = staticcall PRICE_FEED.getRoundData(round_id + 1)
        self._req(nxt > end_e, "vault: not the round at the epoch end")
    # the round in force at the end is fixed; when its answer is unusable (stale, carried over
    # from an earlier round, or not positive) the epoch is still reportable, without the
    # electricity/maintenance fee: a bad feed costs the operator its cost recovery, never the
    # holders, and never forces a default
    if end_e - updated > self.MAX_PRICE_AGE or answered < round_id or answer <= 0:
        return 0, True
    return convert(answer, uint256), False


@internal
@view
def _updated_at(round_id: uint80) -> uint256:
    """
    @dev The feed's updatedAt of `round_id`, 0 when there is no such round: the read
         reverts ("no data present", an empty phase), answers too short (no aggregator
         behind the phase) or answers zeros (OCR2).
    """
    ok: bool = False
    resp: Bytes[160] = b""
    ok, resp = raw_call(
        PRICE_FEED.address,
        abi_encode(round_id, method_id=method_id("getRoundData(uint80)")),
        max_outsize=160,
        is_static_call=True,
        revert_on_failure=False,
    )
    if not ok or len(resp) != 160:
        return 0
    return abi_decode(resp, (uint80, int256, uint256, uint256, uint80))[3]


@internal
@view
def _split(delivered: uint256, gross: uint256, p: IHashrateVault.Params, btc_usd: uint256) -> (uint256, uint256, uint256):
    """
    @dev (fee, perf, net) of `gross` sats for `delivered` share units.
         usd_e6 = delivered * (mJ/TH * 24 * u$/kWh + u$/TH/day * 1e6) / 1e24;
         cost   = usd_e6 * 100 * FEED_UNIT / btc_usd   (sats, rounded down; 0 when btc_usd = 0);
         fee    = min(gross, cost); perf = (gross - fee) * bps / 1e4.
    """
    fee: uint256 = 0
    if btc_usd != 0:
        per_th: uint256 = p.mj_per_th * 24 * p.micro_usd_per_kwh + p.micro_usd_per_th_day * 10**6
        fee = min(gross, delivered * per_th * 100 * FEED_UNIT // (10**24 * btc_usd))
    perf: uint256 = (gross - fee) * p.perf_bps // MAX_BPS
    return fee, perf, gross - fee - perf


@internal
@view
def _max_buy(receiver: address) -> uint256:
    t: IVaultTrust = self._trust()
    if t.address == empty(address) or self._paused() or block.timestamp >= SALE_END or receiver == empty(address):
        return 0
    cap: uint256 = min(CAPACITY, staticcall t.coverable_shares())
    supply: uint256 = erc20.totalSupply
    if cap <= supply:
        return 0
    return cap - supply


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
    @notice The most shares `receiver` can buy now; 0 when buying is impossible (no trust
            yet, paused, sale over, capacity or bond coverage used, zero receiver).
    @dev Never reverts; includes the trust's `coverable_shares()`.
    @param receiver Who would receive the shares.
    @return Share units.
    """
    return self._max_buy(receiver)


@external
@nonreentrant
def buy(shares: uint256, max_payment: uint256, receiver: address) -> uint256:
    """
    @notice Buys `shares` for `receiver`, paying at most `max_payment`.
    @dev Needs the trust layer (`set_trust`); the supply stays within the capacity and
         within what the trust's bond covers (`coverable_shares`). Checkpoints the receiver,
         pulls the payment (balance measured: fee-on-transfer payment tokens revert), then
         mints. Only before the term (nothing can be due yet). Emits `Bought` and `Transfer`.
    @param shares Share units to buy (> 0).
    @param max_payment Slippage bound, payment-token units.
    @param receiver Receiver of the shares.
    @return The payment taken.
    """
    self._require_not_paused()
    t: IVaultTrust = self._trust()
    self._req(t.address != empty(address), "vault: term not opened")
    self._req(shares > 0, "vault: zero shares")
    self._req(block.timestamp < SALE_END, "vault: sale ended")
    self._req(receiver != empty(address), "vault: zero receiver")
    supply: uint256 = erc20.totalSupply
    self._req(shares <= CAPACITY - supply, "vault: capacity exceeded")
    self._req(supply + shares <= staticcall t.coverable_shares(), "vault: bond does not cover the sale")
    payment: uint256 = self._preview_buy(shares)
    self._req(payment <= max_payment, "vault: payment above max")

    self._update_global()
    self._checkpoint(receiver)

    before: uint256 = staticcall PAYMENT_TOKEN.balanceOf(self)
    self._req(extcall PAYMENT_TOKEN.transferFrom(msg.sender, self, payment, default_return_value=True), "vault: payment failed")
    self._req(staticcall PAYMENT_TOKEN.balanceOf(self) - before == payment, "vault: payment token fee-on-transfer")
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
        self._req(extcall PAYMENT_TOKEN.transfer(self.TREASURY, amount, default_return_value=True), "vault: proceeds transfer failed")
    log ProceedsWithdrawn(treasury=self.TREASURY, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                        EXTERNAL: ERC-20                            #
# ------------------------------------------------------------------ #


@external
@nonreentrant
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transfer; settles due epochs and both parties' rewards first.
    @dev Never paused. Reverts "vault: epochs overdue, call settle_due" when more epochs are
         due than one transfer settles. Emits `Transfer` (and `EpochSettled` per settlement).
    @param to Receiver.
    @param amount Share units.
    @return True.
    """
    self._move(msg.sender, to, amount)
    return True


@external
@nonreentrant
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transferFrom; settles due epochs and both parties' rewards first.
    @dev Never paused; refuses while epochs are overdue, as `transfer`. Emits `Transfer`
         (and `Approval` when the allowance is finite).
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
def report_epoch(epoch: uint256, delivered: uint256, gross: uint256, report_hash: bytes32, uri: String[256], round_id: uint80):
    """
    @notice The operator reports an ended epoch: delivered hashrate, gross reward, its pool
            report and the BTC/USD round in force at the epoch's end. The fee split is fixed
            now, with the parameter version in force at the end.
    @dev Reverts when paused, for an epoch outside the term, not ended (the report comes
         strictly after the end, so the round in force at the end cannot change any more),
         past its (pause-extended) deadline, already reported, with `delivered` above the
         term supply, or when `round_id` is not the round in force at the end. A stale
         round is accepted (`price_stale`, no electricity/maintenance fee). Emits `EpochReported`.
    @param epoch Epoch index (0 starts at TERM_START).
    @param delivered Average delivered hashrate, share units (1e18 = 1 TH/s).
    @param gross Gross reward of the epoch, sats.
    @param report_hash Hash of the pool report.
    @param uri Where the pool report can be read.
    @param round_id The feed's round in force at the epoch's end (phase in the top 16 bits).
    """
    self._require_not_paused()
    self._check_operator()
    self._req(epoch < N_EPOCHS, "vault: epoch after term end")
    self._req(block.timestamp > self._end(epoch), "vault: epoch not ended")
    self._req(block.timestamp <= self._deadline(epoch, REPORT_GRACE), "vault: epoch deadline passed")
    self._req(self._epochs[epoch].status == empty(IHashrateVault.EpochStatus), "vault: epoch already reported")
    self._req(delivered <= erc20.totalSupply, "vault: delivered exceeds sold")
    btc_usd: uint256 = 0
    stale: bool = False
    btc_usd, stale = self._round_price(epoch, round_id)
    fee: uint256 = 0
    perf: uint256 = 0
    net: uint256 = 0
    fee, perf, net = self._split(delivered, gross, self._params_of(epoch), btc_usd)
    self._epochs[epoch] = IHashrateVault.Epoch(
        status=IHashrateVault.EpochStatus.REPORTED,
        delivered=delivered,
        gross=gross,
        fee=fee,
        perf=perf,
        net=net,
        btc_usd=btc_usd,
        report_hash=report_hash,
        supply=0,
    )
    log EpochReported(
        epoch=epoch,
        delivered=delivered,
        gross=gross,
        fee=fee,
        perf=perf,
        net=net,
        btc_usd=btc_usd,
        report_hash=report_hash,
        uri=uri,
        round_id=round_id,
        price_stale=stale,
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
         paused, not reported, already funded, or past the (pause-extended)
         deadline. Emits `EpochFunded` and `RewardsNotified`.
    @param epoch The epoch index.
    """
    self._require_not_paused()
    self._check_operator()
    e: IHashrateVault.Epoch = self._epochs[epoch]
    self._req(e.status != empty(IHashrateVault.EpochStatus), "vault: epoch not reported")
    self._req(e.status == IHashrateVault.EpochStatus.REPORTED, "vault: epoch already funded")
    self._req(block.timestamp <= self._deadline(epoch, REPORT_GRACE), "vault: epoch deadline passed")
    self._epochs[epoch].status = IHashrateVault.EpochStatus.FUNDED
    if e.gross != 0:
        before: uint256 = staticcall REWARD_TOKEN.balanceOf(self)
        self._req(extcall REWARD_TOKEN.transferFrom(msg.sender, self, e.gross, default_return_value=True), "vault: funding failed")
        self._req(staticcall REWARD_TOKEN.balanceOf(self) - before == e.gross, "vault: reward token fee-on-transfer")
    self.fees_payable += e.fee + e.perf
    self._notify_reward(e.net)
    log EpochFunded(epoch=epoch, gross=e.gross, fee=e.fee, perf=e.perf, net=e.net)


@external
@nonreentrant
def settle_due(n: uint256) -> uint256:
    """
    @notice Settles up to `n` (at most MAX_SETTLE) epochs whose record time has passed, in
            record-time order per cursor; each is credited to the holders of its record time
            and its reputation feedback is posted by the trust; then has the trust post up to
            `n` feedbacks left pending by earlier settlements (claims and transfers settle
            without posting), oldest first, within the gas left (`post_pending`).
    @dev Anyone; never paused. Reverts without a trust. Emits `EpochSettled` per epoch.
    @param n Most settlements to run.
    @return The number of epochs settled.
    """
    self._req(self._trust().address != empty(address), "vault: term not opened")
    calls: uint256 = 0
    due: bool = False
    calls, due = self._settle_due(min(n, MAX_SETTLE), True, False)
    # G3: defaults settled by claims and transfers (no post) reach the reputation here
    extcall self._trust().post_pending(min(n, MAX_SETTLE))
    return calls


@external
@nonreentrant
def withdraw_fees() -> uint256:
    """
    @notice Pays the accrued fees to the current fee recipient.
    @dev Anyone may call. Emits `FeesWithdrawn`.
    @return The amount paid, sats.
    """
    amount: uint256 = self.fees_payable
    recipient: address = self.params_hist[self.params_version].fee_recipient
    self.fees_payable = 0
    if amount != 0:
        self._req(extcall REWARD_TOKEN.transfer(recipient, amount, default_return_value=True), "vault: fee transfer failed")
    log FeesWithdrawn(recipient=recipient, amount=amount)
    return amount


# ------------------------------------------------------------------ #
#                        EXTERNAL: REWARDS                           #
# ------------------------------------------------------------------ #


@external
@view
def claimable(account: address) -> uint256:
    """
    @notice Sats `account` can claim now (without epochs due but not yet settled).
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
    @dev Never paused. Settles up to 4 due epochs first, best effort: neither a longer
         backlog nor a trust whose `settle` fails blocks the claim. Emits `Claimed`.
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
    @dev Anyone may call. Settles up to 4 due epochs first, as `claim`. Emits `Claimed`.
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
    @dev Emits `Checkpointed`.
    @param account The holder.
    """
    self._update_global()
    self._checkpoint(account)
    log Checkpointed(account=account)


# ------------------------------------------------------------------ #
#                         EXTERNAL: VIEWS                            #
# ------------------------------------------------------------------ #


@external
@view
def trust() -> address:
    """
    @notice The trust layer of the term (zero until `set_trust`).
    @return Its address.
    """
    return self._trust().address


@external
@view
def epochs(epoch: uint256) -> IHashrateVault.Epoch:
    """
    @notice What was reported for `epoch` and its split; `supply` is the term supply once reported.
    @param epoch The epoch index.
    @return The epoch.
    """
    e: IHashrateVault.Epoch = self._epochs[epoch]
    if e.status != empty(IHashrateVault.EpochStatus):
        e.supply = erc20.totalSupply
    return e


@external
@view
def term_supply() -> uint256:
    """
    @notice The share supply of the term (the sale closes before the term starts).
    @return Share units.
    """
    return erc20.totalSupply


@external
@view
def params() -> IHashrateVault.Params:
    """
    @notice The fee parameters in force now (the newest version).
    @return The parameters.
    """
    return self.params_hist[self.params_version]


@external
@view
def params_of(epoch: uint256) -> IHashrateVault.Params:
    """
    @notice The parameter version in force at `epoch`'s end (applied at or before it).
    @param epoch The epoch index.
    @return The parameters.
    """
    return self._params_of(epoch)


@external
@view
def split_of(epoch: uint256, delivered: uint256, gross: uint256, btc_usd: uint256) -> (uint256, uint256, uint256):
    """
    @notice The (fee, perf, net) split of `gross` sats for `delivered` share units with the
            parameters in force at `epoch`'s end; `btc_usd` 0: no electricity/maintenance fee.
    @param epoch The epoch index.
    @param delivered Share units.
    @param gross Sats.
    @param btc_usd Feed answer (0: none).
    @return fee, perf, net (sats).
    """
    return self._split(delivered, gross, self._params_of(epoch), btc_usd)


@external
@view
def epoch_end(epoch: uint256) -> uint256:
    """
    @notice End time of an epoch.
    @param epoch The epoch index.
    @return Unix time.
    """
    return self._end(epoch)


@external
@view
def report_deadline(epoch: uint256) -> uint256:
    """
    @notice D(e): last moment the epoch may be reported or funded (REPORT_GRACE unpaused
            seconds after its end; while a pause runs, projected to the pause's longest end).
    @param epoch The epoch index.
    @return Unix time.
    """
    return self._deadline(epoch, REPORT_GRACE)


@external
@view
def attest_deadline(epoch: uint256) -> uint256:
    """
    @notice A(e): last moment a funded epoch may be finalised (2 * REPORT_GRACE unpaused seconds after its end).
    @param epoch The epoch index.
    @return Unix time.
    """
    return self._deadline(epoch, 2 * REPORT_GRACE)


@external
@view
def record_time(epoch: uint256) -> uint256:
    """
    @notice R(e): when the epoch is settled and credited to the holders of that moment:
            A(e) for a funded epoch, D(e) otherwise (before D(e), provisional: funding moves it to A(e)).
    @param epoch The epoch index.
    @return Unix time (the epoch is due strictly after it).
    """
    if self._epochs[epoch].status == IHashrateVault.EpochStatus.FUNDED:
        return self._deadline(epoch, 2 * REPORT_GRACE)
    return self._deadline(epoch, REPORT_GRACE)


@external
@view
def cursors() -> (uint256, uint256):
    """
    @notice The settlement cursors: every epoch below the first is settled or funded, every
            funded epoch below the second is settled.
    @return unfunded_cursor, attest_cursor.
    """
    st: uint256 = self.state
    return (st >> 160) & M32, (st >> 192) & M32


@external
@view
def settle_cursor() -> uint256:
    """
    @notice Every epoch below this one is settled (the min of the two cursors).
    @return Epoch index (N_EPOCHS once the term is settled).
    """
    st: uint256 = self.state
    return min((st >> 160) & M32, (st >> 192) & M32)


@external
@view
def paused() -> bool:
    """
    @notice Whether buy, report_epoch and fund_epoch are stopped now.
    @return True while a pause runs (at most MAX_PAUSE after its start).
    """
    return self._paused()


@external
@view
def pause_intervals() -> DynArray[Pause, MAX_PAUSES]:
    """
    @notice Every pause of the term, in order; `end` 0 while not ended (it ends by itself
            MAX_PAUSE after `start`).
    @return The pauses.
    """
    out: DynArray[Pause, MAX_PAUSES] = []
    for i: uint256 in range(self._n_pauses(), bound=MAX_PAUSES):
        p: uint256 = self.pause_log[i]
        out.append(Pause(start=p & M64, end=p >> 64))
    return out


# ------------------------------------------------------------------ #
#                         EXTERNAL: ADMIN                            #
# ------------------------------------------------------------------ #


@external
def set_trust(t: IVaultTrust):
    """
    @notice Sets the term's trust layer, once, before any share is sold ("opening the term").
    @dev Admin only; before SALE_END; the trust must be built for this vault
         (`t.VAULT() == self`), and neither the guardian nor the fee recipient (in force or
         queued) may be one of its validators (G2). The supply is zero here: `buy` needs the
         trust. Emits `TrustSet`.
    @param t The VaultTrust contract.
    """
    ownable._check_owner()
    self._req(self._trust().address == empty(address), "vault: trust already set")
    self._req(t.address != empty(address), "vault: zero trust")
    self._req(block.timestamp < SALE_END, "vault: sale ended")
    self._req(staticcall t.VAULT() == self, "vault: trust of another vault")
    # G2: the roles may have changed since the trust checked them at its construction
    self._not_validator(t, self.guardian, "vault: guardian is a validator")
    self._not_validator(t, self.params_hist[self.params_version].fee_recipient, "vault: fee recipient is a validator")
    if self.pending_eta != 0:
        self._not_validator(t, self.pending_params.fee_recipient, "vault: fee recipient is a validator")
    self.state = self.state | convert(convert(t.address, uint160), uint256)
    log TrustSet(trust=t.address)


@external
def queue_params(p: IHashrateVault.Params):
    """
    @notice Queues a fee-parameter change, applicable after ADMIN_DELAY.
    @dev Admin only; within the caps; the fee recipient may not be a validator of the
         trust (G2). Replaces any queued change. Emits `ParamsQueued`.
    @param p The new parameters.
    """
    ownable._check_owner()
    self._check_caps(p)
    self._not_validator(self._trust(), p.fee_recipient, "vault: fee recipient is a validator")
    eta: uint256 = block.timestamp + self.ADMIN_DELAY
    self.pending_params = p
    self.pending_eta = eta
    log ParamsQueued(params=p, eta=eta)


@external
def apply_params():
    """
    @notice Applies the queued change once its ETA is reached, as a new version in force for
            every epoch ending at or after now (an ended epoch is never repriced).
    @dev Admin only; at most MAX_PARAM_VERSIONS versions per term. Emits `ParamsApplied`.
    """
    ownable._check_owner()
    eta: uint256 = self.pending_eta
    self._req(eta != 0, "vault: no params queued")
    self._req(block.timestamp >= eta, "vault: params not yet due")
    v: uint256 = self.params_version + 1
    self._req(v < MAX_PARAM_VERSIONS, "vault: too many param changes")
    p: IHashrateVault.Params = self.pending_params
    self.params_hist[v] = p
    self.params_from[v] = block.timestamp
    self.params_version = v
    self.pending_eta = 0
    self.pending_params = empty(IHashrateVault.Params)
    log ParamsApplied(params=p, version=v, from_time=block.timestamp)


@external
def cancel_params():
    """
    @notice Drops the queued change.
    @dev Admin only. Emits `ParamsCancelled`.
    """
    ownable._check_owner()
    self._req(self.pending_eta != 0, "vault: no params queued")
    p: IHashrateVault.Params = self.pending_params
    self.pending_eta = 0
    self.pending_params = empty(IHashrateVault.Params)
    log ParamsCancelled(params=p)


@external
def set_guardian(guardian_: address):
    """
    @notice Sets the guardian address.
    @dev Admin only; not a validator of the trust (G2). Emits `GuardianSet`.
    @param guardian_ The new guardian.
    """
    ownable._check_owner()
    self._not_validator(self._trust(), guardian_, "vault: guardian is a validator")
    self.guardian = guardian_
    log GuardianSet(guardian=guardian_)


@external
def pause():
    """
    @notice Stops buy, report_epoch and fund_epoch for at most MAX_PAUSE (never claims,
            transfers or settlement); every deadline is pushed by the paused time.
    @dev Guardian or admin; at most MAX_PAUSES pauses per term. Emits `Paused` (and first
         `PauseEnded` when it closes an earlier pause that expired without `unpause`).
    """
    self._req(msg.sender == self.guardian or msg.sender == ownable.owner, "vault: caller is not the guardian")
    self._req(not self._paused(), "vault: already paused")
    st: uint256 = self.state
    n: uint256 = (st >> 224) & 255
    self._req(n < MAX_PAUSES, "vault: pause budget used")
    if n != 0:
        last: uint256 = self.pause_log[n - 1]
        if last >> 64 == 0:
            # the previous pause expired without an unpause: record its end
            end: uint256 = (last & M64) + MAX_PAUSE
            self.pause_log[n - 1] = last | (end << 64)
            log PauseEnded(start=last & M64, end=end)
    self.pause_log[n] = block.timestamp
    self.state = (st & (2**224 - 1)) | ((n + 1) << 224)
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Ends the running pause: the admin at any time, anyone once MAX_PAUSE has passed
            (the pause then ends at start + MAX_PAUSE).
    @dev Emits `Unpaused`.
    """
    n: uint256 = self._n_pauses()
    last: uint256 = 0
    if n != 0:
        last = self.pause_log[n - 1]
    self._req(n != 0 and last >> 64 == 0, "vault: not paused")
    limit: uint256 = (last & M64) + MAX_PAUSE
    if block.timestamp < limit:
        ownable._check_owner()
    self.pause_log[n - 1] = last | (min(block.timestamp, limit) << 64)
    log Unpaused(account=msg.sender)
