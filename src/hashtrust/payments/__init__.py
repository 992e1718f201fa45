"""Pay an agent over x402, then rate it with payment-backed feedback (docs/payments.md).

``eip3009`` the devnet token's transfers with authorization; ``clock`` the one validity window
both the chain and the x402 package accept; ``facilitator`` a local x402 facilitator (/verify,
/settle, /supported); ``server`` an agent's paid service behind the x402 middleware, signing an
interaction attestation; ``client`` the paying client that checks before it pays;
``attestation`` the EIP-712 interaction attestation; ``verification`` the on-chain check of a
payment-backed feedback (`verify_feedback`).
"""
