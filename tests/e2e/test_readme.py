"""The README's examples run, in order, exactly as written (issue 15, item 10, and "How it is
checked").

Every fenced block of README.md is an example that runs, or the one output excerpt ("A tour of
the output"); `test_every_fenced_block_is_run_or_is_the_output_excerpt` fails for a block of any
other kind, so a new example cannot be added without being run.

* The ```bash blocks up to "On a real network" run as one bash script (``set -e``: the first
  failing command fails the test), in the project folder, on a devnet of their own: the test sets
  only the environment the README's configuration table documents (``DEVNET_PORT`` /
  ``HASHTRUST_DEVNET_PORT`` for a free port, ``HASHTRUST_DEVNET_DIR``, ``HASHTRUST_DEPLOYMENTS``,
  ``HASHTRUST_REPORTS``), so the user's own devnet, address books and reports are never touched.
  The one line left out is ``make test`` (this test is part of it).
* The "On a real network" block runs as written on an Anvil that answers as Sepolia (chain id
  11155111: for every tool it is a chain that is not a local devnet; `public_chain.fake_sepolia`),
  with its four placeholders filled in and the answers to `ape accounts import`'s prompts on
  stdin; ape's accounts go to a folder of the test's.
* Every command the README names inline (`` `hashtrust ...` ``, `` `make ...` ``, `` `ape
  accounts ...` ``) exists with the options it is shown with.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from eth_account import Account
from public_chain import USER_KEY, fake_sepolia
from script_runs import free_port

from hashtrust.chain import devnet
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.cli import main
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import client_signer
from hashtrust.erc8004.reputation import ReputationClient

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SKIPPED = ("make test ",)  # this test runs inside `make test`
REAL_NETWORK = "On a real network"
PASSPHRASE = "readme-test passphrase 7!"


def fenced_blocks() -> list[tuple[str, str, str]]:
    """(section heading, info string, body) of every fenced block, in order."""
    out, heading = [], ""
    for m in re.finditer(r"^(#{2,3}) ([^\n]*)$|^```(\w*)\n(.*?)^```", README, flags=re.S | re.M):
        if m.group(1):
            heading = m.group(2).strip()
        else:
            out.append((heading, m.group(3), m.group(4)))
    return out


def readme_blocks(real_network: bool = False) -> list[str]:
    return [body for heading, lang, body in fenced_blocks() if lang == "bash" and (heading == REAL_NETWORK) == real_network]


def _path_env() -> str:
    anvil = next((ROOT / "node_modules" / "@foundry-rs").glob("anvil-*/bin"))
    return f"{ROOT / '.venv' / 'bin'}:{anvil}:{os.environ['PATH']}"


def test_every_fenced_block_is_run_or_is_the_output_excerpt():
    blocks = fenced_blocks()
    not_run = [(h, lang) for h, lang, _ in blocks if lang != "bash"]
    assert not_run == [("A tour of the output", "")], not_run
    assert len(readme_blocks(real_network=True)) == 1 and len(readme_blocks()) == len(blocks) - 2


def test_the_two_commands_come_first():
    first = readme_blocks()[0].splitlines()
    assert [ln.split()[:2] for ln in first] == [["make", "demo"], ["make", "test"]]


def test_every_readme_example_runs_as_written(tmp_path):
    lines = []
    for block in readme_blocks():
        for ln in block.splitlines():
            lines.append(f"# (left out: {ln})" if ln.startswith(SKIPPED) else ln)
    script = "set -euo pipefail\nset -x\n" + "\n".join(lines) + "\n"
    port = free_port()
    env = {
        **os.environ,
        "DEVNET_PORT": str(port),
        "HASHTRUST_DEVNET_PORT": str(port),
        "HASHTRUST_DEVNET_DIR": str(tmp_path / "devnet"),
        "HASHTRUST_DEPLOYMENTS": str(tmp_path / "deployments"),
        "HASHTRUST_REPORTS": str(tmp_path / "reports"),
    }
    for var in ("APE_FOUNDRY_HOST", "HASHTRUST_RPC", "VIRTUAL_ENV"):
        env.pop(var, None)
    try:
        out = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1_800)
        text = out.stdout + out.stderr
        assert out.returncode == 0, text[-6_000:]
        assert "Traceback" not in text, text[-6_000:]
        assert "== 6. report" in out.stdout and "holders claimed" in out.stdout
        assert (tmp_path / "reports" / "demo.json").exists()
        assert "state restored" in out.stdout and "clock continues" in out.stdout  # devnet stop && devnet start
        assert "faucet for 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720" in out.stdout
        assert re.search(r"USD +[\d,.]+ -> 250,000\.00|USD +holds [\d,.]+ \(>= 250,000\.00\)", out.stdout), out.stdout[-3_000:]
        assert "feedback #1 given to agent 1: 92" in out.stdout or "feedback #1 with this id is already on chain" in out.stdout
        assert "answer agent 1" in out.stdout  # the validator answered the README's request
        assert not (ROOT / "deployments" / "local").exists() or all(
            str(tmp_path) not in p.read_text() for p in (ROOT / "deployments" / "local").glob("*.json"))
    finally:
        devnet.stop(home=tmp_path / "devnet")


def test_the_real_network_examples_run_on_a_node_that_answers_as_sepolia(tmp_path):
    """The user's key holds ETH and so does each of their four rating clients ("each pays its own
    gas"); the block deploys, registers the example agents, rates them from the clients' keys,
    ranks over those clients, and deploys again from ape with an imported account. Then what the
    lines claim is read back from the chain, and the rating runs once more: nothing is sent twice."""
    clients = [Account.create() for _ in range(4)]
    keyfile = tmp_path / "my-clients.keys"
    keyfile.write_text("# my rating clients: one private key per line\n" + "\n".join(c.key.to_0x_hex() for c in clients) + "\n")
    with fake_sepolia(tmp_path) as (url, w3):
        user = Account.from_key(USER_KEY).address
        faucet = TxSender(w3, LocalSigner.from_key(USER_KEY))
        for c in clients:
            faucet.transact({"to": c.address, "value": 10**17})
        placeholders = {
            "https://sepolia.infura.io/v3/<your project id>": url,
            "0x<your private key>": USER_KEY,
            "<your rating clients' key file>": str(keyfile),
            "<that passphrase>": PASSPHRASE,
        }
        (block,) = readme_blocks(real_network=True)
        for text in placeholders:
            assert text in block, text
        for text, value in placeholders.items():
            block = block.replace(text, value)
        assert not re.search(r"<[a-z][a-z' ]+>", block), block  # every placeholder filled in
        books = tmp_path / "deployments"
        env = {**os.environ, "PATH": _path_env(), "HASHTRUST_DEPLOYMENTS": str(books), "APE_DATA_FOLDER": str(tmp_path / "ape-data")}
        for var in ("APE_FOUNDRY_HOST", "HASHTRUST_RPC", "HASHTRUST_CLIENT_KEYS", "HASHTRUST_DEBUG", "VIRTUAL_ENV"):
            env.pop(var, None)
        stdin = f"{USER_KEY}\n{PASSPHRASE}\n{PASSPHRASE}\n"  # ape accounts import: the key, the passphrase twice
        out = subprocess.run(["bash", "-c", "set -euo pipefail\nset -x\n" + block], cwd=ROOT, env=env, input=stdin,
                             capture_output=True, text=True, timeout=900)
        text = out.stdout + out.stderr
        assert out.returncode == 0, text[-6_000:]
        assert "Traceback" not in text and "Error:" not in text, text[-6_000:]
        assert "deploying the registries only" in out.stdout, out.stdout
        assert "3 deployed, 0 reused" in out.stdout and "0 deployed, 3 reused" in out.stdout, out.stdout  # hashtrust, then ape
        book = AddressBook.for_chain(w3, books)
        assert sorted(book.entries()) == ["IdentityRegistry", "ReputationRegistry", "ValidationRegistry"]
        ident = IdentityClient.from_book(w3, book)
        assert ident.total_agents() == 21 and all(ident.owner_of(a) == user for a in range(1, 22))
        assert "8 sent, 0 already on chain, 0 failed (of 8)" in out.stdout and "funded" not in out.stdout, out.stdout
        assert [w3.eth.get_transaction_count(c.address) for c in clients] == [2, 2, 2, 2]  # examples/ratings.json: 2 rows each
        assert ReputationClient.from_book(w3, book).summary(1, [c.address for c in clients]).count == 4  # skyroute: clients 0-3
        assert "SkyRoute Flight Booker" in out.stdout
        assert all(w3.eth.get_balance(client_signer(k).address) == 0 for k in range(40))  # no public-mnemonic account was funded

        rate_line = next(ln for ln in block.splitlines() if ln.startswith("hashtrust agents rate"))
        again = subprocess.run(["bash", "-c", "\n".join(ln for ln in block.splitlines() if ln.startswith("export ")) + "\n" + rate_line],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0 and "0 sent, 8 already on chain" in again.stdout, again.stdout + again.stderr
        assert [w3.eth.get_transaction_count(c.address) for c in clients] == [2, 2, 2, 2]


def _inline(prefix: str) -> list[str]:
    return sorted(set(re.findall(rf"`({prefix} [^`]*)`", README)))


def test_every_command_the_readme_names_inline_exists():
    phony = set(re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split())
    makefile = (ROOT / "Makefile").read_text()
    for span in _inline("make"):
        words = span.split()
        assert words[1] in phony, span
        for var in (w.split("=")[0] for w in words[2:] if "=" in w):
            assert re.search(rf"^{var} \?=", makefile, re.M), span
    checked = 0
    for span in _inline("hashtrust"):
        for alt in _alternatives(span):
            r = CliRunner().invoke(main, [*alt.split()[1:], "--help"])  # --help is eager: DIR, ADDRESS are never read
            assert r.exit_code == 0 and "Usage:" in r.output, (alt, r.output)
            checked += 1
    assert checked >= 8
    for span in _inline("ape accounts"):
        r = subprocess.run([str(Path(sys.executable).with_name("ape")), *span.split()[1:], "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, (span, r.stdout + r.stderr)


def _alternatives(span: str) -> list[str]:
    """`hashtrust devnet start|stop` is two commands."""
    words = span.split()
    for i, w in enumerate(words):
        if "|" in w:
            return [" ".join([*words[:i], alt, *words[i + 1:]]) for alt in w.split("|")]
    return [span]
