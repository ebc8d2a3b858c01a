"""The offline writer (`story-engine`): premise -> bible + screenplays with no model at all, beside the story it
writes. A provider like any other (registered as `story-engine`), kept out of `providers/` because it is 2k lines of
story craft, not a vendor adapter. Imports the providers' protocols (providers/base.py), the story, the engine and
the ground; nothing imports it but the registry (by name)."""
