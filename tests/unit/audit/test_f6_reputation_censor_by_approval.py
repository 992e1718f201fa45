"""F6 (accepted, spec rule, info): an agent's owner can refuse one critic's feedback by making the
critic an "approved operator" for the length of the critic's transaction.

ERC-8004 bars the owner and its approved operators from giving feedback, and approving needs no
consent of the approved address. An owner who sees a critic's `giveFeedback` in the public mempool
can bundle `approve(critic, agent)` before it and `approve(0, agent)` after it: the critic's
transaction reverts "reputation: self-feedback not allowed". Outside such a bundle it is costly:
while approved, the critic may transfer the agent to itself.

Not fixed: the rule is the spec's (the reference has it too) and any weaker rule lets the owner's
own operators rate the agent. Asserted: the censorship lasts only while the approval does, and
past feedback of the critic cannot be touched by it (it stays counted, only its giver revokes it).
"""

import boa
from audit_env import NO_HASH, deploy, give, register


def test_f6_approval_blocks_the_critic_only_while_it_lasts():
    ident, rep, _ = deploy()
    owner, critic = boa.env.generate_address("owner"), boa.env.generate_address("critic")
    agent = register(ident, owner)
    give(rep, critic, agent, value=5)
    with boa.env.prank(owner):
        ident.approve(critic, agent)  # the front half of the sandwich
    with boa.reverts("reputation: self-feedback not allowed"):
        give(rep, critic, agent, value=1)
    # while approved the critic could take the agent: the owner must revoke at once
    assert ident.isAuthorizedOrOwner(critic, agent)
    with boa.env.prank(owner):
        ident.approve("0x" + "00" * 20, agent)  # the back half
    give(rep, critic, agent, value=1)
    assert rep.getSummary(agent, [critic], "", "") == (2, 3, 0)
    assert rep.getLastIndex(agent, critic) == 2
