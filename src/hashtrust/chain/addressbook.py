"""The deployment address book: one file per chain.

The one place every script, the SDK and the CLI find contracts. A chain is its chain id *and*
its genesis block hash: two Anvils share chain id 31337 but are different chains, and a
deployment to one must never overwrite the record of the other. `AddressBook.for_chain` picks
the file of the connected chain:

* a real network (a chain id no development node uses, on a node that is not a development
  node): ``deployments/<chain_id>.json``, meant to be committed; it records the genesis hash and
  is refused on a chain with another one (a node that only claims the chain id);
* a development chain (chain id 31337 or 1337, or an Anvil / Hardhat / Ganache node, e.g. a
  fork of a real network): ``deployments/local/<chain_id>-<genesis hash, 12 hex>.json``, one
  per chain (Anvil keeps its genesis block across a restart from its state file, so the
  long-running devnet keeps its book; a throwaway Anvil gets its own).

Layout::

    {
      "format": "hashtrust-deployments/1",
      "chain_id": 31337,
      "genesis": "0x..",
      "contracts": {
        "IdentityRegistry": {"address": "0x..", "contract_type": "IdentityRegistry",
                              "block": 12, "deployer": "0x..", "tx": "0x..",
                              "code_hash": "0x.."},
        ...
      }
    }

Writes are atomic (temp file in the same folder, fsync, rename): a crash leaves either the old
file or the new one, never half of one. A file that is not valid JSON, not of this format, or of
another chain raises `AddressBookError` and is never overwritten silently.

A book written before books were told apart by genesis (``deployments/31337.json``, no
``genesis``) is adopted by the first development chain on which every contract it records is
still there with the recorded code (then it moves to that chain's file); any other chain leaves
it alone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hashtrust.chain import jsonsafe
from hashtrust.chain.artifacts import PROJECT_ROOT
from hashtrust.chain.files import locked, write_json
from hashtrust.errors import AddressBookError

FORMAT = "hashtrust-deployments/1"
_VERIFIED: set[tuple] = set()  # (chain id, address, code hash, contract type) checked against the chain

DEFAULT_DIR = PROJECT_ROOT / "deployments"


def default_dir() -> Path:
    """The deployments folder: ``$HASHTRUST_DEPLOYMENTS`` (read at each call), else `DEFAULT_DIR`."""
    return Path(os.environ.get("HASHTRUST_DEPLOYMENTS") or DEFAULT_DIR)

LOCAL_DIR = "local"  # development chains' books, under the deployments folder (not committed)
DEV_CHAIN_IDS = frozenset({31337, 1337})
DEV_CLIENTS = ("anvil", "hardhat", "ganache", "ethereumjs", "eth-tester", "ethereumtester")


@dataclass(frozen=True)
class Entry:
    """One recorded deployment."""

    name: str
    address: str
    contract_type: str
    block: int
    deployer: str
    tx: str
    code_hash: str

    def to_json(self) -> dict:
        return {
            "address": self.address,
            "contract_type": self.contract_type,
            "block": self.block,
            "deployer": self.deployer,
            "tx": self.tx,
            "code_hash": self.code_hash,
        }


def is_dev_node(w3: Any) -> bool:
    """Whether the node is a development node (Anvil, Hardhat, Ganache, the in-process test
    chain) or serves a development chain id: its chains are throwaway, one book each."""
    if int(w3.eth.chain_id) in DEV_CHAIN_IDS:
        return True
    try:
        version = str(w3.client_version).lower()
    except Exception:  # noqa: BLE001 - a node without web3_clientVersion: judge by chain id alone
        return False
    return version.startswith(DEV_CLIENTS)


def genesis_hash(w3: Any) -> str:
    """The hash of block 0, 0x-hex (lower case)."""
    return "0x" + bytes(w3.eth.get_block(0)["hash"]).hex()


class AddressBook:
    """The address book of one chain.

    ``AddressBook(chain_id, folder)`` is the file ``<folder>/<chain_id>.json`` as it is (no
    genesis check); `AddressBook.for_chain` is the book of a connected chain (see the module
    docstring), and what every command and script uses.
    """

    def __init__(self, chain_id: int, folder: Path | str | None = None, *, genesis: str | None = None, local: bool = False):
        self.chain_id = int(chain_id)
        self.folder = Path(folder) if folder is not None else default_dir()
        self.genesis = genesis.lower() if genesis else None
        self.local = bool(local)
        if local:
            if not self.genesis:
                raise AddressBookError("a development chain's book needs the chain's genesis hash")
            self.path = self.folder / LOCAL_DIR / f"{self.chain_id}-{self.genesis[2:14]}.json"
        else:
            self.path = self.folder / f"{self.chain_id}.json"
        self._entries: dict[str, Entry] = {}
        self._load()

    @classmethod
    def for_chain(cls, w3: Any, folder: Path | str | None = None) -> AddressBook:
        """The book of the chain ``w3`` is connected to (told apart by genesis hash)."""
        chain_id, genesis, local = int(w3.eth.chain_id), genesis_hash(w3), is_dev_node(w3)
        book = cls(chain_id, folder, genesis=genesis, local=local)
        if local and not book.path.exists():
            book._adopt_legacy(w3)
        return book

    def _adopt_legacy(self, w3: Any) -> None:
        """Take over ``<folder>/<chain_id>.json`` from before genesis-keyed books, if it is this
        chain's: every recorded contract still has its recorded code here."""
        legacy = self.folder / f"{self.chain_id}.json"
        if not legacy.exists():
            return
        try:
            old = AddressBook(self.chain_id, self.folder)
        except AddressBookError:
            return  # not ours to judge: left as it is
        if old.genesis is not None or not old._entries:
            return
        for e in old._entries.values():
            try:
                code = bytes(w3.eth.get_code(e.address))
            except Exception:  # noqa: BLE001 - a malformed address: not this chain's book
                return
            if not code or "0x" + bytes(w3.keccak(code)).hex() != e.code_hash.lower():
                return
        self._entries = dict(old._entries)
        self.save()
        legacy.unlink()

    # ------------------------------------------------------------------ io
    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = jsonsafe.loads(self.path.read_text())
        except (OSError, ValueError) as exc:
            raise AddressBookError(
                f"{self.path} is not valid JSON ({exc}); fix or remove it (nothing was overwritten)"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise AddressBookError(
                f"{self.path} is not a hashtrust address book (expected format {FORMAT!r}); "
                "move it away or pass another folder (nothing was overwritten)"
            )
        if data.get("chain_id") != self.chain_id:
            raise AddressBookError(
                f"{self.path} belongs to chain {data.get('chain_id')!r}, not chain {self.chain_id}; "
                "refusing to use or overwrite it"
            )
        recorded = data.get("genesis")
        if recorded is not None and not isinstance(recorded, str):
            raise AddressBookError(f"{self.path}: 'genesis' must be a 0x hash")
        if self.genesis is not None and recorded is not None and recorded.lower() != self.genesis:
            raise AddressBookError(
                f"{self.path} belongs to the chain {self.chain_id} whose genesis block is {recorded}; the node answers "
                f"with genesis {self.genesis} (another chain with the same chain id); refusing to use or overwrite it"
            )
        if self.genesis is None and recorded is not None:
            self.genesis = recorded.lower()
        contracts = data.get("contracts")
        if not isinstance(contracts, dict):
            raise AddressBookError(f"{self.path}: 'contracts' must be an object")
        for name, e in contracts.items():
            try:
                self._entries[name] = Entry(
                    name=name,
                    address=str(e["address"]),
                    contract_type=str(e["contract_type"]),
                    block=int(e["block"]),
                    deployer=str(e["deployer"]),
                    tx=str(e["tx"]),
                    code_hash=str(e["code_hash"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise AddressBookError(f"{self.path}: entry {name!r} is malformed ({exc!r})") from None

    def save(self) -> None:
        """Write the book atomically (temp file + fsync + rename)."""
        payload: dict[str, Any] = {"format": FORMAT, "chain_id": self.chain_id}
        if self.genesis is not None:
            payload["genesis"] = self.genesis
        payload["contracts"] = {n: e.to_json() for n, e in sorted(self._entries.items())}
        with locked(self.path, what=f"the address book {self.path}"):  # never while another run holds it
            write_json(self.path, payload)

    @contextlib.contextmanager
    def locked(self) -> Iterator[AddressBook]:
        """Hold this book's lock for a whole run (`hashtrust.chain.files.locked`: a second run
        is refused at once, naming the holder) and read the book again under it, so what a run
        that finished meanwhile recorded is seen (second review, finding 5)."""
        with locked(self.path, what=f"the address book {self.path}"):
            self._entries = {}
            self._load()
            yield self

    # ------------------------------------------------------------------ access
    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def get(self, name: str) -> Entry | None:
        return self._entries.get(name)

    def address(self, name: str) -> str:
        """The address of ``name``; raises `AddressBookError` naming the fix when missing."""
        e = self._entries.get(name)
        if e is None:
            raise AddressBookError(
                f"no {name} recorded for chain {self.chain_id} in {self.path}; run `ape run deploy` (or `hashtrust deploy`) first"
            )
        return e.address

    def verified_address(self, w3: Any, name: str, contract_type: str | None = None) -> str:
        """The address of ``name``, after checking that the chain holds the recorded contract.

        A book can be edited or committed by someone else (public-chain books are meant to be
        shared), so before a client talks to an address the code there must (1) exist, (2) hash
        to the recorded ``code_hash`` and (3) be hashtrust's ``contract_type`` built from these
        sources (its runtime code, immutables appended); and (4) the entry's ``block`` (where
        every log scan starts) and ``deployer`` must be those of its deployment (`check_deployment`).
        Otherwise `AddressBookError` names the contract, the address and the book file. Checked
        once per process and chain.
        """
        e = self._entries.get(name)
        address = self.address(name)  # raises naming the fix when missing
        assert e is not None
        ctype = contract_type or e.contract_type
        key = (self.chain_id, address.lower(), e.code_hash.lower(), ctype, e.block, e.tx.lower(), e.deployer.lower())
        if key in _VERIFIED:
            return address
        where = f"{name} at {address} (recorded in {self.path})"
        if e.contract_type != ctype:
            raise AddressBookError(f"{where} is recorded as a {e.contract_type}, not a {ctype}")
        from web3 import Web3

        code = bytes(w3.eth.get_code(Web3.to_checksum_address(address)))
        if not code:
            raise AddressBookError(f"{where}: no code on chain {self.chain_id} (chain reset?); run `hashtrust deploy`")
        actual = "0x" + Web3.keccak(code).hex().removeprefix("0x")
        if actual.lower() != e.code_hash.lower():
            raise AddressBookError(
                f"{where}: the code on chain {self.chain_id} hashes to {actual}, not the recorded {e.code_hash}; "
                "refusing to use it (redeploy, or fix the book)"
            )
        check_code(w3, address, ctype, where=where, code=code)
        check_deployment(w3, e, where=where)
        _VERIFIED.add(key)
        return address

    def record(self, entry: Entry) -> None:
        """Add or replace an entry and save at once."""
        self._entries[entry.name] = entry
        self.save()

    def forget(self, name: str) -> None:
        if self._entries.pop(name, None) is not None:
            self.save()

    def entries(self) -> dict[str, Entry]:
        return dict(self._entries)

    def as_dict(self) -> dict[str, Any]:
        return {n: e.address for n, e in sorted(self._entries.items())}


def holding_book(fn):
    """Run ``fn(w3, sender, book, ...)`` -- a "deploy if missing, then record" step -- holding the
    book's lock (`AddressBook.locked`), so two runs cannot both find it missing and both deploy
    (second review, finding 5)."""
    import functools

    @functools.wraps(fn)
    def run(w3: Any, sender: Any, book: AddressBook, *args: Any, **kwargs: Any) -> Any:
        with book.locked():
            return fn(w3, sender, book, *args, **kwargs)

    return run


def check_code(w3: Any, address: str, contract_type: str, *, where: str | None = None, code: bytes | None = None) -> None:
    """Raise `AddressBookError` unless the code at ``address`` is hashtrust's ``contract_type``
    built from these sources (its runtime code, immutables appended). For addresses that did
    not come from a book entry (e.g. what an irreversible call is about to bind)."""
    from web3 import Web3

    from hashtrust.chain import artifacts

    where = where or f"{contract_type} at {address}"
    if code is None:
        code = bytes(w3.eth.get_code(Web3.to_checksum_address(address)))
        if not code:
            raise AddressBookError(f"{where}: no code on chain {int(w3.eth.chain_id)}")
    runtime = bytes.fromhex(artifacts.load(contract_type).runtime[2:])
    if not code.startswith(runtime):
        raise AddressBookError(
            f"{where}: the code on chain is not hashtrust's {contract_type} built from these sources; "
            "refusing to use it (redeploy with `hashtrust deploy`, or use the hashtrust version that deployed it)"
        )


def check_deployment(w3: Any, e: Entry, *, where: str) -> None:
    """Raise `AddressBookError` unless ``e.block`` and ``e.deployer`` are those of the contract's
    deployment: the receipt of ``e.tx`` created ``e.address`` in block ``e.block``, sent by
    ``e.deployer``. Every log scan starts at ``block``, so a later one hides what happened before
    it (reruns of `agents register` registered every agent again: review finding 10).

    A node that no longer indexes that transaction (pruned history) is asked instead whether the
    code appears at ``block`` (absent at ``block - 1``); a node that keeps neither cannot tell,
    and the entry is taken as written."""
    from web3 import Web3
    from web3.exceptions import TransactionNotFound

    fix = "fix the book's entry (or redeploy with `hashtrust deploy`)"
    try:
        tx = bytes.fromhex(e.tx.removeprefix("0x"))
    except ValueError:
        tx = b""
    if len(tx) != 32:
        raise AddressBookError(f"{where}: 'tx' {e.tx!r} is not a transaction hash; {fix}")
    from hashtrust.chain.failures import read_retrying

    try:
        receipt = read_retrying(lambda: w3.eth.get_transaction_receipt(tx))  # a lost reply is read again
    except TransactionNotFound:
        receipt = None
    if receipt is not None:
        created = receipt.get("contractAddress")
        if not created or Web3.to_checksum_address(created) != Web3.to_checksum_address(e.address):
            raise AddressBookError(f"{where}: its deployment tx {e.tx} created {created or 'no contract'}, not this address; {fix}")
        mined = int(receipt["blockNumber"])
        if mined != e.block:
            raise AddressBookError(
                f"{where}: 'block' is {e.block:,} but the contract was deployed in block {mined:,} (tx {e.tx}); "
                f"log scans start at 'block', so a later one misses what was done before it: set it to {mined}"
            )
        sent_by = receipt.get("from")
        if sent_by and Web3.is_address(e.deployer) and Web3.to_checksum_address(sent_by) != Web3.to_checksum_address(e.deployer):
            raise AddressBookError(f"{where}: 'deployer' is {e.deployer} but tx {e.tx} was sent by {sent_by}; {fix}")
        return
    address = Web3.to_checksum_address(e.address)
    try:
        before = bytes(read_retrying(lambda: w3.eth.get_code(address, e.block - 1))) if e.block > 0 else b""
        at = bytes(read_retrying(lambda: w3.eth.get_code(address, e.block)))
    except Exception:  # noqa: BLE001 - no historical state on this node: nothing more to check
        return
    if before or not at:
        raise AddressBookError(
            f"{where}: the contract was not deployed in the recorded block {e.block:,} (its code is "
            f"{'already there before it' if before else 'not there yet'}); log scans start at 'block'; {fix}"
        )
