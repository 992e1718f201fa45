"""ERC-8004 "Trustless Agents": clients of the Identity, Reputation and Validation registries,
the registration and feedback file formats, bulk registration and rating, discovery and
ranking, and the validator agent."""
