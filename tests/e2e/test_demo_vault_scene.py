"""The demo's vault scene (`hashtrust.demo.vault.run`) on a private Anvil, without the rest of the
demo (`make demo` reinstalls the environment; this runs the scene alone).

Story: the plan is deployed and the operator agent registered (devnet account 1); the scene opens
the term with `deploy_trust` (the operator posts the required bond and tops it up to 0.2 BTC),
ten buyers buy 6,400 TH/s, and 32 shown epochs plus a 6-epoch tail are priced before their ends
(the BTC/USD feed; the simulator publishes each UTC day's hashprice index once it is over),
reported, attested by three pool watchers and finalised; epoch 19 (the outage) is never reported
and is settled at its record time by anyone's `settle_due`: the bond pays its hashprice net of the
term supply (`expected_unreported`) at its two UTC days' index, and each finalised epoch's undelivered
share; the pool pays FPPS at the index, so no gross check finds a shortfall. Every holder
claims. A second run of the scene sends nothing and reports the same figures."""

from __future__ import annotations

from private_node import private_anvil

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.demo import vault as scene
from hashtrust.demo.context import OPERATOR_KEY, OPERATOR_OWNER, DemoContext
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.hashrate.economics import binding_value, epoch_index_weight, expected_unreported_at_index, index_msat_per_th_day
from hashtrust.hashrate.vault import TH, HashrateVaultClient


def test_the_demo_vault_scene_settles_the_outage_at_its_record_time_and_reruns_idle(tmp_path):
    with private_anvil(tmp_path / "devnet") as (_url, w3):
        admin = TxSender(w3, devnet_signer(0))
        book = AddressBook(w3.eth.chain_id, tmp_path / "book")
        deploy(w3, admin, book)
        op_id = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(OPERATOR_OWNER))).register("ipfs://operator")
        out = tmp_path / "out"
        out.mkdir()
        lines: list[str] = []
        ctx = DemoContext(w3=w3, sender=admin, book=book, echo=lines.append, progress=False, out_dir=out,
                          report={"agents": {"ids": {OPERATOR_KEY: op_id}}})
        fig = scene.run(ctx)

        vault = HashrateVaultClient.from_book(w3, book)
        trust = vault.trust_client()
        assert fig["trust"] == trust.address and fig["sold_ths"] == 6_400
        assert fig["defaulted"] == [scene.OUTAGE]
        assert [e["status"] for e in fig["epochs"]].count("finalized") == scene.N_EPOCHS - 1
        rec = trust.record(scene.OUTAGE)
        # priced by the simulator's index days (published as each day ended), not the binding figures
        term_start = int(vault._view("TERM_START"))
        u0 = term_start // 86_400
        values = {u0 + k: index_msat_per_th_day(d) for k, d in enumerate(scene.market(scene.N_EPOCHS + scene.TAIL + 1))}
        day, v0, v1, final, w = epoch_index_weight(term_start, scene.OUTAGE, values, binding_value(150 * 10**12, 315_000_000))
        assert final and (v0, v1) == (values[u0 + scene.OUTAGE], values[u0 + scene.OUTAGE + 1])
        owed = expected_unreported_at_index(6_400 * TH, w, 1_000)
        assert owed != expected_unreported_at_index(6_400 * TH, binding_value(150 * 10**12, 315_000_000) * 86_400, 1_000)
        assert (rec.kind_name, rec.settled, rec.owed, rec.paid) == ("defaulted: never reported", True, owed, owed)
        # every finalised epoch settled at final index days is gross-checked (audit11 M1: only those)
        priced = {ev["args"]["epoch"]: ev["args"]["final"] for ev in trust.logs("EpochPriced")}
        checked = {ev["args"]["epoch"]: ev["args"] for ev in trust.logs("GrossChecked")}
        assert set(range(scene.N_EPOCHS)) - {scene.OUTAGE} <= set(checked) == {e for e, final in priced.items() if final and e != scene.OUTAGE}
        assert all(c["shortfall"] == 0 and c["reported"] == c["expected"] for c in checked.values())  # FPPS at the index, to the sat
        assert f"epoch {scene.OUTAGE} was never reported: settled at its record time, {rec.paid:,} sats of bond credited to its holders" in "\n".join(lines)
        assert fig["bond_sats"] == trust.bond() == scene.BOND_SATS - sum(trust.record(e).paid for e in range(scene.N_EPOCHS + scene.TAIL))
        t = fig["totals"]
        assert 0 <= t["notified_sats"] - t["claimed_sats"] <= 10 and t["notified_sats"] >= t["net_sats"] + fig["bond_paid_sats"]
        rep = fig["operator_reputation"]
        assert rep["client"] == trust.address and rep["count"] == scene.N_EPOCHS + scene.TAIL  # every epoch's record, the outage's 0 included

        nonces = {i: w3.eth.get_transaction_count(devnet_signer(i).address) for i in (0, OPERATOR_OWNER, 5, 6, 7)}
        lines.clear()
        again = scene.run(ctx)
        assert {i: w3.eth.get_transaction_count(devnet_signer(i).address) for i in nonces} == nonces
        assert again["totals"] == fig["totals"] and again["defaulted"] == fig["defaulted"]
        assert not any("never reported" in x for x in lines)
