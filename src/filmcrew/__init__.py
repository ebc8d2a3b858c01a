"""filmcrew: premise -> screenplay -> storyboard -> shots -> voices -> music -> edit -> MP4."""

__version__ = "0.1.0"
