"""The hand-off: where a person takes over (export to editors, import of an edited cut, dubbing, the audio
export). Sits above the pipeline; imports anything below it, never the command line."""
