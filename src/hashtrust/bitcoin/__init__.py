"""Bitcoin for hashtrust: headers, targets, coinbases and proofs for the on-chain relay and index.

* `consensus`: headers, compact nBits, the retarget rule, difficulty, work, subsidy.
* `tx`: coinbase parsing (BIP34, outputs), witness stripping (python-bitcoinlib), merkle branches.
* `files`: the header and coinbase files of `examples/bitcoin/` (and the commands' inputs).
* `proofs`: retarget and block-reward proofs, checked in Python before they are sent.
* `hashprice`: the index's integer formula, its fixed sample and its period-to-day rule.
* `miner`: synthetic chains with real proof of work at an easy target (tests).
* `rpc`: Bitcoin Core JSON-RPC as a source of headers and proofs.
* `relay`, `index`: clients of `BitcoinRelay`, `HashpriceIndex` and `DevHashpriceIndex`.
"""
