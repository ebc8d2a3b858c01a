"""Providers: small protocols (base.py) and the built-ins; remote vendors go in providers/remote/. Imports
provenance, media, story, engine and the ground; never the crew."""
