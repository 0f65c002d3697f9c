"""Data Integrity proofs: JSON-LD canonicalisation (offline), base58btc multibase, eddsa-rdfc-2022."""
