"""EIP-3009 on the devnet USD token: a holder signs a transfer off chain, anyone (or only the
payee) submits it once, inside its validity window; the holder may cancel it before.

Story: alice pays bob 2.50 USD by signature; the facilitator (carol) submits it and pays the gas.
Mallory replays it, submits it late or early, forges it, and tries to take a payment meant for
bob; each is refused with the token's reason and moves nothing. Every form is covered: the
65-byte v, r, s parameters and the ``bytes signature`` overloads (served by the fallback),
for an EOA and for an ERC-1271 contract wallet."""

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from hashtrust.payments import eip3009
from hashtrust.payments.eip3009 import Authorization

PRICE = 2_500_000  # 2.50 USD (6 decimals)
SEL_TRANSFER_BYTES = keccak(text="transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)")[:4]
SEL_RECEIVE_BYTES = keccak(text="receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)")[:4]
SEL_CANCEL_BYTES = keccak(text="cancelAuthorization(address,bytes32,bytes)")[:4]


@pytest.fixture
def funded(usd, deployer, alice):
    usd.mint(alice, 10_000_000, sender=deployer)
    return usd


def _now(chain) -> int:
    return chain.pending_timestamp


def _auth(chain, payer, payee, value=PRICE, *, after=None, before=None, nonce=None):
    now = _now(chain)
    return Authorization.new(payer.address, payee.address, value, valid_after=now - 60 if after is None else after,
                             valid_before=now + 600 if before is None else before, nonce=nonce)


def _dom(usd, chain):
    return {"name": usd.name(), "version": usd.version(), "chain_id": chain.chain_id, "token": usd.address}


def _sign(usd, chain, signer, auth, kind=eip3009.TRANSFER):
    return eip3009.sign(auth, signer.private_key, kind=kind, **_dom(usd, chain))


def _args(auth):
    return (auth.sender, auth.to, auth.value, auth.valid_after, auth.valid_before, auth.nonce)


def _vrs(sig):
    return eip3009.split(sig)


def _bytes_call(selector, auth, sig):
    return selector + encode(["address", "address", "uint256", "uint256", "uint256", "bytes32", "bytes"], [*_args(auth), sig])


def _used_and_transfer(usd, tx):
    used = tx.decode_logs(usd.AuthorizationUsed)
    transfers = tx.decode_logs(usd.Transfer)
    return used, transfers


# ---------------------------------------------------------------------------- the surface x402 reads
def test_domain_and_type_hashes_are_readable(usd, chain):
    assert usd.name() == "USD Stablecoin (devnet)" and usd.version() == "1"
    fields = usd.eip712Domain()
    assert (fields[1], fields[2], fields[3], fields[4]) == ("USD Stablecoin (devnet)", "1", chain.chain_id, usd.address)
    assert usd.TRANSFER_WITH_AUTHORIZATION_TYPEHASH() == keccak(text="TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    assert usd.RECEIVE_WITH_AUTHORIZATION_TYPEHASH() == keccak(text="ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    assert usd.CANCEL_AUTHORIZATION_TYPEHASH() == keccak(text="CancelAuthorization(address authorizer,bytes32 nonce)")
    assert usd.MAX_SIGNATURE_LENGTH() == 512


# ---------------------------------------------------------------------------- transfer (v, r, s)
def test_anyone_submits_a_signed_transfer_once(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    assert not funded.authorizationState(alice, auth.nonce)
    tx = funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    used, transfers = _used_and_transfer(funded, tx)
    assert [(u.authorizer, u.nonce) for u in used] == [(alice.address, auth.nonce)]
    assert [(t.sender, t.receiver, t.value) for t in transfers] == [(alice.address, bob.address, PRICE)]
    assert funded.balanceOf(bob) == PRICE and funded.balanceOf(alice) == 10_000_000 - PRICE
    assert funded.balanceOf(carol) == 0  # the submitter only pays gas
    assert funded.authorizationState(alice, auth.nonce)
    # AuthorizationUsed comes before Transfer in the receipt (what the verifier reads)
    topics = [bytes(lg["topics"][0]) for lg in tx.logs]
    assert topics == [eip3009.AUTHORIZATION_USED_TOPIC, eip3009.TRANSFER_TOPIC]


def test_replayed_authorization_is_refused(funded, chain, alice, bob, carol, mallory):
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    with ape.reverts("eip3009: authorization is used or canceled"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=mallory)
    with ape.reverts("eip3009: authorization is used or canceled"):  # nor through the bytes form
        mallory.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, sig))
    assert funded.balanceOf(bob) == PRICE


def test_expired_authorization_is_refused(funded, chain, alice, bob, carol):
    now = _now(chain)
    auth = _auth(chain, alice, bob, after=now - 600, before=now - 1)
    with ape.reverts("eip3009: authorization is expired"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(_sign(funded, chain, alice, auth)), sender=carol)
    assert funded.balanceOf(bob) == 0 and not funded.authorizationState(alice, auth.nonce)


def test_valid_before_is_exclusive(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob, before=_now(chain) + 30)
    sig = _sign(funded, chain, alice, auth)
    chain.pending_timestamp = auth.valid_before  # block.timestamp == validBefore: too late
    with ape.reverts("eip3009: authorization is expired"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)


def test_not_yet_valid_authorization_is_refused(funded, chain, alice, bob, carol):
    now = _now(chain)
    auth = _auth(chain, alice, bob, after=now + 3_600, before=now + 7_200)
    sig = _sign(funded, chain, alice, auth)
    with ape.reverts("eip3009: authorization is not yet valid"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    assert funded.balanceOf(bob) == 0
    chain.pending_timestamp = auth.valid_after + 1  # once the window opens it works
    funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    assert funded.balanceOf(bob) == PRICE


def test_wrong_signer_is_refused(funded, chain, alice, bob, carol, mallory):
    auth = _auth(chain, alice, bob)
    forged = _sign(funded, chain, mallory, auth)  # mallory signs alice's transfer
    with ape.reverts("eip3009: invalid signature"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(forged), sender=carol)
    with ape.reverts("eip3009: invalid signature"):
        carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, forged))
    assert funded.balanceOf(bob) == 0 and not funded.authorizationState(alice, auth.nonce)


def test_altered_terms_break_the_signature(funded, chain, alice, bob, carol, mallory):
    """The signature covers every field: a higher value or another payee is refused."""
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    more = Authorization(auth.sender, auth.to, auth.value + 1, auth.valid_after, auth.valid_before, auth.nonce)
    elsewhere = Authorization(auth.sender, mallory.address, auth.value, auth.valid_after, auth.valid_before, auth.nonce)
    for bad in (more, elsewhere):
        with ape.reverts("eip3009: invalid signature"):
            funded.transferWithAuthorization(*_args(bad), *_vrs(sig), sender=carol)
    assert funded.balanceOf(mallory) == 0


def test_signature_for_another_token_is_refused(funded, wbtc, chain, alice, bob, carol, deployer):
    """The domain binds the token: an authorization signed for wBTC does not move USD."""
    auth = _auth(chain, alice, bob)
    sig = eip3009.sign(auth, alice.private_key, name=wbtc.name(), version="1", chain_id=chain.chain_id, token=wbtc.address)
    with ape.reverts("eip3009: invalid signature"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    other_chain = eip3009.sign(auth, alice.private_key, **{**_dom(funded, chain), "chain_id": chain.chain_id + 1})
    with ape.reverts("eip3009: invalid signature"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(other_chain), sender=carol)


def test_transfer_above_balance_is_refused(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob, value=10_000_001)
    with ape.reverts("erc20: transfer amount exceeds balance"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(_sign(funded, chain, alice, auth)), sender=carol)
    assert not funded.authorizationState(alice, auth.nonce)


def test_receive_authorization_does_not_work_as_a_transfer(funded, chain, alice, bob, carol):
    """The two struct types differ: a ReceiveWithAuthorization signature is no transfer signature."""
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth, kind=eip3009.RECEIVE)
    with ape.reverts("eip3009: invalid signature"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)


# ---------------------------------------------------------------------------- receive (payee only)
def test_payee_receives_with_authorization(funded, chain, alice, bob):
    auth = _auth(chain, alice, bob)
    tx = funded.receiveWithAuthorization(*_args(auth), *_vrs(_sign(funded, chain, alice, auth, kind=eip3009.RECEIVE)), sender=bob)
    used, transfers = _used_and_transfer(funded, tx)
    assert [(u.authorizer, u.nonce) for u in used] == [(alice.address, auth.nonce)]
    assert [(t.sender, t.receiver, t.value) for t in transfers] == [(alice.address, bob.address, PRICE)]


def test_receive_called_by_someone_other_than_the_payee_is_refused(funded, chain, alice, bob, mallory):
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth, kind=eip3009.RECEIVE)
    with ape.reverts("eip3009: caller must be the payee"):
        funded.receiveWithAuthorization(*_args(auth), *_vrs(sig), sender=mallory)
    with ape.reverts("eip3009: caller must be the payee"):
        mallory.transfer(funded, 0, data=_bytes_call(SEL_RECEIVE_BYTES, auth, sig))
    assert funded.balanceOf(bob) == 0 and not funded.authorizationState(alice, auth.nonce)


def test_transfer_signature_does_not_work_as_a_receive(funded, chain, alice, bob):
    auth = _auth(chain, alice, bob)
    with ape.reverts("eip3009: invalid signature"):
        funded.receiveWithAuthorization(*_args(auth), *_vrs(_sign(funded, chain, alice, auth)), sender=bob)


# ---------------------------------------------------------------------------- cancel
def test_cancelled_nonce_cannot_be_used(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    cancel = eip3009.sign_cancel(alice.private_key, alice.address, auth.nonce, **_dom(funded, chain))
    tx = funded.cancelAuthorization(alice, auth.nonce, *_vrs(cancel), sender=carol)
    (log,) = tx.decode_logs(funded.AuthorizationCanceled)
    assert (log.authorizer, log.nonce) == (alice.address, auth.nonce)
    assert not tx.decode_logs(funded.AuthorizationUsed)
    assert funded.authorizationState(alice, auth.nonce)
    with ape.reverts("eip3009: authorization is used or canceled"):
        funded.transferWithAuthorization(*_args(auth), *_vrs(sig), sender=carol)
    with ape.reverts("eip3009: authorization is used or canceled"):  # a second cancel too
        funded.cancelAuthorization(alice, auth.nonce, *_vrs(cancel), sender=carol)
    assert funded.balanceOf(bob) == 0


def test_cancel_of_a_used_nonce_is_refused(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob)
    funded.transferWithAuthorization(*_args(auth), *_vrs(_sign(funded, chain, alice, auth)), sender=carol)
    cancel = eip3009.sign_cancel(alice.private_key, alice.address, auth.nonce, **_dom(funded, chain))
    with ape.reverts("eip3009: authorization is used or canceled"):
        funded.cancelAuthorization(alice, auth.nonce, *_vrs(cancel), sender=carol)


def test_cancel_by_someone_else_is_refused(funded, chain, alice, bob, mallory):
    auth = _auth(chain, alice, bob)
    cancel = eip3009.sign_cancel(mallory.private_key, alice.address, auth.nonce, **_dom(funded, chain))
    with ape.reverts("eip3009: invalid signature"):
        funded.cancelAuthorization(alice, auth.nonce, *_vrs(cancel), sender=mallory)
    with ape.reverts("eip3009: invalid signature"):
        mallory.transfer(funded, 0, data=SEL_CANCEL_BYTES + encode(["address", "bytes32", "bytes"], [alice.address, auth.nonce, cancel]))
    assert not funded.authorizationState(alice, auth.nonce)


# ---------------------------------------------------------------------------- bytes signature form
def test_bytes_form_transfer_and_cancel(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob)
    tx = carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, _sign(funded, chain, alice, auth)))
    used, transfers = _used_and_transfer(funded, tx)
    assert [u.nonce for u in used] == [auth.nonce] and [t.value for t in transfers] == [PRICE]
    other = _auth(chain, alice, bob)
    cancel = eip3009.sign_cancel(alice.private_key, alice.address, other.nonce, **_dom(funded, chain))
    tx = carol.transfer(funded, 0, data=SEL_CANCEL_BYTES + encode(["address", "bytes32", "bytes"], [alice.address, other.nonce, cancel]))
    (log,) = tx.decode_logs(funded.AuthorizationCanceled)
    assert log.nonce == other.nonce and funded.authorizationState(alice, other.nonce)


def test_bytes_form_receive_by_the_payee(funded, chain, alice, bob):
    auth = _auth(chain, alice, bob)
    tx = bob.transfer(funded, 0, data=_bytes_call(SEL_RECEIVE_BYTES, auth, _sign(funded, chain, alice, auth, kind=eip3009.RECEIVE)))
    assert [t.value for t in tx.decode_logs(funded.Transfer)] == [PRICE]


def test_bytes_form_eoa_signature_must_be_65_bytes(funded, chain, alice, bob, carol):
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    with ape.reverts("eip3009: invalid signature length"):
        carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, sig[:64]))
    with ape.reverts("eip3009: invalid signature length"):
        carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, sig + b"\x00"))


def test_fallback_refuses_other_calls_and_ether(funded, alice):
    with ape.reverts("eip3009: unknown function"):
        alice.transfer(funded, 0, data=b"\x12\x34\x56\x78" + b"\x00" * 64)
    with ape.reverts("eip3009: unknown function"):
        alice.transfer(funded, 0, data=b"\x01")
    with ape.reverts():  # the fallback is not payable
        alice.transfer(funded, 1)


# ---------------------------------------------------------------------------- ERC-1271 contract payer
@pytest.fixture
def safe(project, deployer, funded, alice):
    """A contract wallet (owned by alice) holding 5 USD."""
    wallet = project.MockERC1271Wallet.deploy(sender=alice)
    funded.mint(wallet, 5_000_000, sender=deployer)
    return wallet


def test_contract_wallet_pays_by_erc1271(funded, safe, chain, alice, bob, carol):
    auth = Authorization.new(safe.address, bob.address, PRICE, valid_before=_now(chain) + 600)
    digest = eip3009.digest(eip3009.TRANSFER, auth.message(), **_dom(funded, chain))
    opaque = b"\x42" * 130  # a wallet-specific signature (two owners' signatures, say)
    with ape.reverts("eip3009: invalid signature"):  # not approved yet
        carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, opaque))
    safe.approve_hash(digest, True, sender=alice)
    tx = carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, opaque))
    used, transfers = _used_and_transfer(funded, tx)
    assert [(u.authorizer, u.nonce) for u in used] == [(safe.address, auth.nonce)]
    assert [(t.sender, t.receiver, t.value) for t in transfers] == [(safe.address, bob.address, PRICE)]


def test_contract_wallet_vrs_form_goes_through_erc1271(funded, safe, chain, alice, bob, carol):
    auth = Authorization.new(safe.address, bob.address, PRICE, valid_before=_now(chain) + 600)
    digest = eip3009.digest(eip3009.TRANSFER, auth.message(), **_dom(funded, chain))
    safe.approve_hash(digest, True, sender=alice)
    funded.transferWithAuthorization(*_args(auth), 27, b"\x01" * 32, b"\x02" * 32, sender=carol)
    assert funded.balanceOf(bob) == PRICE


def test_an_eoa_signature_cannot_speak_for_a_contract_wallet(funded, safe, chain, alice, bob, carol):
    """The wallet's owner key is not the wallet: only isValidSignature decides."""
    auth = Authorization.new(safe.address, bob.address, PRICE, valid_before=_now(chain) + 600)
    sig = _sign(funded, chain, alice, auth)
    with ape.reverts("eip3009: invalid signature"):
        carol.transfer(funded, 0, data=_bytes_call(SEL_TRANSFER_BYTES, auth, sig))
    assert funded.balanceOf(bob) == 0


def test_bytes_form_accepts_only_the_strict_encoding(funded, chain, alice, bob, carol):
    """Offset other than the head size, trailing bytes, non-zero padding or a signature over 512
    bytes are refused before any state is read; the strict encoding then works."""
    auth = _auth(chain, alice, bob)
    sig = _sign(funded, chain, alice, auth)
    good = _bytes_call(SEL_TRANSFER_BYTES, auth, sig)
    head = 4 + 6 * 32
    bad_offset = good[:head] + (256).to_bytes(32, "big") + good[head + 32 :]
    trailing = good + b"\x00" * 32
    dirty_pad = good[:-1] + b"\x01"  # 65 bytes pad to 96: the last byte is padding
    too_long = _bytes_call(SEL_TRANSFER_BYTES, auth, b"\x01" * 513)
    truncated = good[: head + 16]
    for data, reason in ((bad_offset, "eip3009: malformed calldata"), (trailing, "eip3009: malformed calldata"),
                         (dirty_pad, "eip3009: malformed calldata"), (too_long, "eip3009: signature too long"),
                         (truncated, "eip3009: malformed calldata")):
        with ape.reverts(reason):
            carol.transfer(funded, 0, data=data)
    assert not funded.authorizationState(alice, auth.nonce)
    carol.transfer(funded, 0, data=good)
    assert funded.balanceOf(bob) == PRICE


def test_sdk_client_sends_both_forms(funded, chain, w3, alice, bob, carol):
    """`DevTokenClient` (what the SDK and the facilitator's tests use) speaks both forms."""
    from hashtrust.chain.tx import LocalSigner, TxSender
    from hashtrust.errors import RevertError

    token = eip3009.DevTokenClient(w3, funded.address, TxSender(w3, LocalSigner.from_key(carol.private_key)))
    dom = token.domain()
    a1, a2 = _auth(chain, alice, bob), _auth(chain, alice, bob)
    token.transfer_with_authorization(a1, eip3009.sign(a1, alice.private_key, **dom))
    token.transfer_with_authorization(a2, eip3009.sign(a2, alice.private_key, **dom), form="bytes")
    assert token.balance_of(bob.address) == 2 * PRICE
    assert token.authorization_state(alice.address, a1.nonce) and token.authorization_state(alice.address, a2.nonce)
    with pytest.raises(RevertError, match="authorization is used or canceled"):
        token.transfer_with_authorization(a2, eip3009.sign(a2, alice.private_key, **dom), form="bytes")
