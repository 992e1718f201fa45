"""The registry speaks ERC-8004 exactly: every selector and event topic of the spec's
Reputation section is present (parameter names aside)."""

from eth_utils import keccak

from hashtrust.chain import artifacts

SELECTORS = {
    "0xbc4d861b": "getIdentityRegistry()",
    "0x3c036a7e": "giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)",
    "0x4ab3ca99": "revokeFeedback(uint256,uint64)",
    "0xc2349ab2": "appendResponse(uint256,address,uint64,string,bytes32)",
    "0x81bbba58": "getSummary(uint256,address[],string,string)",
    "0x232b0810": "readFeedback(uint256,address,uint64)",
    "0xd9d84224": "readAllFeedback(uint256,address[],string,string,bool)",
    "0x6e04cacd": "getResponseCount(uint256,address,uint64,address[])",
    "0x42dd519c": "getClients(uint256)",
    "0xf2d81759": "getLastIndex(uint256,address)",
}
TOPICS = {
    "NewFeedback": "0x6a4a61743519c9d648a14e6493f47dbe3ff1aa29e7785c96c8326a205e58febc",
    "FeedbackRevoked": "0x25156fd3288212246d8b008d5921fde376c71ed14ac2e072a506eb06fde6d09d",
    "ResponseAppended": "0xb1c6be0b5b8aef6539e2fac0fd131a2faa7b49edf8e505b5eb0ad487d56051d4",
}


def _sig(item):
    def t(i):
        if i["type"].startswith("tuple"):
            return "(" + ",".join(t(c) for c in i["components"]) + ")" + i["type"][5:]
        return i["type"]

    return f"{item['name']}({','.join(t(i) for i in item['inputs'])})"


def test_every_spec_selector_is_in_the_abi():
    abi = artifacts.abi("ReputationRegistry")
    fns = {"0x" + keccak(text=_sig(i))[:4].hex(): _sig(i) for i in abi if i["type"] == "function"}
    for sel, sig in SELECTORS.items():
        assert "0x" + keccak(text=sig)[:4].hex() == sel  # the table itself is right
        assert fns.get(sel) == sig, f"missing {sig}"


def test_every_spec_event_topic_is_in_the_abi():
    abi = artifacts.abi("ReputationRegistry")
    topics = {i["name"]: "0x" + keccak(text=_sig(i)).hex() for i in abi if i["type"] == "event"}
    assert topics == TOPICS
    new = next(i for i in abi if i.get("name") == "NewFeedback")
    assert [i["name"] for i in new["inputs"] if i["indexed"]] == ["agentId", "clientAddress", "indexedTag1"]


def test_view_outputs_match_the_spec():
    abi = {i["name"]: i for i in artifacts.abi("ReputationRegistry") if i["type"] == "function"}
    outs = lambda n: [o["type"] for o in abi[n]["outputs"]]  # noqa: E731
    assert outs("getSummary") == ["uint64", "int128", "uint8"]
    assert outs("readFeedback") == ["int128", "uint8", "string", "string", "bool"]
    assert outs("readAllFeedback") == ["address[]", "uint64[]", "int128[]", "uint8[]", "string[]", "string[]", "bool[]"]
    assert outs("getResponseCount") == ["uint64"]
    assert outs("getClients") == ["address[]"]
    assert outs("getLastIndex") == ["uint64"]
    assert outs("readAllFeedbackPaged")[-1] == "uint256"
    assert outs("getClientsPaged") == ["address[]", "uint256"]
    assert len(bytes.fromhex(artifacts.load("ReputationRegistry").runtime[2:])) < 24_576
