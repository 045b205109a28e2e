"""MP4 writing for episode videos: H.264, yuv420p, faststart, through imageio-ffmpeg; and whether
frames are drawn by a second process (sim/render_process.py)."""

from __future__ import annotations

import os
from pathlib import Path

import imageio_ffmpeg
import numpy as np

# Default video: 320x240 at 15 fps of simulated time, the low end of the 15-25 fps the project asks
# for. A 320x240 CPU frame costs ~5 ms: ~40% of a pick-and-place episode's time at 20 fps.
FPS = 15
SIZE = (320, 240)


def render_process_enabled() -> bool:
    """Whether video frames are drawn by a second process: not with GENSIM_RENDER_PROCESS=0, nor on
    one CPU (nothing to overlap). Importable without PyBullet (the app process asks it for the
    sandbox child, whose environment does not carry the switch)."""
    return os.environ.get("GENSIM_RENDER_PROCESS", "1") != "0" and (os.cpu_count() or 1) > 1


def write_mp4(frames, path, fps=FPS):
    """Write RGB frames (each HxWx3 uint8, all the same size) to `path` -> the path.

    Width and height are padded to even numbers (yuv420p needs them). Raises ValueError when
    `frames` is empty."""
    frames = list(frames)
    if not frames:
        raise ValueError("no frames to write")
    h, w = frames[0].shape[:2]
    pad_h, pad_w = h % 2, w % 2
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (w + pad_w, h + pad_h),
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        output_params=["-movflags", "+faststart", "-preset", "veryfast", "-crf", "26"],
        macro_block_size=1,
    )
    writer.send(None)
    for frame in frames:
        frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
        if pad_h or pad_w:
            frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
        writer.send(frame)
    writer.close()
    return Path(path)
