"""The compiled ABI exposes exactly the ERC-8004 reference's selectors and event topics
(so existing ERC-8004 clients and indexers work unchanged), plus ERC-721/165/4906 and a few
documented read-only extras."""

from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector

from hashtrust.chain import artifacts

SPEC_FUNCTIONS = {
    "0x1aa3a008": "register()",
    "0xf2c298be": "register(string)",
    "0x8ea42286": "register(string,(string,bytes)[])",
    "0x0af28bd3": "setAgentURI(uint256,string)",
    "0xcb4799f2": "getMetadata(uint256,string)",
    "0x466648da": "setMetadata(uint256,string,bytes)",
    "0x2d1ef5ae": "setAgentWallet(uint256,address,uint256,bytes)",
    "0x00339509": "getAgentWallet(uint256)",
    "0x3fddcf19": "unsetAgentWallet(uint256)",
    "0xd95e72be": "isAuthorizedOrOwner(address,uint256)",
    "0x0d8e6e2c": "getVersion()",
}
ERC721 = {
    "0x70a08231": "balanceOf(address)",
    "0x6352211e": "ownerOf(uint256)",
    "0x42842e0e": "safeTransferFrom(address,address,uint256)",
    "0xb88d4fde": "safeTransferFrom(address,address,uint256,bytes)",
    "0x23b872dd": "transferFrom(address,address,uint256)",
    "0x095ea7b3": "approve(address,uint256)",
    "0xa22cb465": "setApprovalForAll(address,bool)",
    "0x081812fc": "getApproved(uint256)",
    "0xe985e9c5": "isApprovedForAll(address,address)",
    "0x06fdde03": "name()",
    "0x95d89b41": "symbol()",
    "0xc87b56dd": "tokenURI(uint256)",
    "0x01ffc9a7": "supportsInterface(bytes4)",
}
# hashtrust extras (read-only): limits, one-time signature state, counts, EIP-712 domain.
EXTRAS = {
    "last_wallet_deadline(uint256)",
    "total_agents()",
    "DOMAIN_SEPARATOR()",
    "MAX_URI_LENGTH()",
    "MAX_KEY_LENGTH()",
    "MAX_VALUE_LENGTH()",
    "MAX_ENTRIES()",
    "MAX_SIGNATURE_LENGTH()",
    "MAX_DEADLINE_DELAY()",
}
SPEC_EVENTS = {
    "0xca52e62c367d81bb2e328eb795f7c7ba24afb478408a26c0e201d155c449bc4a": "Registered",
    "0x2c149ed548c6d2993cd73efe187df6eccabe4538091b33adbd25fafdb8a1468b": "MetadataSet",
    "0x3a2c7fffc2cba7582c690e3b82c453ea02a308326a98a3ad7576c606336409fb": "URIUpdated",
    # ERC-721
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef": "Transfer",
    "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925": "Approval",
    "0x17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31": "ApprovalForAll",
    # ERC-4906 MetadataUpdate(uint256)
    "0xf8e1a15aba9398e019f0b49df1a4fde98ee17ae345cb5f6b5e2c27f5033e8ce7": "MetadataUpdate",
}


def _signature(item) -> str:
    from eth_utils.abi import collapse_if_tuple

    return f"{item['name']}({','.join(collapse_if_tuple(i) for i in item['inputs'])})"


def test_function_selectors_are_exactly_the_spec_plus_erc721_and_documented_extras():
    abi = artifacts.abi("IdentityRegistry")
    fns = [i for i in abi if i["type"] == "function"]
    selectors = {"0x" + function_abi_to_4byte_selector(f).hex(): _signature(f) for f in fns}
    for sel, sig in {**SPEC_FUNCTIONS, **ERC721}.items():
        assert selectors.get(sel) == sig, f"missing or wrong: {sel} {sig}"
    extras = {sig for sel, sig in selectors.items() if sel not in SPEC_FUNCTIONS and sel not in ERC721}
    assert extras == EXTRAS


def test_event_topics_are_exactly_the_spec_and_erc721_4906():
    abi = artifacts.abi("IdentityRegistry")
    topics = {"0x" + event_abi_to_log_topic(e).hex(): e["name"] for e in abi if e["type"] == "event"}
    assert topics == SPEC_EVENTS


def test_views_and_mutability_match_the_reference():
    abi = {(_signature(i)): i for i in artifacts.abi("IdentityRegistry") if i["type"] == "function"}
    assert abi["getVersion()"]["stateMutability"] == "pure"
    for view in ("getMetadata(uint256,string)", "getAgentWallet(uint256)", "isAuthorizedOrOwner(address,uint256)", "tokenURI(uint256)"):
        assert abi[view]["stateMutability"] == "view"
    for write in ("register()", "setAgentWallet(uint256,address,uint256,bytes)", "setMetadata(uint256,string,bytes)"):
        assert abi[write]["stateMutability"] == "nonpayable"
    assert [o["type"] for o in abi["register(string)"]["outputs"]] == ["uint256"]
    assert [o["type"] for o in abi["getMetadata(uint256,string)"]["outputs"]] == ["bytes"]


def test_runtime_fits_the_contract_size_limit():
    art = artifacts.load("IdentityRegistry")
    assert len(bytes.fromhex(art.runtime[2:])) < 24_576
