"""The story: Fountain, filmcrew's screenplay conventions, shot timing, the cut file, what a voice says, the
words an action names. Imports only the engine and the ground."""
