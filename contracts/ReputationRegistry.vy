# pragma version ~=0.4.3
"""
@title ERC-8004 Reputation Registry with summaries that scale
@custom:contract-name ReputationRegistry
@license MIT
@notice Clients give signed fixed-point feedback (value, valueDecimals, two short tags) to
        agents of an ERC-8004 Identity registry; anyone may append responses. Selectors and
        event topics are those of ERC-8004 (Jan-25 2026 revision).
        Better than the reference implementation (erc-8004/erc-8004-contracts 2.0.0):
        - running aggregates per (agent, client) and per agent, updated on give and revoke,
          so `getSummary` costs O(number of clients asked about), not O(feedback);
          the agent's whole client list (as returned by `getClients`) is recognised with a
          rolling hash and answered from per-agent aggregates in O(1) storage reads;
        - checked math: an average that does not fit int128 saturates to the int128 bound of
          the right sign instead of wrapping;
        - paged reads (`readAllFeedbackPaged`, `getClientsPaged`) and bounded inputs; a page
          of the agent's whole feedback (client list []) costs O(page), whatever the number
          of clients: every feedback gets an agent-wide position (the order it was given) and
          the position -> (client, index) entry is written with the feedback;
        - response counts kept per agent and per (agent, responder), so
          `getResponseCount(agent, 0x0, ...)` costs O(number of responders asked about);
        - feedback from the agent's own agentWallet is refused, like the owner's.
        Tags are packed: the first 18 bytes of tag1 ++ tag2 live in the two slots every
        feedback writes anyway (its value word and its position entry); longer tag pairs
        take one or two more slots.
"""

from .interfaces import IIdentityRegistry


# EVENTS #


# @dev Emitted when `clientAddress` gives its `feedbackIndex`-th feedback to `agentId`.
event NewFeedback:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: uint64
    value: int128
    valueDecimals: uint8
    indexedTag1: indexed(String[32])
    tag1: String[32]
    tag2: String[32]
    endpoint: String[512]
    feedbackURI: String[1024]
    feedbackHash: bytes32


# @dev Emitted when a client revokes its own feedback.
event FeedbackRevoked:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: indexed(uint64)


# @dev Emitted when `responder` appends a response to a feedback.
event ResponseAppended:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: uint64
    responder: indexed(address)
    responseURI: String[1024]
    responseHash: bytes32


# CONSTANTS #


# @dev Published input limits (bytes / entries).
MAX_TAG: public(constant(uint256)) = 32
MAX_ENDPOINT: public(constant(uint256)) = 512
MAX_URI: public(constant(uint256)) = 1024
# @dev Longest client list accepted by `getSummary` / `readAllFeedback`, and the most
#      clients `getClients` returns (use `getClientsPaged` beyond that).
MAX_CLIENTS: public(constant(uint256)) = 256
# @dev Longest responder list accepted by `getResponseCount`.
MAX_RESPONDERS: public(constant(uint256)) = 64
# @dev Most feedback entries `readAllFeedback` returns, and the largest page size.
MAX_READ: public(constant(uint256)) = 128
# @dev Feedback a single client may give a single agent (per-client counters are 15 bits).
MAX_FEEDBACK_PER_CLIENT: public(constant(uint256)) = 32_767
# @dev Same bound on |value| as the reference (so normalised sums never approach int256).
MAX_ABS_VALUE: public(constant(int128)) = 10**38
# @dev Loop bound when walking every client of an agent (2**32 - 1).
_MAX_AGENT_CLIENTS: constant(uint256) = 4_294_967_295

# @dev Packed feedback word: value (two's complement, bits 0..127), decimals (128..135),
#      tag1 length (136..143), tag2 length (144..151), revoked flag (bit 152).
_M128: constant(uint256) = 2**128 - 1
_M64: constant(uint256) = 2**64 - 1
_REVOKED_BIT: constant(uint256) = 2**152

# @dev Per-(agent, client) word, one slot for what a summary needs in the common case:
#      WAD sum (203-bit two's complement, bits 0..202; |sum| <= 32,767 * 1e56 < 2**202),
#      lastIndex (203..217), active count in the client's primary decimals (218..232),
#      primary decimals = those of its first feedback (233..237), active count in any other
#      decimals (238..252). Other decimals are counted in `_client_counts` (16-bit lanes for
#      0..14, and at bits 240..255 the count with 15..18 decimals) and `_client_counts_hi`
#      (lanes for 15..18), which a client that keeps one precision never writes.
_M203: constant(uint256) = 2**203 - 1
_M15: constant(uint256) = 2**15 - 1
_M16: constant(uint256) = 2**16 - 1
_LAST_SHIFT: constant(uint256) = 203
_PCOUNT_SHIFT: constant(uint256) = 218
_PDEC_SHIFT: constant(uint256) = 233
_OTHER_SHIFT: constant(uint256) = 238
# @dev 16-bit lanes 0, 2, ..., 14 (even lanes) and 0, 2, ..., 12 of a counts word; adding
#      masked words accumulates up to 2**16 words without carrying into the next lane used.
_EVEN_LANES: constant(uint256) = 1766820105243087041267848467410591083712559083657179364930612997358944255
_ODD_LANES: constant(uint256) = 411369862324345633682759587515748823925982947381487899676573695
_M32: constant(uint256) = 2**32 - 1

# @dev Per-agent word 0: client count (bits 0..31), count of active feedback with >= 6
#      decimals (32..63), counts for decimals 0..5 (32 bits each from bit 64).
#      Word 1: counts for decimals 6..13; word 2: decimals 14..18.

# @dev Feedback word, beyond the value/decimals/tag lengths/revoked fields above: an "exists"
#      bit (153), the agent-wide position (154..187) and tag bytes 0..7 (192..255).
_EXISTS_BIT: constant(uint256) = 2**153
_POS_SHIFT: constant(uint256) = 154
_M34: constant(uint256) = 2**34 - 1
_HIGH64: constant(uint256) = (2**64 - 1) << 192
# @dev Position entry: client (bits 0..159), feedback index (160..174), tag bytes 8..17
#      (176..255).
_M160: constant(uint256) = 2**160 - 1
_INDEX_SHIFT: constant(uint256) = 160
_HIGH80: constant(uint256) = (2**80 - 1) << 176
# @dev Tag bytes held by the feedback word and the entry; longer tag pairs use `_tags`
#      (bytes 18..49) and `_tags2` (bytes 50..63).
_TAGS_IN_WORDS: constant(uint256) = 18
_TAGS_IN_TAGS: constant(uint256) = 50

# @dev Per-agent accumulator: WAD sum of every active feedback (222-bit two's complement,
#      bits 0..221) and the number of feedback positions given so far (222..255). With at
#      most 2**34 - 1 feedbacks of |WAD| <= 1e56 each, |sum| < 2**34 * 1e56 < 2**221.
_M222: constant(uint256) = 2**222 - 1
_COUNT_SHIFT: constant(uint256) = 222
# @dev Most feedback one agent can receive (all clients, revoked included).
MAX_FEEDBACK_PER_AGENT: public(constant(uint256)) = 2**34 - 1
_SUM_BOUND: constant(int256) = 2**221

_WAD_DECIMALS: constant(uint8) = 18


# STORAGE #


# @dev The Identity registry whose agents receive feedback.
_IDENTITY: immutable(IIdentityRegistry)

### FEEDBACK ###

# @dev agentId => client => feedbackIndex => packed value/decimals/tag lengths/revoked,
#      exists bit, agent-wide position and the first 8 bytes of tag1 ++ tag2.
_feedback: HashMap[uint256, HashMap[address, HashMap[uint64, uint256]]]
# @dev agentId => position => the feedback there: client, feedbackIndex and bytes 8..17 of
#      tag1 ++ tag2. Positions count from 0 in the order feedback was given.
_entries: HashMap[uint256, HashMap[uint256, uint256]]
# @dev agentId => position => bytes 18..49 of tag1 ++ tag2 (only when they are longer).
_tags: HashMap[uint256, HashMap[uint256, uint256]]
# @dev agentId => position => bytes 50..63 of tag1 ++ tag2 (only when they are longer).
_tags2: HashMap[uint256, HashMap[uint256, uint256]]

### AGGREGATES ###

# @dev agentId => client => WAD sum | lastIndex | high-decimals count (see layout above).
_client_word: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => client => active non-primary counts for decimals 0..14, and 15..18 total.
_client_counts: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => client => active non-primary counts for decimals 15..18 (16 bits each).
_client_counts_hi: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => WAD sum of every active feedback and the feedback count (see `_M222`).
_agent_acc: HashMap[uint256, uint256]
# @dev agentId => client count and per-decimals counts (three words, see layout above).
_agent_words: HashMap[uint256, uint256[3]]

### CLIENTS ###

# @dev agentId => position => client, in order of first feedback.
_clients: HashMap[uint256, HashMap[uint256, address]]
# @dev agentId => keccak chain over the client list: h' = keccak256(h ++ client).
_clients_hash: HashMap[uint256, bytes32]

### RESPONSES ###

# @dev agentId => client => feedbackIndex => number of responses.
_responses: HashMap[uint256, HashMap[address, HashMap[uint64, uint64]]]
# @dev agentId => client => feedbackIndex => responder => number of responses.
_responses_by: HashMap[uint256, HashMap[address, HashMap[uint64, HashMap[address, uint64]]]]
# @dev agentId => number of responses to all of its feedback.
_agent_responses: HashMap[uint256, uint64]
# @dev agentId => responder => number of its responses to any of the agent's feedback.
_agent_responses_by: HashMap[uint256, HashMap[address, uint64]]


# CONSTRUCTOR #


@deploy
def __init__(identity_registry: address):
    """
    @dev The registry is immutable: no proxy, no admin key.
    @param identity_registry The ERC-8004 Identity registry.
    """
    assert identity_registry != empty(address), "reputation: zero identity registry"
    _IDENTITY = IIdentityRegistry(identity_registry)


# INTERNAL: PACKING #


@internal
@pure
def _to_word(s: String[32]) -> uint256:
    """
    @dev The bytes of `s`, left aligned in a word (zero padded).
    """
    if len(s) == 0:
        return 0
    return convert(convert(convert(s, Bytes[32]), bytes32), uint256)


@internal
@pure
def _from_word(w: uint256, n: uint256) -> String[32]:
    """
    @dev The first `n` bytes of the left-aligned word `w` as a string.
    """
    if n == 0:
        return ""
    return convert(slice(convert(w, bytes32), 0, n), String[32])


@internal
@pure
def _signed(u: uint256, bits: uint256) -> int256:
    """
    @dev Reads a two's complement number of `bits` bits.
    """
    # move the sign bit to bit 255, reinterpret, shift back arithmetically
    return convert(convert(u << (256 - bits), bytes32), int256) >> (256 - bits)


@internal
@pure
def _unsigned(v: int256, bits: uint256) -> uint256:
    """
    @dev Writes `v` as a two's complement number of `bits` bits (caller checks the range).
    """
    if v < 0:
        return convert(v + convert(1 << bits, int256), uint256)
    return convert(v, uint256)


@internal
@pure
def _lane(w: uint256, i: uint256, width: uint256) -> uint256:
    """
    @dev Lane `i` of `width` bits of the packed word `w`.
    """
    return (w >> (i * width)) & ((1 << width) - 1)


@internal
@pure
def _wad(v: int128, decimals: uint8) -> int256:
    """
    @dev `v / 10**decimals` in 18 decimals (exact: |v| <= 1e38, so |result| <= 1e56).
    """
    return convert(v, int256) * convert(10 ** convert(_WAD_DECIMALS - decimals, uint256), int256)


@internal
@view
def _last_index(agent_id: uint256, client: address) -> uint64:
    """
    @dev The number of feedbacks `client` gave `agent_id` (from its aggregate word).
    """
    return convert((self._client_word[agent_id][client] >> _LAST_SHIFT) & _M15, uint64)


@internal
@view
def _load_feedback(agent_id: uint256, client: address, index: uint64) -> uint256:
    """
    @dev The feedback word of `client`'s feedback `index` to `agent_id`; reverts unless it
         exists (every given feedback has the exists bit, so a zero word means none).
    """
    assert index > 0, "reputation: index must be > 0"
    word: uint256 = self._feedback[agent_id][client][index]
    assert word & _EXISTS_BIT != 0, "reputation: index out of bounds"
    return word


@internal
@pure
def _tag_stream(tag1: String[32], tag2: String[32]) -> (uint256, uint256):
    """
    @dev tag1 ++ tag2 as two left-aligned words: bytes 0..31 and bytes 32..63 (zero padded).
    """
    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    n1: uint256 = len(tag1)
    # shifts of 256 bits give 0: tag2 entirely in the first word (n1 == 0) or in the second
    return w1 | (w2 >> (8 * n1)), w2 << (8 * (32 - n1))


@internal
@view
def _stored_stream(agent_id: uint256, word: uint256) -> (uint256, uint256):
    """
    @dev The tag stream (tag1 ++ tag2, as by `_tag_stream`) of the feedback whose word is
         `word`, reading only the slots its length needs: bytes 0..7 are in the word, 8..17
         in the position entry, 18..49 in `_tags`, 50..63 in `_tags2`.
    """
    total: uint256 = ((word >> 136) & 255) + ((word >> 144) & 255)
    a: uint256 = word & _HIGH64
    b: uint256 = 0
    if total > 8:
        pos: uint256 = (word >> _POS_SHIFT) & _M34
        a |= (self._entries[agent_id][pos] & _HIGH80) >> 64
        if total > _TAGS_IN_WORDS:
            t: uint256 = self._tags[agent_id][pos]
            a |= t >> 144
            b = t << 112
            if total > _TAGS_IN_TAGS:
                b |= self._tags2[agent_id][pos] >> 144
    return a, b


@internal
@view
def _read_tags(agent_id: uint256, word: uint256) -> (String[32], String[32]):
    """
    @dev The two tags of the feedback whose word is `word`.
    """
    n1: uint256 = (word >> 136) & 255
    n2: uint256 = (word >> 144) & 255
    if n1 + n2 == 0:
        return "", ""
    a: uint256 = 0
    b: uint256 = 0
    a, b = self._stored_stream(agent_id, word)
    return self._from_word(a, n1), self._from_word((a << (8 * n1)) | (b >> (8 * (32 - n1))), n2)


@internal
@view
def _matches(agent_id: uint256, word: uint256, n1: uint256, w1: uint256, n2: uint256, w2: uint256) -> bool:
    """
    @dev True when the feedback's tags equal the filters (an empty filter matches anything).
         Lengths are compared first from the already loaded word; then only the tag bytes
         the comparison needs are read: a tag1 filter of at most 8 bytes is answered from the
         word alone, the position entry is read only beyond 8 bytes, `_tags` beyond 18 and
         `_tags2` beyond 50.
    """
    s1: uint256 = (word >> 136) & 255
    if n1 != 0 and s1 != n1:
        return False
    if n2 != 0 and (word >> 144) & 255 != n2:
        return False
    need: uint256 = n1
    if n2 != 0:
        need = s1 + n2
    a: uint256 = word & _HIGH64
    b: uint256 = 0
    if need > 8:
        pos: uint256 = (word >> _POS_SHIFT) & _M34
        a |= (self._entries[agent_id][pos] & _HIGH80) >> 64
        if need > _TAGS_IN_WORDS:
            t: uint256 = self._tags[agent_id][pos]
            a |= t >> 144
            b = t << 112
            if need > _TAGS_IN_TAGS:
                b |= self._tags2[agent_id][pos] >> 144
    if n1 != 0 and (a >> (256 - 8 * n1)) != (w1 >> (256 - 8 * n1)):
        return False
    if n2 != 0:
        t2: uint256 = (a << (8 * s1)) | (b >> (8 * (32 - s1)))
        if (t2 >> (256 - 8 * n2)) != (w2 >> (256 - 8 * n2)):
            return False
    return True


# INTERNAL: AGGREGATES #


@internal
def _count_client(agent_id: uint256, client: address, word: uint256, decimals: uint256, up: bool) -> uint256:
    """
    @dev Adds (or removes) one feedback of `decimals` decimals to the client's counts;
         returns the client word with its counts updated (the caller stores it).
    """
    w: uint256 = word
    if decimals == (w >> _PDEC_SHIFT) & 31:
        if up:
            return w + (1 << _PCOUNT_SHIFT)
        return w - (1 << _PCOUNT_SHIFT)
    if up:
        w += 1 << _OTHER_SHIFT
    else:
        w -= 1 << _OTHER_SHIFT
    c: uint256 = self._client_counts[agent_id][client]
    if decimals < 15:
        if up:
            c += 1 << (16 * decimals)
        else:
            c -= 1 << (16 * decimals)
    else:
        h: uint256 = self._client_counts_hi[agent_id][client]
        if up:
            c += 1 << 240
            h += 1 << (16 * (decimals - 15))
        else:
            c -= 1 << 240
            h -= 1 << (16 * (decimals - 15))
        self._client_counts_hi[agent_id][client] = h
    self._client_counts[agent_id][client] = c
    return w


@internal
def _count_agent(agent_id: uint256, decimals: uint256, up: bool, new_client: bool):
    """
    @dev Adds (or removes) one feedback of `decimals` decimals to the agent's counts.
         Counts are 32 bits; the agent-wide count of one precision cannot pass 2**32 - 1.
    """
    w0: uint256 = self._agent_words[agent_id][0]
    if new_client:
        assert w0 & _M32 < _M32, "reputation: too many clients"
        w0 += 1
    if decimals < 6:
        if up:
            assert self._lane(w0, 2 + decimals, 32) < _M32, "reputation: agent counter full"
            w0 += 1 << (64 + 32 * decimals)
        else:
            w0 -= 1 << (64 + 32 * decimals)
    else:
        word_i: uint256 = 1
        lane: uint256 = decimals - 6
        if decimals >= 14:
            word_i = 2
            lane = decimals - 14
        wi: uint256 = self._agent_words[agent_id][word_i]
        if up:
            assert self._lane(wi, lane, 32) < _M32, "reputation: agent counter full"
            assert (w0 >> 32) & _M32 < _M32, "reputation: agent counter full"
            wi += 1 << (32 * lane)
            w0 += 1 << 32
        else:
            wi -= 1 << (32 * lane)
            w0 -= 1 << 32
        self._agent_words[agent_id][word_i] = wi
    self._agent_words[agent_id][0] = w0


@internal
@pure
def _mode(counts: uint256[19]) -> uint8:
    """
    @dev The most frequent number of decimals; ties go to the lower one.
    """
    best: uint256 = 0
    mode: uint256 = 0
    for d: uint256 in range(19):
        if counts[d] > best:
            best = counts[d]
            mode = d
    return convert(mode, uint8)


@internal
@pure
def _finish(total: int256, count: uint256, counts: uint256[19]) -> (uint64, int128, uint8):
    """
    @dev Average in 18 decimals (truncated toward zero), expressed in the mode's decimals
         (truncated toward zero) and saturated to the int128 range instead of wrapping.
    """
    if count == 0:
        return 0, 0, 0
    mode: uint8 = self._mode(counts)
    avg: int256 = total // convert(count, int256)
    scaled: int256 = avg // convert(10 ** convert(_WAD_DECIMALS - mode, uint256), int256)
    if scaled > convert(max_value(int128), int256):
        scaled = convert(max_value(int128), int256)
    elif scaled < convert(min_value(int128), int256):
        scaled = convert(min_value(int128), int256)
    return convert(count, uint64), convert(scaled, int128), mode


@internal
@view
def _is_all_clients(agent_id: uint256, clients: DynArray[address, MAX_CLIENTS], n_clients: uint256) -> bool:
    """
    @dev True when `clients` is exactly the agent's client list, in `getClients` order.
    """
    if len(clients) != n_clients:
        return False
    h: bytes32 = empty(bytes32)
    for c: address in clients:
        h = keccak256(concat(h, convert(c, bytes32)))
    return h == self._clients_hash[agent_id]


# INTERNAL: READS #


@internal
@view
def _client_at(agent_id: uint256, clients: DynArray[address, MAX_CLIENTS], all_clients: bool, i: uint256) -> address:
    """
    @dev The `i`-th client of the given list, or of the agent's client list for [].
    """
    if all_clients:
        return self._clients[agent_id][i]
    return clients[i]


@internal
@view
def _scan(
    agent_id: uint256,
    clients: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    include_revoked: bool,
    offset: uint256,
    limit: uint256,
    strict: bool,
) -> (DynArray[uint256, MAX_READ], uint256):
    """
    @dev Walks the feedback positions (client by client, index ascending) in
         [offset, offset + limit) and returns the entries that pass the filters, each packed
         as `client << 96 | index`, plus the total number of positions. With `strict`, more
         than MAX_READ matches revert. Returning packed pairs (not the seven result arrays)
         keeps the memory a read touches, and so its gas, small.
    """
    out: DynArray[uint256, MAX_READ] = []
    all_clients: bool = len(clients) == 0
    n_clients: uint256 = len(clients)
    if all_clients:
        n_clients = self._agent_words[agent_id][0] & _M32
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)
    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    pos: uint256 = 0
    # an offset near 2**256 must read as "past the end", not overflow (an empty page)
    end: uint256 = offset + min(limit, max_value(uint256) - offset)
    for ci: uint256 in range(n_clients, bound=_MAX_AGENT_CLIENTS):
        client: address = self._client_at(agent_id, clients, all_clients, ci)
        last: uint256 = convert(self._last_index(agent_id, client), uint256)
        if pos + last <= offset or pos >= end:
            pos += last
            continue
        start: uint256 = 1
        if offset > pos:
            start = offset - pos + 1
        stop: uint256 = last
        if end < pos + last:
            stop = end - pos
        for j: uint256 in range(start, stop + 1, bound=MAX_FEEDBACK_PER_CLIENT):
            idx: uint64 = convert(j, uint64)
            word: uint256 = self._feedback[agent_id][client][idx]
            if word & _REVOKED_BIT != 0 and not include_revoked:
                continue
            if (n1 != 0 or n2 != 0) and not self._matches(agent_id, word, n1, w1, n2, w2):
                continue
            assert len(out) < MAX_READ or not strict, "reputation: too many results, use readAllFeedbackPaged"
            out.append((convert(client, uint256) << 96) | j)
        pos += last
    return out, pos


@internal
@view
def _scan_positions(
    agent_id: uint256, tag1: String[32], tag2: String[32], include_revoked: bool, offset: uint256, limit: uint256
) -> (DynArray[uint256, MAX_READ], uint256):
    """
    @dev Agent-wide positions [offset, offset + limit) (the order feedback was given) that
         pass the filters, packed as in `_scan`, and the number of positions: one entry read
         and one feedback read per position, whatever the number of clients.
    """
    out: DynArray[uint256, MAX_READ] = []
    n: uint256 = self._agent_acc[agent_id] >> _COUNT_SHIFT
    if offset >= n:
        return out, n
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)
    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    for p: uint256 in range(offset, min(n, offset + limit), bound=MAX_READ):
        entry: uint256 = self._entries[agent_id][p]
        client: address = convert(entry & _M160, address)
        j: uint256 = (entry >> _INDEX_SHIFT) & _M15
        word: uint256 = self._feedback[agent_id][client][convert(j, uint64)]
        if word & _REVOKED_BIT != 0 and not include_revoked:
            continue
        if (n1 != 0 or n2 != 0) and not self._matches(agent_id, word, n1, w1, n2, w2):
            continue
        out.append((convert(client, uint256) << 96) | j)
    return out, n


@internal
@view
def _count_responses(agent_id: uint256, client: address, index: uint64, responders: DynArray[address, MAX_RESPONDERS]) -> uint64:
    """
    @dev Responses to one feedback: everyone's for [], else the listed responders'.
    """
    if len(responders) == 0:
        return self._responses[agent_id][client][index]
    count: uint64 = 0
    for r: address in responders:
        count += self._responses_by[agent_id][client][index][r]
    return count


# EXTERNAL: WRITES #


@external
def giveFeedback(
    agentId: uint256,
    feedbackValue: int128,
    valueDecimals: uint8,
    tag1: String[32],
    tag2: String[32],
    endpoint: String[512],
    feedbackURI: String[1024],
    feedbackHash: bytes32,
):
    """
    @notice Gives feedback `feedbackValue / 10**valueDecimals` to agent `agentId`.
    @dev Refused for the agent's owner, its approved operators and its agentWallet, and for
         an agent that does not exist (the Identity registry reverts). `endpoint`,
         `feedbackURI` and `feedbackHash` are only emitted.
    @param agentId The agent.
    @param feedbackValue Signed fixed-point value (the spec's `value`; `value` is reserved in Vyper), |value| <= 1e38.
    @param valueDecimals Decimals of `value`, 0..18.
    @param tag1 First tag (<= 32 bytes; "" for none).
    @param tag2 Second tag (<= 32 bytes; "" for none).
    @param endpoint The agent endpoint the feedback is about (<= 512 bytes).
    @param feedbackURI Off-chain feedback file (<= 1024 bytes).
    @param feedbackHash keccak256 of the feedback file (or zero).
    """
    assert valueDecimals <= _WAD_DECIMALS, "reputation: too many decimals"
    assert feedbackValue <= MAX_ABS_VALUE and feedbackValue >= -MAX_ABS_VALUE, "reputation: value too large"
    assert not staticcall _IDENTITY.isAuthorizedOrOwner(msg.sender, agentId), "reputation: self-feedback not allowed"
    assert staticcall _IDENTITY.getAgentWallet(agentId) != msg.sender, "reputation: self-feedback from agent wallet"

    cw: uint256 = self._client_word[agentId][msg.sender]
    last: uint256 = (cw >> _LAST_SHIFT) & _M15
    assert last < MAX_FEEDBACK_PER_CLIENT, "reputation: feedback limit per client reached"
    new_client: bool = last == 0
    if new_client:
        cw = convert(valueDecimals, uint256) << _PDEC_SHIFT
        n: uint256 = self._agent_words[agentId][0] & _M32
        self._clients[agentId][n] = msg.sender
        self._clients_hash[agentId] = keccak256(concat(self._clients_hash[agentId], convert(msg.sender, bytes32)))
    index: uint64 = convert(last + 1, uint64)

    # aggregates
    wad: int256 = self._wad(feedbackValue, valueDecimals)
    client_sum: int256 = self._signed(cw & _M203, 203) + wad  # |sum| <= 32,767 * 1e56 < 2**202
    cw = self._count_client(agentId, msg.sender, cw, convert(valueDecimals, uint256), True)
    cw = (cw & ~(_M203 | (_M15 << _LAST_SHIFT))) | self._unsigned(client_sum, 203) | ((last + 1) << _LAST_SHIFT)
    self._client_word[agentId][msg.sender] = cw
    acc: uint256 = self._agent_acc[agentId]
    pos: uint256 = acc >> _COUNT_SHIFT
    assert pos < MAX_FEEDBACK_PER_AGENT, "reputation: feedback limit per agent reached"
    agent_sum: int256 = self._signed(acc & _M222, 222) + wad
    # |sum| < 2**221 follows from pos < 2**34 (see `_M222`); checked anyway, so no bits are lost
    assert agent_sum < _SUM_BOUND and agent_sum >= -_SUM_BOUND, "reputation: agent sum out of range"
    self._agent_acc[agentId] = ((pos + 1) << _COUNT_SHIFT) | self._unsigned(agent_sum, 222)
    self._count_agent(agentId, convert(valueDecimals, uint256), True, new_client)

    # the feedback itself: its word (keyed by client and index) and its position entry
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)
    a: uint256 = 0
    b: uint256 = 0
    a, b = self._tag_stream(tag1, tag2)
    self._feedback[agentId][msg.sender][index] = (
        self._unsigned(convert(feedbackValue, int256), 128)
        | (convert(valueDecimals, uint256) << 128)
        | (n1 << 136)
        | (n2 << 144)
        | _EXISTS_BIT
        | (pos << _POS_SHIFT)
        | (a & _HIGH64)
    )
    self._entries[agentId][pos] = convert(msg.sender, uint256) | ((last + 1) << _INDEX_SHIFT) | ((a << 64) & _HIGH80)
    if n1 + n2 > _TAGS_IN_WORDS:
        self._tags[agentId][pos] = (a << 144) | (b >> 112)
        if n1 + n2 > _TAGS_IN_TAGS:
            self._tags2[agentId][pos] = b << 144

    log NewFeedback(
        agentId=agentId,
        clientAddress=msg.sender,
        feedbackIndex=index,
        value=feedbackValue,
        valueDecimals=valueDecimals,
        indexedTag1=tag1,
        tag1=tag1,
        tag2=tag2,
        endpoint=endpoint,
        feedbackURI=feedbackURI,
        feedbackHash=feedbackHash,
    )


@external
def revokeFeedback(agentId: uint256, feedbackIndex: uint64):
    """
    @notice Revokes the caller's own feedback `feedbackIndex` to agent `agentId`.
    @dev Revoked feedback stays readable but never counts in a summary.
    @param agentId The agent.
    @param feedbackIndex The caller's 1-based feedback index.
    """
    word: uint256 = self._load_feedback(agentId, msg.sender, feedbackIndex)
    assert word & _REVOKED_BIT == 0, "reputation: already revoked"
    self._feedback[agentId][msg.sender][feedbackIndex] = word | _REVOKED_BIT

    decimals: uint8 = convert((word >> 128) & 255, uint8)
    wad: int256 = self._wad(convert(self._signed(word & _M128, 128), int128), decimals)
    cw: uint256 = self._client_word[agentId][msg.sender]
    client_sum: int256 = self._signed(cw & _M203, 203) - wad
    cw = self._count_client(agentId, msg.sender, cw, convert(decimals, uint256), False)
    self._client_word[agentId][msg.sender] = (cw & ~_M203) | self._unsigned(client_sum, 203)
    acc: uint256 = self._agent_acc[agentId]
    self._agent_acc[agentId] = (acc & ~_M222) | self._unsigned(self._signed(acc & _M222, 222) - wad, 222)
    self._count_agent(agentId, convert(decimals, uint256), False, False)
    log FeedbackRevoked(agentId=agentId, clientAddress=msg.sender, feedbackIndex=feedbackIndex)


@external
def appendResponse(
    agentId: uint256,
    clientAddress: address,
    feedbackIndex: uint64,
    responseURI: String[1024],
    responseHash: bytes32,
):
    """
    @notice Appends a response (e.g. the agent's rebuttal, a refund proof) to a feedback.
    @dev Anyone may respond, any number of times, also to revoked feedback. Counted per
         feedback, per (feedback, responder), per agent and per (agent, responder), so every
         `getResponseCount` query is O(1) per responder asked about (except "every
         feedback of one client", which walks that client's feedback).
    @param agentId The agent.
    @param clientAddress The client who gave the feedback.
    @param feedbackIndex The client's 1-based feedback index.
    @param responseURI The response (non-empty, <= 1024 bytes).
    @param responseHash keccak256 of the response content (or zero).
    """
    assert len(responseURI) > 0, "reputation: empty response URI"
    self._load_feedback(agentId, clientAddress, feedbackIndex)
    self._responses[agentId][clientAddress][feedbackIndex] += 1
    self._responses_by[agentId][clientAddress][feedbackIndex][msg.sender] += 1
    self._agent_responses[agentId] += 1
    self._agent_responses_by[agentId][msg.sender] += 1
    log ResponseAppended(
        agentId=agentId,
        clientAddress=clientAddress,
        feedbackIndex=feedbackIndex,
        responder=msg.sender,
        responseURI=responseURI,
        responseHash=responseHash,
    )


# EXTERNAL: READS #


@external
@view
def getIdentityRegistry() -> address:
    """
    @notice The Identity registry this registry reads agents from.
    @return The Identity registry's address.
    """
    return _IDENTITY.address


@external
@view
def getLastIndex(agentId: uint256, clientAddress: address) -> uint64:
    """
    @notice The number of feedbacks `clientAddress` gave `agentId` (its last 1-based index).
    @param agentId The agent.
    @param clientAddress The client.
    @return The last index (0 when none).
    """
    return self._last_index(agentId, clientAddress)


@external
@view
def readFeedback(agentId: uint256, clientAddress: address, feedbackIndex: uint64) -> (int128, uint8, String[32], String[32], bool):
    """
    @notice One feedback.
    @param agentId The agent.
    @param clientAddress The client who gave it.
    @param feedbackIndex Its 1-based index.
    @return value, valueDecimals, tag1, tag2, isRevoked.
    """
    word: uint256 = self._load_feedback(agentId, clientAddress, feedbackIndex)
    t1: String[32] = ""
    t2: String[32] = ""
    t1, t2 = self._read_tags(agentId, word)
    return (
        convert(self._signed(word & _M128, 128), int128),
        convert((word >> 128) & 255, uint8),
        t1,
        t2,
        word & _REVOKED_BIT != 0,
    )


@external
@view
def getSummary(
    agentId: uint256, clientAddresses: DynArray[address, MAX_CLIENTS], tag1: String[32], tag2: String[32]
) -> (uint64, int128, uint8):
    """
    @notice Count and average of the active feedback the listed clients gave `agentId`.
    @dev Without tag filters the cost is O(len(clientAddresses)) storage reads, and O(1)
         when the list is exactly `getClients(agentId)`. With a tag filter each listed
         client's feedback is scanned (one or two slots per feedback). A client listed twice
         counts twice (as in the reference). The average is truncated toward zero, returned in
         the most frequent decimals (ties to the lower) and saturated to the int128 range.
    @param agentId The agent.
    @param clientAddresses Whose feedback counts (non-empty, <= 256).
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @return count, summaryValue, summaryValueDecimals.
    """
    assert len(clientAddresses) > 0, "reputation: clientAddresses required"
    counts: uint256[19] = empty(uint256[19])
    total: int256 = 0
    count: uint256 = 0
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)

    if n1 == 0 and n2 == 0:
        w0: uint256 = self._agent_words[agentId][0]
        if len(clientAddresses) > 1 and self._is_all_clients(agentId, clientAddresses, w0 & _M32):
            # the agent-wide aggregate answers for the whole client list
            for d: uint256 in range(6):
                counts[d] = self._lane(w0, 2 + d, 32)
                count += counts[d]
            if (w0 >> 32) & _M32 != 0:
                w1: uint256 = self._agent_words[agentId][1]
                w2: uint256 = self._agent_words[agentId][2]
                for d: uint256 in range(8):
                    counts[6 + d] = self._lane(w1, d, 32)
                    count += counts[6 + d]
                for d: uint256 in range(5):
                    counts[14 + d] = self._lane(w2, d, 32)
                    count += counts[14 + d]
            return self._finish(self._signed(self._agent_acc[agentId] & _M222, 222), count, counts)
        acc_even: uint256 = 0
        acc_odd: uint256 = 0
        for client: address in clientAddresses:
            cw: uint256 = self._client_word[agentId][client]
            if cw == 0:
                continue
            total += convert(convert(cw << 53, bytes32), int256) >> 53  # sign-extend the 203-bit sum
            pc: uint256 = (cw >> _PCOUNT_SHIFT) & _M15
            counts[(cw >> _PDEC_SHIFT) & 31] += pc
            count += pc
            if (cw >> _OTHER_SHIFT) & _M15 != 0:
                cc: uint256 = self._client_counts[agentId][client]
                acc_even += cc & _EVEN_LANES
                acc_odd += (cc >> 16) & _ODD_LANES
                if cc >> 240 != 0:
                    ch: uint256 = self._client_counts_hi[agentId][client]
                    for d: uint256 in range(4):
                        c: uint256 = (ch >> (16 * d)) & _M16
                        counts[15 + d] += c
                        count += c
        if acc_even | acc_odd != 0:
            for d: uint256 in range(8):
                c: uint256 = (acc_even >> (32 * d)) & _M32
                counts[2 * d] += c
                count += c
            for d: uint256 in range(7):
                c: uint256 = (acc_odd >> (32 * d)) & _M32
                counts[2 * d + 1] += c
                count += c
        return self._finish(total, count, counts)

    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    for client: address in clientAddresses:
        last: uint256 = convert(self._last_index(agentId, client), uint256)
        for j: uint256 in range(1, last + 1, bound=MAX_FEEDBACK_PER_CLIENT):
            idx: uint64 = convert(j, uint64)
            word: uint256 = self._feedback[agentId][client][idx]
            if word & _REVOKED_BIT != 0:
                continue
            if not self._matches(agentId, word, n1, w1, n2, w2):
                continue
            d: uint256 = (word >> 128) & 255
            total += self._wad(convert(self._signed(word & _M128, 128), int128), convert(d, uint8))
            counts[d] += 1
            count += 1
    return self._finish(total, count, counts)


@external
@view
def readAllFeedback(
    agentId: uint256,
    clientAddresses: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    includeRevoked: bool,
) -> (
    DynArray[address, MAX_READ],
    DynArray[uint64, MAX_READ],
    DynArray[int128, MAX_READ],
    DynArray[uint8, MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[bool, MAX_READ],
):
    """
    @notice Every feedback of the listed clients (all clients for []) that matches the tags.
    @dev The reference's order: client by client (`getClients` order for []), index
         ascending. Walks every listed client's feedback (for [] every client's: O(all the
         agent's feedback)); reverts when more than MAX_READ entries match. Use
         `readAllFeedbackPaged`, whose [] pages cost O(page).
    @param agentId The agent.
    @param clientAddresses The clients, [] for all.
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @param includeRevoked Whether revoked feedback is returned.
    @return clients, feedbackIndexes, values, valueDecimals, tag1s, tag2s, revokedStatuses.
    """
    pairs: DynArray[uint256, MAX_READ] = []
    total: uint256 = 0
    pairs, total = self._scan(agentId, clientAddresses, tag1, tag2, includeRevoked, 0, max_value(uint256) // 2, True)
    c_: DynArray[address, MAX_READ] = []
    i_: DynArray[uint64, MAX_READ] = []
    v_: DynArray[int128, MAX_READ] = []
    d_: DynArray[uint8, MAX_READ] = []
    t1_: DynArray[String[32], MAX_READ] = []
    t2_: DynArray[String[32], MAX_READ] = []
    r_: DynArray[bool, MAX_READ] = []
    for p: uint256 in pairs:
        client: address = convert(p >> 96, address)
        idx: uint64 = convert(p & _M64, uint64)
        word: uint256 = self._feedback[agentId][client][idx]
        a: String[32] = ""
        b: String[32] = ""
        a, b = self._read_tags(agentId, word)
        c_.append(client)
        i_.append(idx)
        v_.append(convert(self._signed(word & _M128, 128), int128))
        d_.append(convert((word >> 128) & 255, uint8))
        t1_.append(a)
        t2_.append(b)
        r_.append(word & _REVOKED_BIT != 0)
    return c_, i_, v_, d_, t1_, t2_, r_


@external
@view
def readAllFeedbackPaged(
    agentId: uint256,
    clientAddresses: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    includeRevoked: bool,
    offset: uint256,
    limit: uint256,
) -> (
    DynArray[address, MAX_READ],
    DynArray[uint64, MAX_READ],
    DynArray[int128, MAX_READ],
    DynArray[uint8, MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[bool, MAX_READ],
    uint256,
):
    """
    @notice One page of `readAllFeedback`.
    @dev The page covers positions [offset, offset + limit) and returns those that pass the
         filters (so a page never costs more than `limit` feedback reads); `limit` is capped
         at MAX_READ. Positions, filtered or not:
         - clientAddresses [] (every client): the agent's feedback in the order it was given
           (agent-wide, 0-based). A page costs O(page) whatever the number of clients, and
           positions never move: feedback given while a reader pages through lands after
           the last position, so no entry is skipped or repeated;
         - a list: the listed clients' feedback client by client, index ascending (a client
           listed twice twice); costs O(len(list) + page).
         The total is the number of positions (revoked feedback included).
    @param agentId The agent.
    @param clientAddresses The clients, [] for all.
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @param includeRevoked Whether revoked feedback is returned.
    @param offset First position.
    @param limit Number of positions (<= MAX_READ).
    @return clients, feedbackIndexes, values, valueDecimals, tag1s, tag2s, revokedStatuses,
            and the total number of positions.
    """
    pairs: DynArray[uint256, MAX_READ] = []
    total: uint256 = 0
    if len(clientAddresses) == 0:
        pairs, total = self._scan_positions(agentId, tag1, tag2, includeRevoked, offset, min(limit, MAX_READ))
    else:
        pairs, total = self._scan(agentId, clientAddresses, tag1, tag2, includeRevoked, offset, min(limit, MAX_READ), False)
    c_: DynArray[address, MAX_READ] = []
    i_: DynArray[uint64, MAX_READ] = []
    v_: DynArray[int128, MAX_READ] = []
    d_: DynArray[uint8, MAX_READ] = []
    t1_: DynArray[String[32], MAX_READ] = []
    t2_: DynArray[String[32], MAX_READ] = []
    r_: DynArray[bool, MAX_READ] = []
    for p: uint256 in pairs:
        client: address = convert(p >> 96, address)
        idx: uint64 = convert(p & _M64, uint64)
        word: uint256 = self._feedback[agentId][client][idx]
        a: String[32] = ""
        b: String[32] = ""
        a, b = self._read_tags(agentId, word)
        c_.append(client)
        i_.append(idx)
        v_.append(convert(self._signed(word & _M128, 128), int128))
        d_.append(convert((word >> 128) & 255, uint8))
        t1_.append(a)
        t2_.append(b)
        r_.append(word & _REVOKED_BIT != 0)
    return c_, i_, v_, d_, t1_, t2_, r_, total


@external
@view
def getClients(agentId: uint256) -> DynArray[address, MAX_CLIENTS]:
    """
    @notice Every client that gave `agentId` feedback, in order of first feedback.
    @dev Reverts beyond MAX_CLIENTS clients: use `getClientsPaged`.
    @param agentId The agent.
    @return The clients.
    """
    n: uint256 = self._agent_words[agentId][0] & _M32
    assert n <= MAX_CLIENTS, "reputation: too many clients, use getClientsPaged"
    out: DynArray[address, MAX_CLIENTS] = []
    for i: uint256 in range(n, bound=MAX_CLIENTS):
        out.append(self._clients[agentId][i])
    return out


@external
@view
def getClientsPaged(agentId: uint256, offset: uint256, limit: uint256) -> (DynArray[address, MAX_READ], uint256):
    """
    @notice Clients `offset` .. `offset + limit - 1` of `agentId`, and how many there are.
    @param agentId The agent.
    @param offset First position (0-based).
    @param limit Page size (capped at MAX_READ).
    @return The page of clients and the total number of clients.
    """
    n: uint256 = self._agent_words[agentId][0] & _M32
    out: DynArray[address, MAX_READ] = []
    if offset >= n:
        return out, n
    stop: uint256 = min(n, offset + min(limit, MAX_READ))
    for i: uint256 in range(offset, stop, bound=MAX_READ):
        out.append(self._clients[agentId][i])
    return out, n


@external
@view
def getResponseCount(
    agentId: uint256, clientAddress: address, feedbackIndex: uint64, responders: DynArray[address, MAX_RESPONDERS]
) -> uint64:
    """
    @notice How many responses were appended.
    @dev As the reference (2.0.0): `clientAddress` 0 means every feedback of every client
         (`feedbackIndex` is then ignored); otherwise `feedbackIndex` 0 means every feedback
         of that client, else that one feedback; `responders` [] counts everyone's
         responses, a list only the listed responders' (a responder listed twice counts
         twice). Cost: O(1) per listed responder, from counters kept per agent, per
         (agent, responder), per feedback and per (feedback, responder); "every feedback of
         one client" walks that client's feedback (at most MAX_FEEDBACK_PER_CLIENT, and only
         that client can add to it).
    @param agentId The agent.
    @param clientAddress The client, or 0 for all.
    @param feedbackIndex The 1-based index, or 0 for all of the client's (ignored when
           `clientAddress` is 0).
    @param responders Whose responses count, [] for everyone's (<= 64).
    @return The number of responses.
    """
    count: uint64 = 0
    if clientAddress == empty(address):
        if len(responders) == 0:
            return self._agent_responses[agentId]
        for r: address in responders:
            count += self._agent_responses_by[agentId][r]
        return count
    if feedbackIndex != 0:
        return self._count_responses(agentId, clientAddress, feedbackIndex, responders)
    last: uint64 = self._last_index(agentId, clientAddress)
    for j: uint64 in range(1, last + 1, bound=32_767):
        count += self._count_responses(agentId, clientAddress, j, responders)
    return count

