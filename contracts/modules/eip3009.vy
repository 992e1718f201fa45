# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title EIP-3009 transfers with authorization for a snekmate ERC-20
@custom:contract-name eip3009
@license AGPL-3.0-only
@notice Lets a token holder sign a transfer off chain (EIP-712 typed data)
        that anyone may submit (`transferWithAuthorization`) or that only the
        payee may submit (`receiveWithAuthorization`), and lets the holder
        cancel an authorization not used yet (`cancelAuthorization`). Each
        authorization carries a random 32-byte nonce, used at most once, and a
        validity window (`validAfter` < block time < `validBefore`). This is
        what x402's "exact" EVM scheme settles with.
        Written from EIP-3009 (https://eips.ethereum.org/EIPS/eip-3009) and
        the surface of Circle's FiatToken v2.2 (the 65-byte `v, r, s` forms
        and the `bytes signature` forms, ERC-1271 for contract signers, the
        revert wordings x402's facilitator recognises); no Solidity or AGPL
        source was copied. The module compiles snekmate's `erc20` and `ecdsa`
        (AGPL-3.0-only), hence its licence.
@dev Vyper has no function overloading, so the three `bytes signature`
     overloads (selectors 0xcf092995, 0x88b7ab63, 0xb7b72899) are served by
     this module's `__default__`, which decodes their strict ABI encoding
     from calldata (head words, an offset equal to the head size, a length
     of at most `MAX_SIGNATURE_LENGTH` bytes, zero-padded to a word, nothing
     after). The `v, r, s` forms are ordinary external functions. For an
     EOA signer a signature is 65 bytes (r, s, v) recovered with snekmate's
     `ecdsa` (low-s enforced); for a signer with code it is whatever the
     signer's ERC-1271 `isValidSignature` accepts for the EIP-712 digest.
"""


# @dev We import and use the `erc20` module: the transfer itself and the
# EIP-712 domain separator it initialises.
from snekmate.tokens import erc20
uses: erc20


# @dev We import the stateless `ecdsa` module (secp256k1 recovery with
# snekmate's malleability checks).
from snekmate.utils import ecdsa


# @dev The ERC-1271 `isValidSignature(bytes32,bytes)` selector, which is
# also the magic value a contract signer returns to approve a signature.
_ERC1271_MAGIC: constant(bytes4) = 0x1626BA7E


# @dev The EIP-712 type hash of a transfer authorization anyone may submit.
TRANSFER_WITH_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
)
# @dev The EIP-712 type hash of a transfer authorization only the payee may submit.
RECEIVE_WITH_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
)
# @dev The EIP-712 type hash of a cancellation of an unused authorization.
CANCEL_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "CancelAuthorization(address authorizer,bytes32 nonce)"
)
# @dev The longest signature the `bytes` forms accept (ERC-1271 signers,
# e.g. multisig owners' concatenated signatures).
MAX_SIGNATURE_LENGTH: public(constant(uint256)) = 512

# @dev The `bytes signature` overloads, dispatched by `__default__`.
_TRANSFER_BYTES_SELECTOR: constant(bytes4) = method_id(
    "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)", output_type=bytes4
)
_RECEIVE_BYTES_SELECTOR: constant(bytes4) = method_id(
    "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)", output_type=bytes4
)
_CANCEL_BYTES_SELECTOR: constant(bytes4) = method_id(
    "cancelAuthorization(address,bytes32,bytes)", output_type=bytes4
)
# @dev Bytes of the ABI head of a transfer/receive call after the selector:
# six static words and the signature's offset word.
_TRANSFER_HEAD: constant(uint256) = 224
# @dev Bytes of the ABI head of a cancel call after the selector: two
# static words and the signature's offset word.
_CANCEL_HEAD: constant(uint256) = 96
# @dev The signature's words at most (`MAX_SIGNATURE_LENGTH` / 32).
_MAX_SIGNATURE_WORDS: constant(uint256) = 16


# @dev Authorizer -> nonce -> true once the authorization was used or
# cancelled; a nonce never becomes usable again.
authorizationState: public(HashMap[address, HashMap[bytes32, bool]])


# @dev Emitted when an authorization is used: its transfer happened in the
# same call (the `Transfer` event follows this one).
event AuthorizationUsed:
    authorizer: indexed(address)
    nonce: indexed(bytes32)


# @dev Emitted when an authorizer cancels an unused authorization.
event AuthorizationCanceled:
    authorizer: indexed(address)
    nonce: indexed(bytes32)


@deploy
@payable
def __init__():
    """
    @dev To omit the opcodes for checking the `msg.value`
         in the creation-time EVM bytecode, the constructor
         is declared as `payable`.
    """
    pass


@external
@view
def version() -> String[20]:
    """
    @dev Returns the `version` field of the token's EIP-712 domain (the
         field x402 names `extra.version`; `name` is the token name).
    @return String The domain version, e.g. "1".
    """
    return erc20.eip712_domain_separator._VERSION


@external
def transferWithAuthorization(
    from_: address,
    to: address,
    amount: uint256,
    validAfter: uint256,
    validBefore: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """
    @dev Moves `amount` from `from_` to `to` on `from_`'s signed
         authorization; anyone may submit it.
    @notice Reverts when the block time is not strictly between
            `validAfter` and `validBefore`, when the nonce was used or
            cancelled, or when the signature is not `from_`'s. Emits
            `AuthorizationUsed` then `Transfer`.
    @param from_ The 20-byte payer (the authorizer).
    @param to The 20-byte payee.
    @param amount The 32-byte token amount.
    @param validAfter The 32-byte time after which the authorization is valid.
    @param validBefore The 32-byte time before which it is valid.
    @param nonce The 32-byte unique nonce the payer chose.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    self._transfer_with_authorization(
        TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from_, to, amount, validAfter, validBefore, nonce, v, r, s, b""
    )


@external
def receiveWithAuthorization(
    from_: address,
    to: address,
    amount: uint256,
    validAfter: uint256,
    validBefore: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """
    @dev Like `transferWithAuthorization`, but only the payee `to` may
         submit it, so no one can front-run the payee's own call (e.g. a
         contract that takes a payment and acts on it in one call).
    @notice Reverts "eip3009: caller must be the payee" for anyone but
            `to`; otherwise as `transferWithAuthorization`. Emits
            `AuthorizationUsed` then `Transfer`.
    @param from_ The 20-byte payer (the authorizer).
    @param to The 20-byte payee, who must be the caller.
    @param amount The 32-byte token amount.
    @param validAfter The 32-byte time after which the authorization is valid.
    @param validBefore The 32-byte time before which it is valid.
    @param nonce The 32-byte unique nonce the payer chose.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    assert to == msg.sender, "eip3009: caller must be the payee"
    self._transfer_with_authorization(
        RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from_, to, amount, validAfter, validBefore, nonce, v, r, s, b""
    )


@external
def cancelAuthorization(authorizer: address, nonce: bytes32, v: uint8, r: bytes32, s: bytes32):
    """
    @dev Marks `authorizer`'s unused `nonce` as cancelled on the
         authorizer's signature, so no authorization with it can be used.
    @notice Anyone may submit the signed cancellation. Reverts when the
            nonce was used or cancelled already, or when the signature is
            not `authorizer`'s. Emits `AuthorizationCanceled`.
    @param authorizer The 20-byte authorizer.
    @param nonce The 32-byte nonce to cancel.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    self._cancel_authorization(authorizer, nonce, v, r, s, b"")


@external
def __default__():
    """
    @dev Serves the `bytes signature` overloads (Vyper has no function
         overloading): `transferWithAuthorization(address,address,uint256,
         uint256,uint256,bytes32,bytes)`, the same for
         `receiveWithAuthorization`, and `cancelAuthorization(address,
         bytes32,bytes)`. They behave exactly as the `v, r, s` forms, with
         the signature as bytes: 65 bytes (r, s, v) for an EOA, anything
         up to `MAX_SIGNATURE_LENGTH` bytes for an ERC-1271 signer.
    @notice Any other calldata (including none, or ether) reverts with
            "eip3009: unknown function"; malformed encodings revert with
            "eip3009: malformed calldata".
    """
    assert len(msg.data) >= 4, "eip3009: unknown function"
    selector: bytes4 = convert(slice(msg.data, 0, 4), bytes4)
    if selector == _CANCEL_BYTES_SELECTOR:
        assert len(msg.data) >= 4 + _CANCEL_HEAD + 32, "eip3009: malformed calldata"
        authorizer: address = empty(address)
        nonce: bytes32 = empty(bytes32)
        authorizer, nonce = abi_decode(slice(msg.data, 4, 64), (address, bytes32))
        self._cancel_authorization(authorizer, nonce, 0, empty(bytes32), empty(bytes32), self._signature_from_calldata(_CANCEL_HEAD))
        return

    assert selector == _TRANSFER_BYTES_SELECTOR or selector == _RECEIVE_BYTES_SELECTOR, "eip3009: unknown function"
    assert len(msg.data) >= 4 + _TRANSFER_HEAD + 32, "eip3009: malformed calldata"
    from_: address = empty(address)
    to: address = empty(address)
    amount: uint256 = 0
    valid_after: uint256 = 0
    valid_before: uint256 = 0
    nonce: bytes32 = empty(bytes32)
    from_, to, amount, valid_after, valid_before, nonce = abi_decode(
        slice(msg.data, 4, 192), (address, address, uint256, uint256, uint256, bytes32)
    )
    type_hash: bytes32 = TRANSFER_WITH_AUTHORIZATION_TYPEHASH
    if selector == _RECEIVE_BYTES_SELECTOR:
        assert to == msg.sender, "eip3009: caller must be the payee"
        type_hash = RECEIVE_WITH_AUTHORIZATION_TYPEHASH
    self._transfer_with_authorization(
        type_hash, from_, to, amount, valid_after, valid_before, nonce, 0, empty(bytes32), empty(bytes32),
        self._signature_from_calldata(_TRANSFER_HEAD),
    )


@internal
def _transfer_with_authorization(
    type_hash: bytes32,
    from_: address,
    to: address,
    amount: uint256,
    valid_after: uint256,
    valid_before: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
    signature: Bytes[MAX_SIGNATURE_LENGTH],
):
    """
    @dev Checks the window, the nonce and the signature, marks the nonce
         used (`AuthorizationUsed`) and moves the tokens (`Transfer`).
    @notice An empty `signature` means the `v, r, s` form.
    @param type_hash The 32-byte EIP-712 type hash (transfer or receive).
    @param from_ The 20-byte payer.
    @param to The 20-byte payee.
    @param amount The 32-byte token amount.
    @param valid_after The 32-byte time after which it is valid.
    @param valid_before The 32-byte time before which it is valid.
    @param nonce The 32-byte nonce.
    @param v The secp256k1 1-byte signature parameter `v` (`v, r, s` form).
    @param r The secp256k1 32-byte signature parameter `r` (`v, r, s` form).
    @param s The secp256k1 32-byte signature parameter `s` (`v, r, s` form).
    @param signature The signature bytes (`bytes` form), else empty.
    """
    assert block.timestamp > valid_after, "eip3009: authorization is not yet valid"
    assert block.timestamp < valid_before, "eip3009: authorization is expired"
    assert not self.authorizationState[from_][nonce], "eip3009: authorization is used or canceled"
    struct_hash: bytes32 = keccak256(abi_encode(type_hash, from_, to, amount, valid_after, valid_before, nonce))
    self._check_signature(from_, erc20.eip712_domain_separator._hash_typed_data_v4(struct_hash), v, r, s, signature)
    self.authorizationState[from_][nonce] = True
    log AuthorizationUsed(authorizer=from_, nonce=nonce)
    erc20._transfer(from_, to, amount)


@internal
def _cancel_authorization(
    authorizer: address, nonce: bytes32, v: uint8, r: bytes32, s: bytes32, signature: Bytes[MAX_SIGNATURE_LENGTH]
):
    """
    @dev Checks the nonce is unused and the signature is the
         authorizer's, then marks it used (`AuthorizationCanceled`).
    @notice An empty `signature` means the `v, r, s` form.
    @param authorizer The 20-byte authorizer.
    @param nonce The 32-byte nonce.
    @param v The secp256k1 1-byte signature parameter `v` (`v, r, s` form).
    @param r The secp256k1 32-byte signature parameter `r` (`v, r, s` form).
    @param s The secp256k1 32-byte signature parameter `s` (`v, r, s` form).
    @param signature The signature bytes (`bytes` form), else empty.
    """
    assert not self.authorizationState[authorizer][nonce], "eip3009: authorization is used or canceled"
    struct_hash: bytes32 = keccak256(abi_encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce))
    self._check_signature(authorizer, erc20.eip712_domain_separator._hash_typed_data_v4(struct_hash), v, r, s, signature)
    self.authorizationState[authorizer][nonce] = True
    log AuthorizationCanceled(authorizer=authorizer, nonce=nonce)


@internal
@view
def _check_signature(
    signer: address, digest: bytes32, v: uint8, r: bytes32, s: bytes32, signature: Bytes[MAX_SIGNATURE_LENGTH]
):
    """
    @dev Reverts "eip3009: invalid signature" unless `signer` signed
         `digest`: by ECDSA for an address without code (65 bytes, or the
         `v, r, s` parameters), by ERC-1271 for a contract.
    @notice An empty `signature` means the `v, r, s` parameters; for a
            contract signer they are packed as r ‖ s ‖ v (65 bytes), as
            EIP-3009's reference token does.
    @param signer The 20-byte address that must have signed.
    @param digest The 32-byte EIP-712 digest.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    @param signature The signature bytes, or empty for `v, r, s`.
    """
    if signer.is_contract:
        sig: Bytes[MAX_SIGNATURE_LENGTH] = signature
        if len(signature) == 0:
            sig = concat(r, s, convert(v, bytes1))
        assert self._erc1271_approves(signer, digest, sig), "eip3009: invalid signature"
        return

    recovered: address = empty(address)
    if len(signature) == 0:
        recovered = ecdsa._recover_vrs(digest, convert(v, uint256), convert(r, uint256), convert(s, uint256))
    else:
        assert len(signature) == 65, "eip3009: invalid signature length"
        recovered = ecdsa._recover_vrs(
            digest,
            convert(slice(signature, 64, 1), uint256),
            extract32(signature, 0, output_type=uint256),
            extract32(signature, 32, output_type=uint256),
        )
    assert recovered == signer, "eip3009: invalid signature"


@internal
@view
def _erc1271_approves(signer: address, digest: bytes32, signature: Bytes[MAX_SIGNATURE_LENGTH]) -> bool:
    """
    @dev Asks contract `signer` whether it approves `signature` for
         `digest` (ERC-1271); a revert or any answer but the magic value
         is a refusal.
    @param signer The 20-byte contract signer.
    @param digest The 32-byte EIP-712 digest.
    @param signature The signature bytes.
    @return bool True when `isValidSignature` returned 0x1626ba7e.
    """
    success: bool = False
    answer: Bytes[32] = b""
    success, answer = raw_call(
        signer,
        abi_encode(digest, signature, method_id=_ERC1271_MAGIC),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    return success and len(answer) == 32 and convert(answer, bytes32) == convert(_ERC1271_MAGIC, bytes32)


@internal
@view
def _signature_from_calldata(head: uint256) -> Bytes[MAX_SIGNATURE_LENGTH]:
    """
    @dev Reads the trailing `bytes` argument of a call whose ABI head
         (after the selector) is `head` bytes long, its last word being
         the argument's offset. Only the strict encoding is accepted: the
         offset equals `head`, the length is at most
         `MAX_SIGNATURE_LENGTH`, the data is zero-padded to a whole word,
         and nothing follows it.
    @notice `slice(msg.data, ...)` needs a constant length in Vyper, so
            the data is copied word by word.
    @param head The 32-byte head size, `_TRANSFER_HEAD` or `_CANCEL_HEAD`.
    @return Bytes The signature bytes.
    """
    offset: uint256 = convert(slice(msg.data, 4 + head - 32, 32), uint256)
    assert offset == head, "eip3009: malformed calldata"
    length: uint256 = convert(slice(msg.data, 4 + head, 32), uint256)
    assert length <= MAX_SIGNATURE_LENGTH, "eip3009: signature too long"
    n_words: uint256 = (length + 31) // 32
    assert len(msg.data) == 4 + head + 32 + 32 * n_words, "eip3009: malformed calldata"
    words: bytes32[_MAX_SIGNATURE_WORDS] = empty(bytes32[_MAX_SIGNATURE_WORDS])
    for i: uint256 in range(_MAX_SIGNATURE_WORDS):
        if i == n_words:
            break
        words[i] = convert(slice(msg.data, 4 + head + 32 + 32 * i, 32), bytes32)
    packed: Bytes[MAX_SIGNATURE_LENGTH] = concat(
        words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7],
        words[8], words[9], words[10], words[11], words[12], words[13], words[14], words[15],
    )
    if n_words > 0:
        # The padding after the last byte must be zero (strict encoding).
        pad: uint256 = 32 * n_words - length
        last: uint256 = convert(words[n_words - 1], uint256)
        if pad > 0:
            assert last & ((1 << (8 * pad)) - 1) == 0, "eip3009: malformed calldata"
    return slice(packed, 0, length)
