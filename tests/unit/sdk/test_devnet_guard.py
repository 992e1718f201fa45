"""The devnet guard's rule, case by case (`hashtrust.chain.devnet.not_a_devnet`): a local devnet
is a dev chain id (31337/1337) AND a development client AND an endpoint on this machine."""

from __future__ import annotations

import pytest

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.devnet import DevnetOnlyError, endpoint, not_a_devnet, require_devnet
from hashtrust.chain.tx import TxSender


class _Eth:
    def __init__(self, cid):
        self._cid = cid

    @property
    def chain_id(self):
        if isinstance(self._cid, Exception):
            raise self._cid
        return self._cid


class _Provider:
    def __init__(self, uri):
        self.endpoint_uri = uri


class _W3:
    """Just what the guard reads: chain id, client version, endpoint."""

    def __init__(self, cid, version, uri):
        self.eth = _Eth(cid)
        self.client_version = version
        self.provider = _Provider(uri)


ANVIL = "anvil/v1.7.1"


@pytest.mark.parametrize(("cid", "version", "uri", "why"), [
    (31337, ANVIL, "http://127.0.0.1:8545", None),
    (1337, ANVIL, "http://localhost:8545", None),
    (31337, "HardhatNetwork/2.22.0/@ethereumjs/vm/6.4.0", "http://[::1]:8545", None),
    (31337, ANVIL, "http://127.0.0.5:9999", None),
    (11155111, ANVIL, "http://127.0.0.1:8545", "chain 11155111 is not a local devnet chain id"),
    (1, "Geth/v1.14.11", "https://mainnet.example/v3/SECRETKEY", "chain 1 is not a local devnet chain id"),
    (31337, ANVIL, "http://10.0.0.5:8545", "not a loopback RPC URL"),
    (31337, ANVIL, "https://rpc.some-l2.example/SECRETKEY", "not a loopback RPC URL"),
    (31337, ANVIL, "http://127.0.0.1.nip.io:8545", "not a loopback RPC URL"),
    (31337, "Geth/v1.14.11-stable", "http://127.0.0.1:8545", "not a development node"),
    (31337, "", "http://127.0.0.1:8545", "not a development node"),
    (ConnectionError("refused"), ANVIL, "http://127.0.0.1:1", "does not answer eth_chainId"),
])
def test_the_rule(cid, version, uri, why):
    got = not_a_devnet(_W3(cid, version, uri))
    if why is None:
        assert got is None
    else:
        assert got is not None and why in got
        assert "SECRETKEY" not in got  # an API key in the URL's path is never printed


def test_in_process_and_ipc_endpoints_are_local(w3):
    assert endpoint(w3) == "in-process"  # ape's test chain (eth-tester): no network at all
    assert not_a_devnet(w3) is None
    ipc = _W3(31337, ANVIL, None)
    ipc.provider = type("P", (), {"ipc_path": "/tmp/anvil.ipc"})()
    assert endpoint(ipc) == "ipc:/tmp/anvil.ipc" and not_a_devnet(ipc) is None


def test_a_publicly_known_key_cannot_sign_anywhere_else():
    """Every path to a devnet key (`devnet_signer`, the rating clients, ape's test accounts)
    carries the mark `TxSender` checks: one guard for all of them."""
    with pytest.raises(DevnetOnlyError, match="publicly known dev key .* chain 5 is not a local devnet"):
        TxSender(_W3(5, ANVIL, "http://127.0.0.1:8545"), devnet_signer(0))
    with pytest.raises(DevnetOnlyError, match="the demo is devnet-only and was refused: .*not a loopback RPC URL; try this"):
        require_devnet(_W3(31337, ANVIL, "http://192.168.1.10:8545"), "the demo", hint="try this")
