"""The crew: one module per role, each declaring its tasks and calling a provider. Imports providers,
provenance, media, story, engine and the ground; never the pipeline, the project or the hand-off."""
