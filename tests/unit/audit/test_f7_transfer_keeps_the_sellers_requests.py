"""F7 (accepted by design, info): what stays attached to an agent when its NFT is sold.

The seller can leave validation requests naming a validator it colludes with; after the sale the
validator may answer them (e.g. 0, progressively, until it finalises) and those answers count in
the agent's unfiltered `getSummary`. The buyer's cancel does not stop them: by design no action of
the agent's owners can prevent or remove a named validator's answer (docs/validation.md, notice
item 4), which is what stops an owner from racing away an unfavourable answer. Metadata keys the
seller set (other than agentWallet, which a transfer clears) stay too, as in the reference.

Not fixed (design; spec behaviour for metadata). Asserted: everything a buyer needs to see it
before buying is readable (the request list and each record's state), readers who filter by the
validators they trust are unaffected, and the seller loses every right over the agent.
"""

import boa
from audit_env import NO_HASH, deploy, register
from eth_utils import keccak

PENDING, ANSWERED, CANCELLED = 1, 2, 4


def test_f7_seller_planted_request_is_visible_before_and_answerable_after_the_sale():
    ident, _, val = deploy()
    seller, buyer = boa.env.generate_address("seller"), boa.env.generate_address("buyer")
    colluder, honest = boa.env.generate_address("colluder"), boa.env.generate_address("honest")
    agent = register(ident, seller)
    planted, good = keccak(b"planted"), keccak(b"good")
    with boa.env.prank(seller):
        ident.setMetadata(agent, "payout", b"seller-account")
        val.validationRequest(colluder, agent, "", planted)
        val.validationRequest(honest, agent, "", good)
    val.validationResponse(good, 100, "", NO_HASH, "", sender=honest)
    # before buying, the buyer can see the pending request and who may answer it
    assert list(val.getAgentValidations(agent)) == [planted, good]
    assert val.getAttestation(agent, planted)[:2] == (PENDING, colluder)
    with boa.env.prank(seller):
        ident.transferFrom(seller, buyer, agent)
    assert ident.getMetadata(agent, "payout") == b"seller-account"  # stays, as in the reference
    assert ident.getAgentWallet(agent) == "0x" + "00" * 20
    # the seller lost every right; the buyer's cancel is a notice, not an eraser
    with boa.env.prank(seller):
        with boa.reverts("validation: not authorized"):
            val.cancelValidation(agent, planted)
    with boa.env.prank(buyer):
        val.cancelValidation(agent, planted)
    val.validationResponse(planted, 0, "", NO_HASH, "", sender=colluder)
    assert val.getAttestation(agent, planted)[:3] == (ANSWERED, colluder, 0)
    assert val.isCancelled(agent, planted)
    assert val.getSummary(agent, [], "") == (2, 50)  # unfiltered: the planted 0 counts
    assert val.getSummary(agent, [honest], "") == (1, 100)  # readers pick their validators
