"""Contract artifacts (ABI, deploy bytecode, runtime bytecode) for the SDK.

The SDK compiles the project's Vyper sources itself with the pinned compiler, so that
the CLI and scripts work without ape. Results are cached in ``.build/hashtrust/``
keyed by a hash of every source and the compiler version; the bytecode is the same
as ape-vyper's (same compiler, same settings).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from hashtrust.chain.files import write_json
from hashtrust.errors import HashtrustError

PROJECT_ROOT = Path(os.environ.get("HASHTRUST_ROOT", Path(__file__).resolve().parents[3]))
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
CACHE_FILE = PROJECT_ROOT / ".build" / "hashtrust" / "artifacts.json"

_lock = threading.Lock()
_memo: dict[str, dict] = {}


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    abi: list
    bytecode: str  # deploy (init) code, 0x-prefixed
    runtime: str  # runtime code, 0x-prefixed

    @property
    def runtime_hash(self) -> str:
        """keccak256 of the runtime code: what an on-chain `extcodehash` of a deployment equals."""
        from eth_utils import keccak

        return "0x" + keccak(bytes.fromhex(self.runtime[2:])).hex()


def _sources() -> list[Path]:
    return sorted(p for p in CONTRACTS_DIR.rglob("*") if p.suffix in (".vy", ".vyi"))


def _deployable() -> list[Path]:
    # Deployable contracts are PascalCase .vy files; snake_case modules are compiled into them.
    return [p for p in _sources() if p.suffix == ".vy" and p.stem[:1].isupper()]


def _fingerprint() -> str:
    import vyper

    h = hashlib.sha256(vyper.__version__.encode())
    for p in _sources():
        h.update(str(p.relative_to(CONTRACTS_DIR)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _compile_all() -> dict:
    from vyper.cli.vyper_compile import compile_files

    out: dict[str, dict] = {}
    paths = _deployable()
    if not paths:
        return out
    cwd = os.getcwd()
    try:
        os.chdir(PROJECT_ROOT)
        result = compile_files(
            [str(p.relative_to(PROJECT_ROOT)) for p in paths],
            ["abi", "bytecode", "bytecode_runtime"],
            paths=[str(PROJECT_ROOT)],
        )
    finally:
        os.chdir(cwd)
    for path, data in result.items():
        name = Path(str(path)).stem
        out[name] = {"abi": data["abi"], "bytecode": data["bytecode"], "runtime": data["bytecode_runtime"]}
    return out


def _load_all() -> dict:
    fp = _fingerprint()
    if fp in _memo:
        return _memo[fp]
    with _lock:
        if fp in _memo:
            return _memo[fp]
        data = None
        if CACHE_FILE.exists():
            try:
                cached = json.loads(CACHE_FILE.read_text())
                if cached.get("fingerprint") == fp:
                    data = cached["contracts"]
            except (OSError, ValueError, KeyError):
                data = None
        if data is None:
            data = _compile_all()
            write_json(CACHE_FILE, {"fingerprint": fp, "contracts": data}, indent=None)
        _memo[fp] = data
        return data


def load(name: str) -> Artifact:
    """Return the compiled artifact of the deployable contract ``contracts/**/<name>.vy``."""
    data = _load_all()
    if name not in data:
        raise HashtrustError(f"no contract named {name!r} in {CONTRACTS_DIR} (have: {', '.join(sorted(data))})")
    d = data[name]
    return Artifact(name=name, abi=d["abi"], bytecode=d["bytecode"], runtime=d["runtime"])


def abi(name: str) -> list:
    """The ABI of contract ``name``."""
    return load(name).abi
