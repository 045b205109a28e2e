"""Resource limits for one sandboxed task run (`sim.sandbox.Limits`)."""

from __future__ import annotations

import dataclasses

GIB = 1 << 30
MIB = 1 << 20


@dataclasses.dataclass(frozen=True)
class Limits:
    """Limits applied to the child process that runs task code.

    Wall and CPU limits scale with the run: `for_episodes(n)` gives the limits of an n-episode run,
    startup allowance + per-episode budget x n, unless `wall_seconds` / `cpu_seconds` are given,
    which then hold for any number of episodes. Measured figures behind the defaults are in
    sim/sandbox/README.md ("Limits").

    Fields (defaults and where they come from):
      wall_seconds: fixed wall-clock limit of the whole run, after which the process group /
        namespace is killed (default None: scaled, see the two below).
      cpu_seconds: fixed RLIMIT_CPU in seconds, rounded up (default None: scaled).
      startup_wall_seconds, episode_wall_seconds: the scaled wall limit is startup + episode x n
        (defaults 30 and 120 s). Startup covers a cold child on a busy machine (interpreter, numpy,
        pybullet, world: ~1 s idle) plus loading the task and closing the video. Measured with 4
        episodes and video on this 2-core machine at load average 9-11: palletizing-boxes 312 s
        (episodes 70-92 s), sweeping-piles 195 s, separating-piles 151 s; 510 s is 1.6x the worst.
      startup_cpu_seconds, episode_cpu_seconds: the scaled CPU limit, the same way (defaults 20
        and 60 s). CPU time grows little with load; the same runs used 83, 46 and 37 CPU s
        (palletizing-boxes ~21 per episode), a third of the 260 s limit.
      stall_seconds: a run whose child reports no progress (a simulation step, a stage or an
        episode) for this long is stopped with error type `Stalled` (default 30 s), so a task
        that hangs (sleeps, waits on a lock, loops without stepping) frees its slot early.
      memory_bytes: RLIMIT_AS, virtual address space per process (default 4 GiB). Measured: a
        loaded scene peaks at ~160-180 MiB of address space with BLAS pinned to one thread
        (verdict["timings"]["peak_address_space_mib"]); the rest is headroom for large scenes.
      file_size_bytes: RLIMIT_FSIZE, largest file the child may write (default 64 MiB; a 4-episode
        320x240 H.264 video is a few MiB).
      disk_bytes, disk_entries: most the run's work folder may hold, all files together (allocated
        blocks) and files + folders (defaults 256 MiB, four files at the per-file limit, and 10000).
        RLIMIT_FSIZE is per file and the folder is a plain folder of the host's temp dir, so the
        parent measures it every 0.25 s and kills the process group past either (error type
        `DiskLimit`); a task can overshoot by what it writes in 0.25 s.
      open_files: RLIMIT_NOFILE (default 256; pybullet + ffmpeg pipes use < 30).
      processes: RLIMIT_NPROC for the child's own uid, threads included (default 64: BLAS is pinned
        to one thread, the video encoder starts a handful). Only enforceable when the child runs
        under a uid of its own (see `isolation` in the verdict).
      log_bytes: most bytes of stdout+stderr forwarded as log events; the rest is counted and
        dropped (default 64 KiB) so a print loop cannot exhaust the caller's memory.
      frame_interval_seconds: least wall time between two live JPEG frame events (default 0.2 s,
        i.e. at most 5 frames per second on the wire; the mp4 keeps every frame).
    Raises ValueError for a value that is not a positive number.
    """

    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    startup_wall_seconds: float = 30.0
    episode_wall_seconds: float = 120.0
    startup_cpu_seconds: float = 20.0
    episode_cpu_seconds: float = 60.0
    stall_seconds: float = 30.0
    memory_bytes: int = 4 * GIB
    file_size_bytes: int = 64 * MIB
    disk_bytes: int = 256 * MIB
    disk_entries: int = 10_000
    open_files: int = 256
    processes: int = 64
    log_bytes: int = 64 * 1024
    frame_interval_seconds: float = 0.2

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None and field.name in ("wall_seconds", "cpu_seconds"):
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{field.name} must be a positive number, got {value!r}")
        if self.memory_bytes < 512 * MIB:
            raise ValueError(
                f"Limits.memory_bytes={self.memory_bytes} is below 512 MiB; Python + numpy + pybullet cannot start"
            )

    def for_episodes(self, episodes: int) -> Limits:
        """These limits with `wall_seconds` and `cpu_seconds` set for a run of `episodes` episodes
        (fixed values kept). Raises ValueError for episodes < 1."""
        if not isinstance(episodes, int) or episodes < 1:
            raise ValueError(f"episodes must be a positive int, got {episodes!r}")
        wall = self.wall_seconds or self.startup_wall_seconds + self.episode_wall_seconds * episodes
        cpu = self.cpu_seconds or self.startup_cpu_seconds + self.episode_cpu_seconds * episodes
        return dataclasses.replace(self, wall_seconds=float(wall), cpu_seconds=cpu)

    def to_dict(self) -> dict:
        """The limits as a JSON-ready dict (the verdict's `limits`)."""
        return dataclasses.asdict(self)
