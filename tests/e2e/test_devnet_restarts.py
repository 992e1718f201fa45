"""The devnet is the same chain after any number of `devnet stop` / `devnet start`.

Story (new-user review, issue 22): a fresh devnet, `hashtrust deploy --only IdentityRegistry`,
then stop/start six times with `hashtrust addresses` after each: the first restart showed the
book, restarts 2-6 said `nothing recorded for chain 31337 in .../31337-<another genesis>.json`.
Anvil 1.7.1 adds a new block 0 to its state at every start and answers block 0 with any of them;
the address book is named after block 0's hash. `devnet.start` now keeps the chain's own genesis
(`_pin_genesis`) and its clock continues past the latest block.
"""

from __future__ import annotations

import json

from cli_world import start_world, stop_world
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet


def _zeros(state_file) -> list[int]:
    blocks = json.loads(state_file.read_text())["blocks"]
    return [int(b["header"]["timestamp"], 16) for b in blocks if int(b["header"]["number"], 16) == 0]


def test_devnet_keeps_its_genesis_book_and_clock_over_many_restarts(tmp_path):
    wd = start_world(tmp_path, free_port())
    try:
        assert wd.cli("deploy", "--only", "IdentityRegistry").code == 0
        genesis = wd.w3.eth.get_block(0)["hash"].hex()
        latest = wd.w3.eth.get_block("latest")
        seen = []
        for _ in range(6):
            devnet.stop(home=wd.home)
            devnet.start(wd.port, home=wd.home)
            w3 = Web3(Web3.HTTPProvider(devnet.url(wd.port)))
            r = wd.cli("addresses")
            devnet.rpc(devnet.url(wd.port), "evm_mine", [], timeout=10)
            block = w3.eth.get_block("latest")
            seen.append((w3.eth.get_block(0)["hash"].hex(), r.code, block["number"], block["timestamp"]))
            assert block["number"] == latest["number"] + 1 and block["timestamp"] > latest["timestamp"], seen
            latest = block
        assert [g for g, *_ in seen] == [genesis] * 6, seen
        assert [code for _, code, *_ in seen] == [0] * 6, seen
        assert len(_zeros(wd.home / "state.json")) == 1
    finally:
        stop_world(wd)


def test_devnet_start_repairs_a_state_file_with_several_block_zeros(tmp_path):
    """A state file written by an older start (several blocks 0, the oldest the chain's own) comes
    back with the oldest genesis: the one block 1 was mined on and the address book names."""
    wd = start_world(tmp_path, free_port())
    try:
        assert wd.cli("deploy", "--only", "IdentityRegistry").code == 0
        genesis = wd.w3.eth.get_block(0)["hash"].hex()
        devnet.stop(home=wd.home)
        state_file = wd.home / "state.json"
        data = json.loads(state_file.read_text())
        zero = next(b for b in data["blocks"] if int(b["header"]["number"], 16) == 0)
        for later in (3_600, 7_200):  # what two more starts of Anvil 1.7.1 would have added
            extra = json.loads(json.dumps(zero))
            extra["header"]["timestamp"] = hex(int(zero["header"]["timestamp"], 16) + later)
            data["blocks"].append(extra)
        state_file.write_text(json.dumps(data))
        assert len(_zeros(state_file)) == 3
        devnet.start(wd.port, home=wd.home)
        w3 = Web3(Web3.HTTPProvider(devnet.url(wd.port)))
        assert w3.eth.get_block(0)["hash"].hex() == genesis
        assert w3.eth.get_block(1)["parentHash"].hex() == genesis
        assert len(_zeros(state_file)) == 1
        assert wd.cli("addresses").code == 0
    finally:
        stop_world(wd)
