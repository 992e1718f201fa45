"""The world the validator-agent reviews share: an identity and a validation registry, signing
clients for alice (the prover's owner), carol (the validator) and mallory (who floods it), the
prover agent and mallory's rogue agent."""

from __future__ import annotations

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import agent_uri
from hashtrust.erc8004.validation import ValidationClient

REG = {"name": "Prover", "description": "re-executes jobs", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}


def validator_world(project, w3, deployer, alice, carol, mallory) -> dict:
    idr = deployer.deploy(project.IdentityRegistry)
    val = deployer.deploy(project.ValidationRegistry, idr.address)
    senders = {k: TxSender(w3, LocalSigner.from_key(a.private_key)) for k, a in {"alice": alice, "carol": carol, "mallory": mallory}.items()}
    ids = {k: IdentityClient(w3, idr.address, s) for k, s in senders.items()}
    vals = {k: ValidationClient(w3, val.address, s) for k, s in senders.items()}
    prover = ids["alice"].register(agent_uri(REG))
    rogue = ids["mallory"].register("ipfs://rogue")
    return {"w3": w3, "identity": idr.address, "senders": senders, "val": vals, "prover": prover, "rogue": rogue, "carol": carol.address}
