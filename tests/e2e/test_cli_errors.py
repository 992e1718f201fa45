"""The command line's bad-input matrix: every option and argument of every command, given a wrong
value, ends in exactly one ``Error:`` line, a non-zero exit and no transaction.

Story: a devnet holds a small world (`cli_world.build_world`: every contract, two agents, a
feedback, a validation request, the vault's term opened in its sale, and in a second address book
a vault four days into its term, and one past its term: `LATER`, `END`). A careless user then runs every ``hashtrust`` command with,
one at a time, a value of the wrong type, a negative, a zero, a huge number, NaN and infinity,
an oversized string, a malformed address or hash, a missing file, an unknown agent / feedback /
request, a node that is down, and a chain that is not the one the address book knows (an empty
Anvil answering chain id 11155111). The values come from each parameter's type
(`hashtrust.cli.params`), so a new option is covered the day it is added; parameters whose type
says nothing (plain strings) have their bad values listed in `BY_NAME`, and
`test_every_parameter_is_covered` fails for a parameter that is neither.

Each case must end with a non-zero exit, exactly one line starting ``Error:``, no traceback, and
the chain as it was: same block number and same nonce of the ten dev accounts (the devnet mines
every transaction at once, so anything sent would show). Then every command's valid base
invocation is run once (`test_every_command_works_with_its_base_invocation`): the matrix only
breaks one value of an invocation that works.
"""

from __future__ import annotations

import json
import time

import click
import pytest
from cli_world import build_world, stop_world
from script_runs import free_port

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_key, devnet_signer
from hashtrust.cli import main
from hashtrust.cli.params import Address, Hex32, HexBytes, IndexList, Number, Text

A = {i: devnet_signer(i).address for i in range(10)}
DEAD_RPC = "http://127.0.0.1:1"
H = "{H}"  # the world's validation request hash
TMP = "{TMP}"  # a scratch folder of the module
# Run against another address book of the world (`cli_world.build_world`): the vault four days into
# its term (`play_later_term`), or a one-epoch vault past its term, its epoch settled (`play_ended_term`).
LATER, END = "{BOOK:later}", "{BOOK:end}"
PHASES = {LATER: "later", END: "end"}
SKIP_GROUPS: set[tuple[str, ...]] = set()  # command groups left out of the matrix (none)

# The valid invocation of every command: global options first, then the command and its arguments.
BASE: dict[tuple[str, ...], list[str]] = {
    ("addresses",): ["addresses"],
    ("deploy",): ["deploy", "--only", "IdentityRegistry"],
    ("devnet", "start"): ["devnet", "start"],
    ("devnet", "status"): ["devnet", "status"],
    ("devnet", "stop"): ["devnet", "stop"],
    ("devnet", "reset"): ["devnet", "reset", "--yes"],
    ("devnet", "url"): ["devnet", "url"],
    ("devnet", "faucet"): ["devnet", "faucet", A[9], "--eth", "1", "--usd", "10", "--wbtc", "0.01"],
    ("agents", "register"): ["agents", "register", f"{TMP}/one-agent.json", "--no-progress"],
    ("agents", "rate"): ["agents", "rate", "--generate", "3", "--clients", "2", "--agents", "1", "--no-progress"],
    ("agents", "rank"): ["agents", "rank", "code-review", "--trusted-clients", "0-3"],
    ("agents", "call"): ["--account-index", "3", "agents", "call", "1", "summarize"],
    ("agents", "serve"): ["agents", "serve", "1"],
    ("agents", "give"): ["--account-index", "4", "agents", "give", "1", "87", "--tag1", "starred"],
    ("agents", "revoke"): ["--account-index", "3", "agents", "revoke", "1", "1"],
    ("agents", "respond"): ["agents", "respond", "1", A[3], "1", "ipfs://answer"],
    ("agents", "reputation"): ["agents", "reputation", "1", "--all-clients"],
    ("agents", "show"): ["agents", "show", "1"],
    ("agents", "set-uri"): ["agents", "set-uri", "1", "ipfs://bafy-new"],
    ("agents", "set-metadata"): ["agents", "set-metadata", "1", "colour", "blue"],
    ("agents", "wallet-approval"): ["agents", "wallet-approval", "1", A[8]],
    ("agents", "set-wallet"): ["agents", "set-wallet", "1", "--wallet-key-env", "WALLET8"],
    ("agents", "unset-wallet"): ["--account-index", "1", "agents", "unset-wallet", "2"],
    ("validations", "request"): ["validations", "request", "1", A[5], "--payload", '{"job": 2}'],
    ("validations", "show"): ["validations", "show", "1", H],
    ("validations", "list"): ["validations", "list", "1"],
    ("validate",): ["--account-index", "5", "validate", "--once"],
    ("simulate",): ["simulate", "--days", "3"],
    ("demo",): ["demo", "--no-progress", "--out-dir", f"{TMP}/reports"],
    ("relay", "deploy"): ["relay", "deploy", "--proof-length", "9"],
    ("relay", "sync"): ["relay", "sync", "--headers", "examples/bitcoin/headers_554390-554408_retarget.json", "--anchor"],
    ("relay", "status"): ["relay", "status"],
    ("relay", "prove-reward"): ["relay", "prove-reward", "examples/bitcoin/coinbase_774142.json"],
    ("index", "show"): ["index", "show"],
    ("index", "deploy"): ["index", "deploy", "--first-period", "3850"],
    # the vault, in its sale (`cli_world.open_vault_term`): account 2 holds shares and TestUSD,
    # account 6 is the operator agent's wallet (with TestWBTC beyond its bond); LATER: the vault four
    # days into its term (epoch 0 attested by a quorum, 1 funded unattested, 2 reported, 3 ended);
    # END: the term over, its one epoch settled
    ("vault", "status"): ["vault", "status"],
    ("vault", "buy"): ["--account-index", "2", "vault", "buy", "--ths", "1"],
    ("vault", "report"): [LATER, "--account-index", "6", "vault", "report", "--epoch", "3", "--delivered-ths", "10", "--gross-sats", "1000"],
    ("vault", "fund"): [LATER, "--account-index", "6", "vault", "fund", "--epoch", "2"],
    ("vault", "claim"): ["--account-index", "2", "vault", "claim"],  # nothing streamed yet: says so, sends nothing
    ("vault", "settle-due"): ["vault", "settle-due"],  # nothing due: says so, sends nothing
    ("vault", "record"): ["vault", "record", "0"],
    ("vault", "finalize"): [LATER, "vault", "finalize", "0"],
    ("vault", "bond", "status"): ["vault", "bond", "status"],
    ("vault", "bond", "post"): ["--account-index", "6", "vault", "bond", "post", "--sats", "1000"],
    ("vault", "bond", "withdraw"): [END, "--account-index", "6", "vault", "bond", "withdraw"],
}
# A parameter judged on another base (a rows file replaces --generate).
BASE_FOR = {("agents", "rate", "path"): ["agents", "rate", "--no-progress"]}
# Commands whose base invocation is not run by the positive test (it would stop the module's
# devnet, run the whole demo, or serve until stopped: `tests/e2e/test_devnet_story.py`, test_demo.py and
# test_payments_cli.py run them).
NOT_RUN = {("agents", "call"), ("agents", "serve"), ("devnet", "stop"), ("devnet", "reset"), ("demo",), ("index", "show"), ("index", "deploy"), ("relay", "prove-reward")}  # the last three: test_bitcoin_cli.py (an index, an anchored relay, a proof's headers)
# Commands that never reach a node (no "node down" / "wrong chain" case).
OFFLINE = {("simulate",), ("devnet", "stop"), ("devnet", "status"), ("devnet", "reset"), ("devnet", "url")}

# Bad values of parameters whose type does not carry them (plain strings, files by content).
BY_NAME: dict[str, list[tuple[str, str]]] = {
    "rpc": [("not-local", "https://rpc.example.org:8545"), ("not-a-url", "notaurl"), ("ftp", "ftp://rpc.example.org")],  # only the devnet commands judge it; others: node down below
    "key_env": [("unset-variable", "HASHTRUST_NO_SUCH_KEY_VAR"), ("not-a-key", "HASHTRUST_BAD_KEY")],
    "agent_ids": [("not-ids", "1,x"), ("zero", "0"), ("huge", str(2**200))],
    "check_spec": [("no-colon", "nocolon"), ("no-module", "no_such_module_xyz:check"), ("missing-file", f"{TMP}/nope.py:check")],
    "wallet_key_env": [("unset-variable", "HASHTRUST_NO_SUCH_KEY_VAR"), ("not-a-key", "HASHTRUST_BAD_KEY")],
    "key": [("bad-chars", "no spaces!")],
    "payload": [("not-json", "{job"), ("nan", "NaN-")],
    "path": [("agents-not-json", f"{TMP}/broken.json"), ("active-yes", f"{TMP}/active-yes.json"), ("x402-one", f"{TMP}/x402-one.json"),
             ("not-utf8", f"{TMP}/latin1.json")],
    "out_dir": [("a-file", f"{TMP}/one-agent.json")],
    "only": [("unknown-contract", "NoSuchRegistry")],
    "capability": [],  # any non-empty text up to 64 bytes is a capability (its Text type covers the rest)
    "bitcoin_rpc": [("not-a-url", "bitcoind"), ("node-down", "http://127.0.0.1:1")],
    "network": [("unknown-network", "testnet7")],
    "name": [("empty", ""), ("unknown", "NoSuchRelay")],
    "headers_file": [("not-json", f"{TMP}/broken.json")],
    "file": [("not-json", f"{TMP}/broken.json")],
    "client_keys": [("missing-file", f"{TMP}/no-such.keys"), ("not-keys", f"{TMP}/broken.json"), ("a-folder", TMP)],
    "files_from": [("a-file", f"{TMP}/one-agent.json")],
    "body": [("missing-file", f"@{TMP}/no-such-body.json"), ("not-json", "{bad"), ("file-not-json", f"@{TMP}/broken.json"), ("file-not-utf8", f"@{TMP}/latin1.json")],
    "receipt_path": [("taken", f"{TMP}/one-agent.json")],  # an existing receipt is never overwritten without --overwrite-receipt
    "facilitator_url": [("not-a-url", "ftp://facilitator.example")],
    "handler_spec": [("no-colon", "nocolon"), ("no-module", "no_such_module_xyz:handle"), ("missing-file", f"{TMP}/nope.py:handle")],
    "feedback_dir": [("a-file", f"{TMP}/one-agent.json")],  # (without --paid-call: refused as applying only with it)
    "delivered_ths": [("wrong-type", "abc"), ("negative", "-1"), ("nan", "nan"), ("inf", "inf"), ("too-fine", "1e-19"), ("empty", ""), ("huge", "9" * 90)],
    "report_hash": [("short", "0x1234"), ("not-hex", "zz" * 32), ("long", "0x" + "11" * 33)],
}
# Parameters that take no value, or whose every value is valid.
NO_BAD_VALUE = {"help", "debug", "as_json", "no_progress", "fresh", "yes", "progressive", "once", "all_clients", "submit", "anchor", "answer_cancelled", "allow_http", "allow_loopback", "keep_authorization", "overwrite_receipt", "up_to"}


# ... and where one name means different things in different commands.
BY_COMMAND: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("relay", "deploy", "name"): [("empty", "")],  # any other name is a new relay's
    ("vault", "report", "uri"): [("oversized", "x" * 257)],  # the vault keeps a String[256]
    ("vault", "buy", "ths"): [("wrong-type", "abc"), ("negative", "-5"), ("zero", "0"), ("nan", "nan"), ("inf", "inf"), ("too-fine", "1e-19"),
                              ("empty", ""), ("over-capacity", "20000"), ("huge", "9" * 90)],
}


def bad_values(p: click.Parameter, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(label, value) pairs that must be refused, from the parameter's type and name."""
    t = p.type
    by_command = BY_COMMAND.get((*path, p.name or ""))
    out: list[tuple[str, str]] = list(by_command if by_command is not None else BY_NAME.get(p.name or "", []))
    if isinstance(t, Number):
        out += [("wrong-type", "abc"), ("nan", "nan"), ("inf", "inf"), ("minus-inf", "-inf")]
        if t.kind is int:
            out += [("fraction", "1.5")]
        if t.lo is not None:
            out += [("below-range", str(t.lo if t.lo_open else t.lo - 1))]
            if t.lo >= 0:
                out += [("negative", "-5")]
            if t.lo > 0 or t.lo_open:
                out += [("zero", "0")]
        out += [("huge", "9" * 90)]
    elif isinstance(t, Address):
        out += [("short", "0x1234"), ("not-hex", "0x" + "zz" * 20), ("word", "alice")]
        out += [("bad-checksum", "0x90F79bf6EB2c4f870365E785982E1f101E93b907")]  # a typo of Anvil account 3 (mixed case)
        if not t.allow_zero:
            out += [("zero-address", "0x" + "00" * 20)]
    elif isinstance(t, Hex32):
        out += [("short", "0x1234"), ("not-hex", "zz" * 32), ("long", "0x" + "11" * 33)]
        if t.nonzero:
            out += [("zero", "0x" + "00" * 32)]
    elif isinstance(t, HexBytes):
        out += [("no-0x", "1234"), ("not-hex", "0xzz"), ("empty", "0x")]
        if t.max_len:
            out += [("oversized", "0x" + "11" * (t.max_len + 1))]
    elif isinstance(t, Text):
        out += [("oversized", "x" * (t.limit + 1))]
        if t.nonempty:
            out += [("empty", "")]
    elif isinstance(t, IndexList):
        out += [("wrong-type", "abc"), ("backwards", "5-1"), ("too-many", "0-100000"), ("empty", ","), ("negative", "-3")]
    elif isinstance(t, click.Path):
        out += [("missing-file", f"{TMP}/no-such-file.json")] if t.exists else []
        out += [("a-folder", TMP)] if not t.dir_okay else []
    elif isinstance(t, (click.types.IntParamType, click.types.FloatParamType)):  # click's own (other engineers' commands)
        out += [("wrong-type", "abc"), ("negative", "-5"), ("huge", "9" * 90)]
        out += [("fraction", "1.5")] if isinstance(t, click.types.IntParamType) else [("nan", "nan"), ("inf", "inf")]
        if isinstance(t, click.IntRange) and t.min is not None:
            out += [("below-range", str(t.min - 1))]
    elif isinstance(t, click.Choice):
        out += [("not-a-choice", "nope")]
    return out


def _walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, path)
        else:
            yield path, cmd


COMMANDS = [(path, cmd) for path, cmd in _walk(main) if not any(path[: len(g)] == g for g in SKIP_GROUPS)]
GLOBAL = {p.name: p for p in main.params}


def _with_value(base: list[str], path: tuple[str, ...], p: click.Parameter, value: str) -> list[str]:
    """``base`` with parameter ``p`` set to ``value`` (replaced when present, else added). The
    base invocations put a command's arguments right after its name, before any option."""
    args = list(base)
    if isinstance(p, click.Argument):
        cmd = dict(COMMANDS)[path]
        i = [q.name for q in cmd.params if isinstance(q, click.Argument)].index(p.name)
        start = max(k for k in range(len(args)) if args[k] == path[-1] and args[k - len(path) + 1 : k + 1] == list(path)) + 1
        args[start + i] = value
        return args
    flag = p.opts[0]
    if flag in args:
        args[args.index(flag) + 1] = value
        return args
    if p.name in GLOBAL:
        return [flag, value, *args]
    return [*args, flag, value]


def _cases():
    out = []
    for path, cmd in COMMANDS:
        base = BASE[path]
        params = [p for p in cmd.params if p.name not in NO_BAD_VALUE]
        if path[0] in ("devnet",) or path == ("agents", "give"):  # (the faucet judges the chain it reaches, not the URL: node down below)
            params += [GLOBAL["rpc"]] if path[0] == "devnet" and path != ("devnet", "faucet") else [GLOBAL["key_env"], GLOBAL["account_index"]]
        for p in params:
            for label, value in bad_values(p, path):
                if p.name == "rpc" and path[0] != "devnet":
                    continue
                b = BASE_FOR.get((*path, p.name), base)
                out.append(("-".join(path) + f"/{p.name}={label}", path, _with_value(b, path, p, value)))
        if path not in OFFLINE:
            out.append(("-".join(path) + "/node-down", path, ["--rpc", DEAD_RPC, *base]))
            out.append(("-".join(path) + "/wrong-chain", path, ["--rpc", "{WRONG}", *base]))
    # unknown ids: an agent that does not exist, a feedback that was never given, a request never made
    unknown = {
        ("agents", "give"): ["--account-index", "4", "agents", "give", "999999", "87"],
        ("agents", "revoke"): ["--account-index", "3", "agents", "revoke", "1", "99"],
        ("agents", "revoke") + ("other-client",): ["--account-index", "4", "agents", "revoke", "1", "1"],
        ("agents", "respond"): ["agents", "respond", "1", A[3], "99", "ipfs://answer"],
        ("agents", "reputation"): ["agents", "reputation", "999999", "--all-clients"],
        ("agents", "show"): ["agents", "show", "999999"],
        ("agents", "set-uri"): ["agents", "set-uri", "999999", "ipfs://x"],
        ("agents", "set-uri") + ("not-owner",): ["--account-index", "4", "agents", "set-uri", "1", "ipfs://x"],
        ("agents", "set-metadata"): ["agents", "set-metadata", "999999", "k", "v"],
        ("agents", "set-metadata") + ("reserved-key",): ["agents", "set-metadata", "1", "agentWallet", "v"],
        ("agents", "wallet-approval"): ["agents", "wallet-approval", "999999", A[8]],
        ("agents", "set-wallet"): ["agents", "set-wallet", "999999", "--wallet-key-env", "WALLET8"],
        ("agents", "set-wallet") + ("expired",): ["agents", "set-wallet", "1", "--wallet", A[8], "--deadline", "1", "--signature", "0x" + "11" * 65],
        ("agents", "set-wallet") + ("no-proof",): ["agents", "set-wallet", "1", "--wallet", A[8]],
        ("agents", "unset-wallet"): ["agents", "unset-wallet", "999999"],
        ("agents", "give") + ("self-feedback",): ["agents", "give", "1", "87"],
        ("agents", "give") + ("wallet-self-feedback",): ["--account-index", "6", "agents", "give", "2", "87"],
        ("agents", "give") + ("too-many-decimals",): ["--account-index", "4", "agents", "give", "1", "0.0000000000000000001"],
        ("agents", "rate") + ("unknown-agent",): ["agents", "rate", "--generate", "3", "--agents", "999999", "--no-progress"],
        ("agents", "rate") + ("both-sources",): ["agents", "rate", "--generate", "3", "--file", f"{TMP}/one-agent.json"],
        ("agents", "rate") + ("no-source",): ["agents", "rate"],
        ("agents", "rate") + ("paid-call-and-generate",): ["agents", "rate", "--generate", "3", "--paid-call", f"{TMP}/one-agent.json"],
        ("agents", "call"): ["--account-index", "3", "agents", "call", "999999", "summarize"],
        ("agents", "rank") + ("no-trusted",): ["agents", "rank", "code-review"],
        ("agents", "reputation") + ("no-clients",): ["agents", "reputation", "1"],
        ("agents", "reputation") + ("clients-and-all",): ["agents", "reputation", "1", "--all-clients", "--client", A[3]],
        ("agents", "register") + ("key-with-list",): ["agents", "register", "examples/agents.json", "--key", "x"],
        ("validations", "request"): ["validations", "request", "999999", A[5], "--payload", "{}"],
        ("validations", "request") + ("not-owner",): ["--account-index", "4", "validations", "request", "1", A[5], "--payload", "{}"],
        ("validations", "request") + ("no-payload",): ["validations", "request", "1", A[5]],
        ("validations", "show"): ["validations", "show", "1", "0x" + "42" * 32],
        ("validations", "show") + ("unknown-agent",): ["validations", "show", "999999", H],
        ("validations", "list"): ["validations", "list", "999999"],
        ("devnet", "start") + ("other-port",): ["--rpc", "{OTHERPORT}", "devnet", "start"],
        ("devnet", "reset") + ("unconfirmed",): ["devnet", "reset"],
        ("devnet", "faucet") + ("too-many-decimals",): ["devnet", "faucet", A[9], "--wbtc", "0.000000001"],
        ("devnet", "faucet") + ("nothing-asked",): ["devnet", "faucet", A[9], "--eth", "0", "--usd", "0", "--wbtc", "0"],
        ("deploy",) + ("no-key-on-real-chain",): ["--rpc", "{WRONG}", "deploy"],
        # a --rpc that is not an http(s) URL, for commands that connect (issue 15, item 9)
        ("addresses",) + ("rpc-not-a-url",): ["--rpc", "notaurl", "addresses"],
        ("agents", "show") + ("rpc-ftp",): ["--rpc", "ftp://rpc.example.org", "agents", "show", "1"],
        ("agents", "give") + ("rpc-no-host",): ["--rpc", "http://", "--account-index", "4", "agents", "give", "1", "87"],
        ("validations", "request") + ("payload-too-large",): ["validations", "request", "1", A[5], "--payload", json.dumps({"blob": "x" * 20_000})],
        # the vault: epochs outside its 365-day term, and the right command in the wrong state
        ("vault", "record") + ("outside-term",): ["vault", "record", "365"],
        ("vault", "finalize") + ("outside-term",): ["vault", "finalize", "365"],
        ("vault", "finalize") + ("unreported",): ["vault", "finalize", "0"],
        ("vault", "finalize") + ("no-attestations",): [LATER, "vault", "finalize", "1"],
        ("vault", "finalize") + ("not-funded",): [LATER, "vault", "finalize", "2"],
        ("vault", "report") + ("outside-term",): ["--account-index", "6", "vault", "report", "--epoch", "365", "--delivered-ths", "10", "--gross-sats", "1000"],
        ("vault", "report") + ("not-ended",): ["--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "10", "--gross-sats", "1000"],
        ("vault", "report") + ("file-and-hash",): ["--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "10", "--gross-sats", "1000",
                                                   "--report-file", f"{TMP}/one-agent.json", "--report-hash", "0x" + "11" * 32],
        ("vault", "fund") + ("unreported",): ["--account-index", "6", "vault", "fund", "--epoch", "0"],
        ("vault", "fund") + ("outside-term",): ["--account-index", "6", "vault", "fund", "--epoch", "365"],
        ("vault", "fund") + ("ended-unreported",): [LATER, "--account-index", "6", "vault", "fund", "--epoch", "3"],
        ("vault", "fund") + ("running-epoch",): [LATER, "--account-index", "6", "vault", "fund", "--epoch", "4"],
        ("vault", "fund") + ("not-operator",): [LATER, "--account-index", "2", "vault", "fund", "--epoch", "2"],
        ("vault", "report") + ("running-epoch",): [LATER, "--account-index", "6", "vault", "report", "--epoch", "4", "--delivered-ths", "10", "--gross-sats", "1000"],
        ("vault", "report") + ("not-operator",): [LATER, "--account-index", "2", "vault", "report", "--epoch", "3", "--delivered-ths", "10", "--gross-sats", "1000"],
        ("vault", "report") + ("over-sold",): [LATER, "--account-index", "6", "vault", "report", "--epoch", "3", "--delivered-ths", "10.5", "--gross-sats", "1000"],
        # bad input is refused also when the epoch is reported already (not "already funded", exit 0)
        ("vault", "report") + ("reported-bad-hash",): [LATER, "--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "10", "--gross-sats", "1000",
                                                       "--report-hash", "0x1234"],
        ("vault", "report") + ("reported-bad-ths",): [LATER, "--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "ten", "--gross-sats", "1000"],
        ("vault", "report") + ("reported-long-uri",): [LATER, "--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "10", "--gross-sats", "1000",
                                                       "--uri", "x" * 257],
        ("vault", "buy") + ("sale-over",): [LATER, "--account-index", "2", "vault", "buy", "--ths", "1"],
        # not errors (docs/cli.md): claim with nothing claimable, settle-due with nothing due, and report,
        # fund or finalize of an epoch already past that step say so and send nothing (the bases run them)
        ("vault", "claim") + ("for-and-to",): [LATER, "vault", "claim", "--for", A[2], "--to", A[3]],  # --to is the caller's own rewards only
        ("vault", "bond", "withdraw") + ("term-running",): [LATER, "--account-index", "6", "vault", "bond", "withdraw"],
        ("vault", "bond", "withdraw") + ("ended-not-operator",): [END, "--account-index", "2", "vault", "bond", "withdraw"],
        ("vault", "report") + ("past-deadline",): [END, "--account-index", "6", "vault", "report", "--epoch", "0", "--delivered-ths", "10", "--gross-sats", "1000"],
        ("vault", "fund") + ("settled",): [END, "--account-index", "6", "vault", "fund", "--epoch", "0"],
        ("vault", "bond", "post") + ("more-than-held",): ["--account-index", "6", "vault", "bond", "post", "--sats", str(10**12)],
        ("vault", "bond", "withdraw") + ("during-term",): ["--account-index", "6", "vault", "bond", "withdraw"],
        ("vault", "bond", "withdraw") + ("not-operator",): ["--account-index", "2", "vault", "bond", "withdraw"],
        ("vault", "bond", "post") + ("no-wbtc",): ["--account-index", "3", "vault", "bond", "post", "--sats", "1000"],
        ("vault", "buy") + ("no-usd",): ["--account-index", "3", "vault", "buy", "--ths", "1"],
        ("vault", "buy") + ("max-payment-below-price",): ["--account-index", "2", "vault", "buy", "--ths", "1", "--max-payment", "1"],
    }
    for key, args in unknown.items():
        path = key[:3] if key[:2] == ("vault", "bond") else key[:2] if key[0] in ("agents", "validations", "devnet", "vault") else key[:1]
        out.append(("-".join(key) + "/unknown", path, args))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli-errors")
    wd = build_world(tmp, free_port(), vault=True)
    import subprocess

    wrong_port = free_port()
    proc = subprocess.Popen([devnet.anvil_binary(), "--port", str(wrong_port), "--chain-id", "11155111"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while devnet.chain_id(wrong_port) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    (tmp / "one-agent.json").write_text(json.dumps({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "Gamma",
                                                    "description": "gamma", "services": [{"name": "A2A", "endpoint": "https://g.example"}]}))
    (tmp / "broken.json").write_text('{"agents": [')
    (tmp / "latin1.json").write_bytes('{"agents": [{"key": "cafe", "name": "Caf\u00e9"}]}'.encode("latin-1"))  # not UTF-8
    (tmp / "active-yes.json").write_text(json.dumps({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "G", "description": "g",
                                                     "services": [{"name": "A2A", "endpoint": "https://g.example"}], "active": "yes"}))
    (tmp / "x402-one.json").write_text(json.dumps({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "G", "description": "g",
                                                   "services": [{"name": "A2A", "endpoint": "https://g.example"}], "x402Support": 1}))
    wd.cli.env.update({"WALLET8": devnet_key(8), "HASHTRUST_BAD_KEY": "0x1234"})
    wd.tmp = tmp
    wd.wrong_rpc = devnet.url(wrong_port)
    wd.other_port_rpc = devnet.url(free_port())
    try:
        yield wd
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stop_world(wd)


def _fill(world, args: list[str]) -> list[str]:
    return [a.replace(H, "0x" + world.h.hex()).replace(TMP, str(world.tmp)).replace("{WRONG}", world.wrong_rpc).replace("{OTHERPORT}", world.other_port_rpc)
            for a in args if a not in PHASES]


def _run(world, args: list[str]):
    """Run ``args`` (filled), against another address book of the world when they name one (`PHASES`)."""
    phase = next((PHASES[a] for a in args if a in PHASES), None)
    return world.cli(*_fill(world, args), env=world.env_for(phase) if phase else None)


def test_every_parameter_is_covered():
    """Each parameter of each command has bad values (from its type or `BY_NAME`) or is listed
    as taking none; each command has a base invocation."""
    missing = []
    for path, cmd in COMMANDS:
        assert path in BASE, f"no base invocation for `hashtrust {' '.join(path)}`"
        for p in cmd.params:
            if p.name not in NO_BAD_VALUE and p.name not in BY_NAME and not bad_values(p, path):
                missing.append(f"{' '.join(path)} {p.name}")
    assert not missing, f"parameters without bad values: {missing}"


@pytest.mark.parametrize("case_id, path, args", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_error_line_and_sends_nothing(world, case_id, path, args):
    before = world.state()
    t0 = time.monotonic()
    r = _run(world, args)  # a --rpc in args comes after the world's and wins
    elapsed = time.monotonic() - t0
    assert r.code != 0, r.out
    assert "Traceback" not in r.out, r.out
    assert len(r.errors) == 1, r.out
    assert world.state() == before, f"a transaction was sent: {r.out}"
    assert elapsed < 30, f"{case_id} took {elapsed:.0f} s to refuse"


def test_settle_due_after_the_term_moves_the_cursors_bond_withdraw_waits_for(world):
    """After the term, with its epoch settled but the attest cursor behind, `vault settle-due` is
    not "nothing due; nothing sent" (`vault bond withdraw` said "run settle-due first": a dead
    end); it moves the cursors, once. Runs before the bases (`bond withdraw`'s runs it again: nothing sent)."""
    before = world.state()
    r = _run(world, [END, "vault", "settle-due"])
    assert r.code == 0 and "cursors moved to epoch 1 of 1" in r.out, r.out
    assert world.state() != before
    again = world.state()
    r = _run(world, [END, "vault", "settle-due"])
    assert r.code == 0 and "nothing sent" in r.out and world.state() == again, r.out


# What a base invocation needs done first, run by its own test (idempotent), so that any selection
# of the bases (`-k vault`) passes on its own: bond withdraw waits for the cursors settle-due moves.
BASE_NEEDS = {("vault", "bond", "withdraw"): [END, "vault", "settle-due"]}


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS if p not in NOT_RUN], ids=lambda p: "-".join(p))
def test_every_command_works_with_its_base_invocation(world, path):
    if path in BASE_NEEDS:
        first = _run(world, BASE_NEEDS[path])
        assert first.code == 0 and not first.errors, first.out
    r = _run(world, BASE[path])
    assert r.code == 0, r.out
    assert not r.errors, r.out


def test_the_matrix_size():
    """The matrix is as large as the commands make it (printed for docs/reliability.md)."""
    print(f"\nCLI bad-input matrix: {len(CASES)} cases over {len(COMMANDS)} commands")
    assert len(CASES) > 300


def _dump(world, path):  # pragma: no cover - a debugging aid: HASHTRUST_DUMP_ERRORS=file
    with open(path, "w") as f:
        for case_id, _, args in CASES:
            r = _run(world, args)
            f.write(f"{case_id}: {r.errors[0] if r.errors else r.out[:200]}\n")


def test_dump_error_lines(world):
    import os

    if os.environ.get("HASHTRUST_DUMP_ERRORS"):
        _dump(world, os.environ["HASHTRUST_DUMP_ERRORS"])
