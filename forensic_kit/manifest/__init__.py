"""The signed evidence manifest: canonical JSON, Merkle tree, build, verify, proofs, CASE/UCO export."""
