"""The README's real-network rating example runs exactly as written (issue 22, defect 2).

The README shows, for a real network, the lines after "`tests/e2e/test_readme_real_network.py`
runs these lines as written": deploy, register the example agents, rate them from the user's own
client keys (`--client-keys my-clients.keys`), rank over those clients, and the devnet clients
refused. This test gives those lines the environment the README's sentence names -- an Anvil with
Sepolia's chain id as `HASHTRUST_RPC`, the user's funded key in `DEPLOYER_KEY`, four client keys
in `my-clients.keys` in a folder that holds the project's `examples/`, each client holding gas --
plus a throwaway `HASHTRUST_DEPLOYMENTS`, and runs every line with bash, one by one: a line whose
comment says "refused" must end with one `error:` line naming the devnet-only rule and send
nothing; every other line must succeed. Then what the lines claim is read back from the chain,
and the rating line is run again (nothing is sent twice).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from public_chain import SEPOLIA, USER_KEY, fake_sepolia
from script_runs import ROOT

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import client_signer
from hashtrust.erc8004.reputation import ReputationClient

MARKER = "`tests/e2e/test_readme_real_network.py` runs these lines as written"


def readme_lines() -> list[str]:
    """The command lines of the fenced block that follows the README's marker sentence."""
    text = (ROOT / "README.md").read_text()
    assert MARKER.replace("\n", " ") in " ".join(text.split()), "the README no longer points at this test"
    after = text[text.index("tests/e2e/test_readme_real_network.py"):]
    block = re.search(r"^```\w*\n(.*?)^```", after, flags=re.S | re.M)
    assert block, "no example block after the marker"
    return [ln for ln in block.group(1).splitlines() if ln.strip()]


def _bash(line: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_real_network_rating_example_runs_as_written(tmp_path):
    lines = readme_lines()
    assert [ln.split()[:3] for ln in lines] == [
        ["hashtrust", "--private-key-env", "DEPLOYER_KEY"],
        ["hashtrust", "--private-key-env", "DEPLOYER_KEY"],
        ["hashtrust", "agents", "rate"],
        ["hashtrust", "agents", "rank"],
        ["hashtrust", "agents", "rate"],
    ], lines  # what the assertions below check
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "examples").symlink_to(ROOT / "examples")
    clients = [Account.create() for _ in range(4)]
    (folder / "my-clients.keys").write_text("# my rating clients: one private key per line\n" + "\n".join(c.key.to_0x_hex() for c in clients) + "\n")
    book_dir = tmp_path / "deployments"

    with fake_sepolia(tmp_path) as (url, w3):
        user = Account.from_key(USER_KEY).address
        faucet = TxSender(w3, LocalSigner.from_key(USER_KEY))
        for c in clients:  # "each client pays its own gas"
            faucet.transact({"to": c.address, "value": 10**17})
        env = {**os.environ, "HASHTRUST_RPC": url, "DEPLOYER_KEY": USER_KEY, "HASHTRUST_DEPLOYMENTS": str(book_dir)}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        for var in ("HASHTRUST_CLIENT_KEYS", "APE_FOUNDRY_HOST", "HASHTRUST_DEBUG"):
            env.pop(var, None)

        outputs = []
        for line in lines:
            user_nonce = w3.eth.get_transaction_count(user)
            out = _bash(line, folder, env)
            text = out.stdout + out.stderr
            assert "Traceback" not in text, (line, text)
            if "refused" in line.partition("#")[2]:
                assert out.returncode == 1, (line, text)
                errors = [ln for ln in text.splitlines() if ln.startswith("error:")]
                assert len(errors) == 1 and "devnet-only" in errors[0] and "public mnemonic" in errors[0], (line, text)
                assert w3.eth.get_transaction_count(user) == user_nonce  # nothing sent, nobody funded
                assert all(w3.eth.get_balance(client_signer(k).address) == 0 for k in range(40))
            else:
                assert out.returncode == 0, (line, text)
            outputs.append(out.stdout)

        deployed, registered, rated, ranked, _refused = outputs
        book = AddressBook(SEPOLIA, book_dir)
        assert set(book.entries()) == {"IdentityRegistry", "ReputationRegistry", "ValidationRegistry"}, deployed
        ident = IdentityClient.from_book(w3, book)
        assert ident.total_agents() == 21 and all(ident.owner_of(a) == user for a in range(1, 22)), registered
        assert "8 sent, 0 already on chain, 0 failed (of 8)" in rated and "funded" not in rated, rated
        assert [w3.eth.get_transaction_count(c.address) for c in clients] == [2, 2, 2, 2]  # examples/ratings.json: 2 rows each
        rep = ReputationClient.from_book(w3, book)
        assert rep.summary(1, [c.address for c in clients]).count == 4  # skyroute: clients 0-3
        assert "SkyRoute Flight Booker" in ranked, ranked

        again = _bash(lines[2], folder, env)  # the rating line once more: nothing is sent twice
        assert again.returncode == 0 and "0 sent, 8 already on chain" in again.stdout, again.stdout + again.stderr
        assert [w3.eth.get_transaction_count(c.address) for c in clients] == [2, 2, 2, 2]
