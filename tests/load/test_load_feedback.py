"""The load run (`make load`): 10,000 feedbacks against one agent from 1,000 clients on Anvil.

Story: carol runs one popular agent. 1,000 client accounts rate it ten times each through the
real bulk script (`ape run rate_agents --file rows.json`, funded by the devnet account 0). Then
every read a consumer would make is checked against the node's default eth_call gas cap
(50,000,000 on Anvil) with eth_estimateGas *and* answered: all client pages, every page of all
10,000 feedbacks (the deepest page included), summaries over 100 clients with and without a
tag filter, over the maximum 256 clients with a tag filter, and the refusal of an unbounded
read that would be too large. The script's peak RSS (RUSAGE_CHILDREN, the script is the only
child that ran) must stay bounded, and the chain must hold exactly the 10,000 rows, each once.

Figures (rate, gas of each read family, peak RSS) are printed (-s) and written to
``.build/load-report.json``.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import NEW_FEEDBACK_TOPIC, client_signer
from hashtrust.erc8004.reputation import ReputationClient

ROOT = Path(__file__).resolve().parents[2]
N_CLIENTS = int(os.environ.get("LOAD_CLIENTS", "1000"))
PER_CLIENT = int(os.environ.get("LOAD_PER_CLIENT", "10"))
GAS_CAP = 50_000_000
RSS_LIMIT_MB = 1_024
TAGS = ["uptime", "speed", "accuracy"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows() -> list[dict]:
    rows = []
    for r in range(PER_CLIENT):  # round r: every client rates once
        for k in range(N_CLIENTS):
            rows.append({"id": f"c{k}-r{r}", "client": k, "agent": 1, "value": str((k * 7 + r * 13) % 101), "tag1": TAGS[(k + r) % 3]})
    return rows


def _estimate(w3: Web3, fn) -> int:
    return w3.eth.estimate_gas({"to": fn.address, "data": fn._encode_transaction_data()})


def test_ten_thousand_feedbacks_from_a_thousand_clients(tmp_path):
    port, home, books = _free_port(), tmp_path / "devnet", tmp_path / "deployments"
    report: dict = {"clients": N_CLIENTS, "feedbacks": N_CLIENTS * PER_CLIENT}
    # a plain Anvil without --state: the devnet's periodic state dump (86 MB after ~6,500
    # feedbacks) stalled the first full run at ~4 feedbacks/s on a loaded machine. And with
    # --prune-history 64: the reads need recent states only (a bare --prune-history keeps just
    # the newest one, and an estimate at "latest" then races the next block), while Anvil
    # otherwise writes the state of every past block to ~/.foundry/anvil/tmp
    home.mkdir(parents=True)
    log = open(home / "anvil.log", "wb")  # noqa: SIM115
    anvil = subprocess.Popen([devnet.anvil_binary(), "--port", str(port), "--chain-id", "31337", "--prune-history", "64"], stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while devnet.chain_id(port) != 31337 and time.monotonic() < deadline:
            time.sleep(0.1)
        w3 = Web3(Web3.HTTPProvider(devnet.url(port), request_kwargs={"timeout": 120}))
        book = AddressBook.for_chain(w3, books)
        deploy(w3, TxSender(w3, devnet_signer(0)), book, only=["ReputationRegistry"])
        ident = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(3)))  # carol
        agent = ident.register("ipfs://carol-popular-agent")
        assert agent == 1

        rows = _rows()
        rows_file = tmp_path / "rows.json"
        rows_file.write_text(json.dumps({"rows": rows}))
        env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books), PYTHONPATH=str(ROOT / "src"))
        env.pop("APE_FOUNDRY_HOST", None)
        cmd = [str(Path(sys.executable).with_name("ape")), "run", "rate_agents", "--network", devnet.url(port), "--file", str(rows_file),
               "--window", "64", "--no-progress"]
        t0 = time.monotonic()
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=7_200)
        report["script_s"] = round(time.monotonic() - t0, 1)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        n = len(rows)
        assert f"done: {n} sent, 0 already on chain, 0 failed" in out.stdout, out.stdout[-2000:]
        report["script_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
        report["feedback_per_s"] = round(n / report["script_s"], 1)

        rep = ReputationClient.from_book(w3, book)
        fns = rep.contract.functions
        # exactly the intended feedback: 10 per client, each row once
        clients = [client_signer(k).address for k in range(N_CLIENTS)]
        logs = w3.eth.get_logs({"address": rep.address, "fromBlock": 0, "toBlock": "latest", "topics": [NEW_FEEDBACK_TOPIC]})
        assert len(logs) == n
        ev = rep.contract.events.NewFeedback()
        assert len({bytes(ev.process_log(lg)["args"]["feedbackHash"]) for lg in logs}) == n

        # -- every client page
        gas: dict[str, int] = {}
        got_clients, off = [], 0
        while off < N_CLIENTS:
            gas["getClientsPaged"] = max(gas.get("getClientsPaged", 0), _estimate(w3, fns.getClientsPaged(agent, off, 128)))
            page, total = fns.getClientsPaged(agent, off, 128).call()
            assert total == N_CLIENTS
            got_clients += page
            off += 128
        assert [Web3.to_checksum_address(a) for a in got_clients] == clients

        # -- every page of all feedback (all clients), the deepest included
        seen = 0
        for off in range(0, n, 128):
            fn = fns.readAllFeedbackPaged(agent, [], "", "", False, off, 128)
            gas["readAllFeedbackPaged(all, page)"] = max(gas.get("readAllFeedbackPaged(all, page)", 0), _estimate(w3, fn))
            res = fn.call()
            assert res[-1] == n
            seen += len(res[0])
        assert seen == n

        # -- 100 clients: pages, and summaries with and without a tag filter
        hundred = clients[:100]  # (fewer when LOAD_CLIENTS is smaller, for a smoke run)
        items = list(rep.read_all(agent, hundred))
        assert len(items) == len(hundred) * PER_CLIENT
        gas["readAllFeedbackPaged(100 clients, last page)"] = _estimate(w3, fns.readAllFeedbackPaged(agent, hundred, "", "", False, (len(items) - 1) // 128 * 128, 128))
        gas["readAllFeedbackPaged(100 clients, tag, page)"] = _estimate(w3, fns.readAllFeedbackPaged(agent, hundred, "speed", "", False, 0, 128))
        s = rep.summary(agent, hundred)
        assert s.count == len(hundred) * PER_CLIENT
        gas["getSummary(100 clients)"] = _estimate(w3, fns.getSummary(agent, hundred, "", ""))
        st = rep.summary(agent, hundred, tag1="speed")
        assert 0 < st.count < s.count
        gas["getSummary(100 clients, tag1)"] = _estimate(w3, fns.getSummary(agent, hundred, "speed", ""))
        gas["getSummary(256 clients, tag1)"] = _estimate(w3, fns.getSummary(agent, clients[:256], "speed", ""))
        assert rep.summary(agent, clients[:256], tag1="speed").count > 0
        for name, g in gas.items():
            assert g < GAS_CAP, (name, g)
        report["read_gas_max"] = gas

        # -- an unbounded read is refused with a clear pointer to the paged one
        if len(items) <= 128:  # small runs: one unpaged call still answers
            assert len(fns.readAllFeedback(agent, hundred, "", "", False).call()[0]) == len(items)
        else:
            try:
                fns.readAllFeedback(agent, hundred, "", "", False).call()
                raise AssertionError(f"{len(items)} results in one unpaged call should be refused")
            except Exception as exc:  # noqa: BLE001 - web3's ContractLogicError
                assert "use readAllFeedbackPaged" in str(exc), exc

        assert report["script_peak_rss_mb"] < RSS_LIMIT_MB, report
    finally:
        os.killpg(anvil.pid, signal.SIGKILL)
        anvil.wait()
        log.close()
        print(json.dumps(report, indent=1))
        out_dir = ROOT / ".build"
        out_dir.mkdir(exist_ok=True)
        (out_dir / "load-report.json").write_text(json.dumps(report, indent=1))
