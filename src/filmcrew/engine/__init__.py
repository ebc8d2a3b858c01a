"""The engine: content-addressed tasks (graph), the atomic store, the executor. Imports only the ground
(model, ledger, errors)."""
