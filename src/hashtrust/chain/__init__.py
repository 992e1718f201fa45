"""The chain layer: signing and sending transactions, accounts, the address book, compiled
artifacts, the generic contract client, input checks, the local devnet and its fault-injection
proxy. It imports no domain package (``erc8004``, ``hashrate``, ...); they all build on it."""
