"""Provenance: the AI share, labels, content credentials, the checker and its profiles, the disclosure. Reads
the ledger; imports only media, story, engine and the ground."""
