"""Media: ffmpeg, WAV I/O, loudness mastering, subtitle layout, fonts, lips. Imports only story, engine and
the ground."""
