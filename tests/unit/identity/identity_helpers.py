"""Helpers of the identity unit tests (constants, registration, wallet signatures)."""

from eth_account import Account
from eth_account.messages import encode_typed_data

from hashtrust.erc8004.identity import WalletApproval, wallet_digest, wallet_typed_data

ZERO = "0x0000000000000000000000000000000000000000"
URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
WALLET_KEY = "agentWallet"


def register(registry, who, uri=None, metadata=None):
    """Register and return (agent_id, receipt)."""
    if metadata is not None:
        tx = registry.register(uri or "", metadata, sender=who)
    elif uri is not None:
        tx = registry.register(uri, sender=who)
    else:
        tx = registry.register(sender=who)
    (log,) = tx.decode_logs(registry.Registered)
    return log.agentId, tx


def now(chain) -> int:
    return chain.pending_timestamp


def approval(registry, chain, agent_id, wallet_addr, owner_addr, deadline) -> WalletApproval:
    typed = wallet_typed_data(chain.chain_id, registry.address, agent_id, wallet_addr, owner_addr, deadline)
    return WalletApproval(agent_id, wallet_addr, owner_addr, deadline, typed, wallet_digest(typed))


def eoa_signature(registry, chain, agent_id, signer, owner_addr, deadline, wallet_addr=None) -> bytes:
    """`signer` signs AgentWalletSet for wallet `wallet_addr` (default: signer itself)."""
    wallet_addr = wallet_addr or signer.address
    a = approval(registry, chain, agent_id, wallet_addr, owner_addr, deadline)
    acct = Account.from_key(signer.private_key)
    return bytes(acct.sign_message(encode_typed_data(full_message=a.typed_data)).signature)
