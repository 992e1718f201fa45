"""The deployment address book: ``deployments/<chain_id>.json``.

The one place every script, the SDK and the CLI find contracts. Layout::

    {
      "format": "hashtrust-deployments/1",
      "chain_id": 31337,
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
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hashtrust.chain.artifacts import PROJECT_ROOT
from hashtrust.chain.files import write_json
from hashtrust.errors import AddressBookError

FORMAT = "hashtrust-deployments/1"
_VERIFIED: set[tuple] = set()  # (chain id, address, code hash, contract type) checked against the chain

DEFAULT_DIR = Path(os.environ.get("HASHTRUST_DEPLOYMENTS", PROJECT_ROOT / "deployments"))


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


class AddressBook:
    """The address book of one chain, loaded from and saved to ``<folder>/<chain_id>.json``."""

    def __init__(self, chain_id: int, folder: Path | str | None = None):
        self.chain_id = int(chain_id)
        self.folder = Path(folder) if folder is not None else DEFAULT_DIR
        self.path = self.folder / f"{self.chain_id}.json"
        self._entries: dict[str, Entry] = {}
        self._load()

    # ------------------------------------------------------------------ io
    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text())
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
        payload = {
            "format": FORMAT,
            "chain_id": self.chain_id,
            "contracts": {n: e.to_json() for n, e in sorted(self._entries.items())},
        }
        write_json(self.path, payload)

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
        sources (its runtime code, immutables appended). Otherwise `AddressBookError` names the
        contract, the address and the book file. Checked once per process and chain.
        """
        e = self._entries.get(name)
        address = self.address(name)  # raises naming the fix when missing
        assert e is not None
        ctype = contract_type or e.contract_type
        key = (self.chain_id, address.lower(), e.code_hash.lower(), ctype)
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
        from hashtrust.chain import artifacts

        runtime = bytes.fromhex(artifacts.load(ctype).runtime[2:])
        if not code.startswith(runtime):
            raise AddressBookError(
                f"{where}: the code on chain is not hashtrust's {ctype} built from these sources; "
                "refusing to use it (redeploy with `hashtrust deploy`, or use the hashtrust version that deployed it)"
            )
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
