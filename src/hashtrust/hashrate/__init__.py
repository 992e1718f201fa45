"""The tokenized-hashrate vault: its client, the mining-economics simulator (the vault's
integer math in Python), and the operator and pool-watcher agents."""
