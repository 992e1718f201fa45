"""The docs say what the tools do (issue 15, item 10): `make help` lists every target, the README
lists every script and every environment variable the code reads, the URI schemes of the error
and of docs/identity.md are the same, `--debug` works after the subcommand, setup installs Anvil
from the lock file without rewriting it."""

import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from hashtrust.cli import main
from hashtrust.erc8004.registration import REMOTE_SCHEMES, agent_uri
from hashtrust.errors import HashtrustError, InputError

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def test_make_help_lists_every_target():
    phony = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M).group(1).split()
    out = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = {ln.split()[1] for ln in out.splitlines() if ln.startswith("make ")}
    assert set(phony) - {"help"} <= listed, set(phony) - listed


def test_the_readme_lists_every_script_and_variable():
    scripts = {p.stem for p in (ROOT / "scripts").glob("*.py")}
    row = next(ln for ln in README.splitlines() if ln.startswith("| `scripts/`"))
    assert scripts == set(re.findall(r"`(\w+)`", row)) - {"scripts"}, row
    variables = set()
    for p in (ROOT / "src" / "hashtrust").rglob("*.py"):
        variables |= set(re.findall(r"""os\.environ(?:\.get)?[\[(]\s*["'](HASHTRUST_\w+|APE_FOUNDRY_HOST)["']""", p.read_text()))
        variables |= set(re.findall(r"""(?:PORT_ENV|HOME_ENV)\s*=\s*["'](HASHTRUST_\w+)["']""", p.read_text()))
    variables -= {"HASHTRUST_ROOT"}  # the package's own test hook (another checkout's contracts)
    missing = sorted(v for v in variables if f"`{v}`" not in README)
    assert not missing, missing
    assert "DEVNET_PORT" in README


def test_the_uri_error_and_the_identity_docs_name_the_same_schemes():
    try:
        agent_uri("ftp://example.org/agent.json", field="uri")
    except InputError as exc:
        named = set(re.findall(r"(\w+)://", str(exc).split(", got ")[0]))
    assert named == set(REMOTE_SCHEMES) == {"https", "ipfs"}
    docs = (ROOT / "docs" / "identity.md").read_text()
    assert "`agent_uri()` accepts `https://` and `ipfs://` URIs" in docs


def test_debug_works_after_the_subcommand():
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "addresses", "--debug"])
    assert isinstance(r.exception, HashtrustError), r.output  # the traceback, not the one line
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "addresses"])
    assert r.exit_code == 1 and r.output.startswith("Error: cannot reach a node at http://127.0.0.1:1")


def test_setup_installs_anvil_from_the_lock_file():
    node_rule = MAKEFILE[MAKEFILE.index("$(NODE_STAMP):"):]
    node_rule = node_rule[: node_rule.index("\n\n")]
    assert "npm ci" in node_rule and "npm install" not in node_rule


def test_licence_headers_follow_snekmate_and_the_readme_names_them():
    """Issue 15, "Also": a contract that compiles snekmate code in says AGPL-3.0-only, every other
    contract MIT, and the README's licensing table names each AGPL deployable contract."""
    agpl, mit = [], []
    for p in sorted((ROOT / "contracts").rglob("*.vy")):
        text = p.read_text()
        licence = re.search(r"@license\s+(\S+)", text)
        assert licence, f"{p.relative_to(ROOT)} has no @license"
        uses_snekmate = re.search(r"^\s*(from\s+snekmate|import\s+snekmate)", text, re.M) is not None
        want = "AGPL-3.0-only" if uses_snekmate else "MIT"
        assert licence.group(1) == want, f"{p.relative_to(ROOT)}: @license {licence.group(1)}, but it {'compiles' if uses_snekmate else 'uses no'} snekmate code"
        (agpl if uses_snekmate else mit).append(p)
    table = README[README.index("## Licensing"):]
    for p in agpl:
        if p.parent.name == "contracts":
            assert p.name in table, f"the README's licensing table does not name {p.name}"
    assert agpl and mit
