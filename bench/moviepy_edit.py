"""The benchmark's moviepy 2.x edit (run by bench/render.py in a Python that has moviepy; no filmcrew here).

The same edit as filmcrew's: each shot's keyframe as a still with a slow push-in, crossfades where the
film has them, the same subtitle images at the same times, the same mixed sound track, x264 veryfast
CRF 20 at 30 fps, yuv420p."""
import json
import sys

from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, vfx

MARGIN = 1.12  # filmcrew's keyframes are drawn this much larger than the frame


def main(spec_path: str) -> None:
    spec = json.load(open(spec_path))
    W, H = spec["size"]
    fps = spec["fps"]
    clips = []
    for sh in spec["shots"]:
        dur = sh["frames"] / fps
        c = ImageClip(sh["still"], duration=dur)
        c = c.resized(lambda t, d=dur: (1 / MARGIN) * (1 + 0.09 * t / d)).with_position("center")
        c = c.with_start(sh["start"] / fps)
        if sh["fade_in"]:
            c = c.with_effects([vfx.CrossFadeIn(sh["fade_in"] / fps)])
        clips.append(c)
    for s in spec["subs"]:
        clips.append(ImageClip(s["png"]).with_start(s["start"]).with_end(s["end"]).with_position((s["x"], s["y"])))
    video = CompositeVideoClip(clips, size=(W, H)).with_duration(spec["seconds"])
    video = video.with_audio(AudioFileClip(spec["audio"]).with_duration(spec["seconds"]))
    video.write_videofile(spec["out"], fps=fps, codec="libx264", preset="veryfast", audio_codec="aac",
                          ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p"], logger=None)


if __name__ == "__main__":
    main(sys.argv[1])
