"""Issue 16 item 4: the economics simulator (`hashtrust.hashrate.economics`) computes the same index
pricing as `VaultTrust` and agrees with it to the sat on the same inputs: days published to the real
devnet index (`DevHashpriceIndex`, from `economics.index_inputs`), some days left late, every epoch's
`expected_unreported`, its settlement, the FPPS figure of the gross check and `required_bond`."""

import boa
import pytest
from trust_kit import BTC_USD, CAPACITY, DAY, N_EPOCHS, SUPPLY, TH, events, load, split

from hashtrust.hashrate import economics as ec

DIFFICULTY, SPB = 150 * 10**12, 315_000_000


def _dev_index(owner):
    old = boa.env.evm.patch.chain_id
    try:
        boa.env.evm.patch.chain_id = 31337  # DevHashpriceIndex refuses any other chain
        with boa.env.prank(owner):
            return load("DevHashpriceIndex")
    finally:
        boa.env.evm.patch.chain_id = old


def test_dev_index_refused_off_devnet(kit):
    with boa.reverts("dev index: only on a local devnet (chain id 31337 or 1337)"):
        load("DevHashpriceIndex")


# difficulty 140e12: values above the binding 42,244 (late days take the latest); 170e12: below it
# (late days take the binding floor, final days their own lower value)
@pytest.mark.parametrize("seed, published, difficulty", [(0, 11, 140e12), (1, 6, 140e12), (2, 0, 140e12), (3, 4, 170e12), (4, 7, 170e12)])
def test_simulator_agrees_with_the_trust_to_the_sat(kit, seed, published, difficulty):
    idx = _dev_index(kit.admin)
    kit.index = idx
    t = kit.open(bond=10**10, pool_fee_bps=200)
    binding = ec.binding_value(DIFFICULTY, SPB)
    assert t.HP_BINDING() == binding
    ts = kit.vault.TERM_START()
    d_first = ts // DAY
    days = ec.random_days(N_EPOCHS + 2, seed, difficulty=difficulty)
    index: dict[int, int] = {}
    with boa.env.prank(kit.admin):
        for i in range(published):  # the rest stays late: the late rule prices them
            index[d_first + i] = idx.publish(d_first + i, *ec.index_inputs(days[i]))
    assert index == {d: ec.index_msat_per_th_day(days[d - d_first]) for d in index}
    latest = index[max(index)] if index else 0
    if published and difficulty > 150e12:
        assert latest < binding  # the floor bites on the late days
    assert t.required_bond() == ec.required_bond_at_index(CAPACITY, 7, binding, latest)

    # epoch 0 finalised at full delivery with the binding gross: the gross check's F, to the sat
    net0 = kit.funded_attested(t, 0, SUPPLY, 4_224)
    assert t.finalize_epoch(0) == 2
    d0, v0, v1, final, w = ec.epoch_index_weight(ts, 0, index, binding)
    assert t.epoch_value(0) == (d0, v0, v1, final)
    fpps = ec.fpps_expected_gross(SUPPLY, w, 200)
    short = max(0, split(SUPPLY, fpps, BTC_USD)[2] - net0) if final else 0  # checked at final days only (audit11 M1)
    assert kit.vault.do_settle(0, True) == short
    checked = events(kit.vault, "GrossChecked")
    assert [(gc.expected, gc.shortfall) for gc in checked] == ([(fpps, short)] if final else [])

    for e in range(1, N_EPOCHS):
        d0, v0, v1, final, w = ec.epoch_index_weight(ts, e, index, binding)
        want = ec.expected_unreported_at_index(SUPPLY, w, 1_000)
        assert t.epoch_value(e) == (d0, v0, v1, final)
        assert t.expected_unreported(e) == want
        assert kit.vault.do_settle(e, True) == want
        assert t.record(e).owed == want
