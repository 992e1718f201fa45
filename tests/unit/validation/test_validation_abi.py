"""The registry speaks ERC-8004 exactly: every selector and event topic of the spec's
Validation section is present and unchanged (existing clients and indexers work as is)."""

from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector

from hashtrust.chain import artifacts

SPEC_SELECTORS = {
    "getIdentityRegistry()": "0xbc4d861b",
    "validationRequest(address,uint256,string,bytes32)": "0xaaf400c4",
    "validationResponse(bytes32,uint8,string,bytes32,string)": "0x3d659a96",
    "getValidationStatus(bytes32)": "0xff2febfc",
    "getSummary(uint256,address[],string)": "0x1b7cabd6",
    "getAgentValidations(uint256)": "0x8d5d0c2d",
    "getValidatorRequests(address)": "0x4bf3158c",
}
SPEC_TOPICS = {
    "ValidationRequest": "0x530436c3634a98e1e626b0898be2f1e9980cc1bd2a78c07a0aba52d0a48a5059",
    "ValidationResponse": "0xafddf629e874ccc3963b6a888c477bd464a6c8525024fc88759ea3b2326349ae",
}
SPEC_OUTPUTS = {
    "getValidationStatus": ["address", "uint256", "uint8", "bytes32", "string", "uint256"],
    "getSummary": ["uint64", "uint8"],
    "getAgentValidations": ["bytes32[]"],
    "getValidatorRequests": ["bytes32[]"],
    "getIdentityRegistry": ["address"],
}
SPEC_INDEXED = {
    "ValidationRequest": [True, True, False, True],
    "ValidationResponse": [True, True, True, False, False, False, False],
}


def _abi():
    return artifacts.abi("ValidationRegistry")


def _sig(item):
    return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"


def test_every_spec_selector_is_exposed_unchanged():
    fns = {_sig(i): "0x" + function_abi_to_4byte_selector(i).hex() for i in _abi() if i["type"] == "function"}
    for sig, sel in SPEC_SELECTORS.items():
        assert fns.get(sig) == sel, sig


def test_spec_views_keep_their_output_shapes():
    outs = {i["name"]: [o["type"] for o in i["outputs"]] for i in _abi() if i["type"] == "function"}
    for name, shape in SPEC_OUTPUTS.items():
        assert outs[name] == shape, name


def test_spec_events_keep_their_topics_and_indexing():
    evs = {i["name"]: i for i in _abi() if i["type"] == "event"}
    for name, topic in SPEC_TOPICS.items():
        assert "0x" + event_abi_to_log_topic(evs[name]).hex() == topic, name
        assert [x["indexed"] for x in evs[name]["inputs"]] == SPEC_INDEXED[name], name


def test_runtime_fits_the_size_limit():
    art = artifacts.load("ValidationRegistry")
    assert len(bytes.fromhex(art.runtime[2:])) < 24_576
