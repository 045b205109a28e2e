"""Video frames rendered in a second process, from a mirror of the scene's visual shapes.

PyBullet holds the GIL while it renders, so a thread cannot overlap rendering with stepping: a
320x240 TinyRenderer frame costs 4-9 ms (~40% of a pick-and-place episode with video). A worker
process forked from this one keeps a mirror of every visual shape (`getVisualShapeData`: geometry,
mesh file, local frame, colour) as bodies without mass or collision in its own PyBullet world.
For each frame this process sends only the world pose of every link that has visual shapes
(~1.7 KB for palletizing's 31 shapes); the worker renders them with the same view and
`camera.StaticBackgroundView`, and the frame comes back while the simulation goes on: on 2 cores
an episode with video costs about what it costs without. The mirror draws the same pixels up to
single edge pixels (tests compare every frame of episodes against in-process rendering).

Frames reach the callback on the caller's thread, in order, when `deliver` or `flush` is called.
A scene the mirror cannot draw (a texture, a heightfield or soft body) is rendered in this process
instead, after the frames in flight; so is everything after the worker died.

Fork is the only way to start the worker inside the sandbox: the child starts it before it installs
its seccomp filter (which denies fork), and passes `confine` to put the worker under the same filter.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import weakref

import numpy as np
import pybullet as p

from sim import camera

_MIRRORED = (p.GEOM_BOX, p.GEOM_SPHERE, p.GEOM_CYLINDER, p.GEOM_CAPSULE, p.GEOM_MESH)
_HEADER = struct.Struct("<cI")  # message kind, payload bytes
PIPE_BYTES = 1 << 18  # frame pipe capacity: a 320x240 RGB frame (225 KiB) fits whole
IN_FLIGHT = 8  # frames rendering at once; bounds the commands queued (no pipe fills up)
STUCK_SECONDS = 10.0  # a worker that sends nothing for this long while frames are due is killed


_textures = {"loaded": False}


def watch_textures() -> None:
    """Note every `pybullet.loadTexture` from now on (`scene_shapes` then declines): PyBullet does
    not report a texture set with `changeVisualShape(textureUniqueId=...)` in getVisualShapeData,
    so the mirror could not know it. Textures that come with an .obj's material load in the mirror
    too."""
    original = p.loadTexture
    if getattr(original, "_noted", False):
        return

    def load_texture(*args, **kwargs):
        _textures["loaded"] = True
        return original(*args, **kwargs)

    load_texture._noted = True
    p.loadTexture = load_texture


def scene_shapes():
    """Every visual shape of the world -> (links, shapes), or None when one cannot be mirrored.

    links: [(body, link)] with visual shapes, in order; shapes: [(link index into links, geometry,
    dimensions, mesh file, local frame position, orientation, rgba)]. Shapes with alpha 0 are kept
    (the renderers skip them, and a colour change must reach the mirror). None once a texture was
    loaded (`watch_textures`) or for a heightfield, plane or soft body."""
    if _textures["loaded"]:
        return None
    links, index, shapes = [], {}, []
    for i in range(p.getNumBodies()):
        body = p.getBodyUniqueId(i)
        data = p.getVisualShapeData(body, flags=p.VISUAL_SHAPE_DATA_TEXTURE_UNIQUE_IDS)
        # camera.visuals: the colours drawn (PyBullet's report is wrong after camera.hidden)
        for v, (_, _, rgba) in zip(data, camera.visuals(body, data)):
            if v[2] not in _MIRRORED or v[8] >= 0:
                return None
            key = (body, v[1])
            if key not in index:
                index[key] = len(links)
                links.append(key)
            shapes.append(
                (index[key], v[2], list(v[3]), v[4].decode(errors="replace"), list(v[5]), list(v[6]), list(rgba))
            )
    return links, shapes


def link_poses(links, kinematics) -> np.ndarray:
    """World frames (n, 7: xyz, quaternion xyzw) of `links` [(body, link)]: the URDF link frame,
    to which visual frames are relative. `kinematics` comes from `body_kinematics(links)`.

    Links come from forward kinematics of the joint positions: the renderers draw a link where its
    joint positions put it after the last step, but `getLinkState` returns the frame from before
    that step's integration (one step behind), and asking it for forward kinematics changes the
    simulation's course (measured: another number of steps in the same episode)."""
    out = np.empty((len(links), 7))
    frames: dict = {}
    for i, (body, link) in enumerate(links):
        if body not in frames:
            frames[body] = _link_frames(body, *kinematics[body])
        out[i, :3], out[i, 3:] = frames[body][link]
    return out


def body_kinematics(links) -> dict:
    """What forward kinematics needs besides the joint positions, read once per scene: {body:
    (inverse of the base's local inertial frame, [(joint type, axis, parent link, joint frame
    position, orientation, the link's local inertial position, orientation)] per joint)}.
    `getJointInfo` reports the joint frame's orientation inverted (measured against getLinkState:
    off by up to 1.4 as given, within 2e-7 inverted)."""
    out = {}
    for body, _ in links:
        if body in out:
            continue
        info = p.getDynamicsInfo(body, -1)
        joints = []
        for j in range(p.getNumJoints(body)):
            joint, inertial = p.getJointInfo(body, j), p.getDynamicsInfo(body, j)
            orn = p.invertTransform((0, 0, 0), joint[15])[1]
            joints.append((joint[2], np.asarray(joint[13]), joint[16], joint[14], orn, inertial[3], inertial[4]))
        out[body] = (p.invertTransform(info[3], info[4]), joints)
    return out


def _link_frames(body, base_inverse, joints) -> dict:
    """{link: URDF frame} of `body` (-1: the base) from its base pose and joint positions: a link's
    frame is its parent's centre-of-mass frame times the joint frame, then the joint's motion (a
    rotation of q about the axis, or a slide of q along it); its centre of mass is that times its
    local inertial frame. Agrees with PyBullet's own forward kinematics to ~2e-7 m and rad (its
    joint frames are float32)."""
    com = {-1: p.getBasePositionAndOrientation(body)}
    frames = {-1: p.multiplyTransforms(*com[-1], *base_inverse)}
    states = p.getJointStates(body, range(len(joints))) if joints else ()
    for j, ((kind, axis, parent, joint_pos, joint_orn, inertial_pos, inertial_orn), state) in enumerate(
        zip(joints, states)
    ):
        pos, orn = p.multiplyTransforms(*com[parent], joint_pos, joint_orn)
        q = state[0]
        if kind == p.JOINT_REVOLUTE:
            pos, orn = p.multiplyTransforms(pos, orn, (0, 0, 0), (*(np.sin(q / 2) * axis), np.cos(q / 2)))
        elif kind == p.JOINT_PRISMATIC:
            pos, orn = p.multiplyTransforms(pos, orn, tuple(q * axis), (0, 0, 0, 1))
        frames[j] = (pos, orn)
        com[j] = p.multiplyTransforms(pos, orn, inertial_pos, inertial_orn)
    return frames


class RenderProcess:
    """The worker and this process's end of it.

    `start(confine)` forks the worker (False if fork fails); `submit(callback, ...)` queues one
    frame for `callback`; `deliver()` hands over the frames that are back; `flush()` waits for all
    of them. After `close()` (or a worker death) `alive` is False. No thread reads the frames: one
    would need the GIL for every chunk while the simulation holds it, and the worker would stall.
    """

    def __init__(self):
        self.pid = None
        self.alive = False
        self._cmd = self._frames_fd = None
        self._buffer = bytearray()
        self._pending: list = []  # callbacks of submitted frames, oldest first
        self._scene = None
        self._links: list = []
        self._kinematics: dict = {}

    def start(self, confine=None) -> bool:
        """Fork the worker; `confine()` runs first in it (e.g. installs the sandbox's seccomp filter).
        Returns whether the worker runs."""
        watch_textures()
        cmd_r, cmd_w = os.pipe()
        frame_r, frame_w = os.pipe()
        try:
            fcntl.fcntl(frame_w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # a whole frame per read
        except OSError:  # above /proc/sys/fs/pipe-max-size: smaller reads, same frames
            pass
        try:
            pid = os.fork()
        except OSError:
            for fd in (cmd_r, cmd_w, frame_r, frame_w):
                os.close(fd)
            return False
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                for low, high in _gaps(sorted((cmd_r, frame_w))):  # the caller's pipes are not ours
                    os.closerange(low, high)
                if confine is not None:
                    confine()
                _serve(cmd_r, frame_w)
                code = 0
            finally:
                os._exit(code)
        os.close(cmd_r)
        os.close(frame_w)
        os.set_blocking(frame_r, False)
        self.pid, self._cmd, self._frames_fd, self.alive = pid, cmd_w, frame_r, True
        # An environment dropped without close(): its worker ends with the pipes (EOF), not the process.
        self._finalizer = weakref.finalize(self, _abandon, pid, cmd_w, frame_r)
        return True

    def submit(self, callback, size, static_bodies) -> bool:
        """Queue the current world's frame at `size` (width, height) for `callback`, with
        `static_bodies` drawn once (camera.StaticBackgroundView). At most IN_FLIGHT frames are
        rendering at once; past that this waits for the oldest. False when the mirror cannot draw
        this scene or the worker is gone: the caller renders it itself (after `flush`)."""
        if not self.alive:
            return False
        shapes = scene_shapes()
        if shapes is None:
            return False
        links, visuals = shapes
        scene = (tuple(size), visuals, tuple(static_bodies))
        self.deliver()
        while len(self._pending) >= IN_FLIGHT and self.alive:
            self._receive(block=True)
        try:
            if scene != self._scene:
                static = [i for i, (body, _) in enumerate(links) if body in set(static_bodies)]
                message = {"shapes": visuals, "links": len(links), "static": static, "size": list(size)}
                self._send(b"S", json.dumps(message).encode())
                self._scene, self._links, self._kinematics = scene, links, body_kinematics(links)
            self._send(b"F", link_poses(self._links, self._kinematics).tobytes())
        except OSError:  # the worker died
            self._dead()
        if not self.alive:
            return False
        self._pending.append(callback)
        return True

    def deliver(self) -> None:
        """Hand every frame that is back to its callback, in submission order; never waits."""
        if self._pending:
            self._receive(block=False)

    def flush(self) -> None:
        """Wait for every submitted frame and hand it over (frames lost with a dead worker are
        dropped)."""
        while self._pending and self.alive:
            self._receive(block=True)

    def close(self) -> None:
        """Flush, then stop the worker and reap it."""
        if self.pid is None:
            return
        self.flush()
        self._finalizer.detach()
        _abandon(self.pid, self._cmd, self._frames_fd, wait=True)
        self.pid, self.alive = None, False

    def _receive(self, block: bool) -> None:
        """Read what the worker sent (waiting for one whole frame if `block`, at most
        STUCK_SECONDS between reads) and hand over the complete frames."""
        while True:
            got = self._pop_frames()
            if got or not block or not self.alive:
                return
            if not select.select([self._frames_fd], [], [], STUCK_SECONDS)[0]:
                os.kill(self.pid, signal.SIGKILL)  # stuck: the pending frames are lost
                self._dead()
                return
            self._read_available()

    def _pop_frames(self) -> int:
        self._read_available()
        handed = 0
        while len(self._buffer) >= 8:
            height, width = struct.unpack_from("<II", self._buffer)
            end = 8 + height * width * 3
            if len(self._buffer) < end:
                break
            frame = np.frombuffer(bytes(self._buffer[8:end]), np.uint8).reshape(height, width, 3)
            del self._buffer[:end]
            handed += 1
            self._pending.pop(0)(frame)
        return handed

    def _read_available(self) -> None:
        while self.alive:
            try:
                chunk = os.read(self._frames_fd, PIPE_BYTES)
            except BlockingIOError:
                return
            if not chunk:  # the worker is gone: the rest of the pending frames never come
                self._dead()
                return
            self._buffer += chunk

    def _dead(self) -> None:
        self.alive = False
        self._pending.clear()

    def _send(self, kind: bytes, payload: bytes) -> None:
        data = memoryview(_HEADER.pack(kind, len(payload)) + payload)
        while data:
            data = data[os.write(self._cmd, data) :]


def _abandon(pid: int, *fds: int, wait: bool = False) -> None:
    """Close our ends of a worker's pipes (it exits at EOF) and reap it (`wait`), or collect it if
    it is already gone."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0 if wait else os.WNOHANG)
    except ChildProcessError:
        pass


def _gaps(keep) -> list:
    """fd ranges [low, high) from 3 up that hold none of `keep` (sorted)."""
    bounds = [3, *[b for fd in keep for b in (fd, fd + 1)], os.sysconf("SC_OPEN_MAX")]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2) if bounds[i] < bounds[i + 1]]


def _read_exact(fd: int, n: int):
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve(cmd_fd: int, frame_fd: int) -> None:
    """The worker's loop: rebuild the mirror on "S", render on "F", end at EOF."""
    p.resetSimulation()  # the world inherited from the fork: not ours to draw
    view = mirror = static = None
    while True:
        header = _read_exact(cmd_fd, _HEADER.size)
        if header is None:
            return
        kind, length = _HEADER.unpack(header)
        payload = _read_exact(cmd_fd, length) if length else b""
        if payload is None:
            return
        if kind == b"S":
            scene = json.loads(payload)
            p.resetSimulation()
            mirror = _build_mirror(scene["shapes"], scene["links"])
            static = [body for i in scene["static"] for body in mirror[i]]
            view = camera.StaticBackgroundView(tuple(scene["size"]))
        elif kind == b"F" and mirror is not None:
            poses = np.frombuffer(payload, np.float64).reshape(-1, 7)
            for bodies, pose in zip(mirror, poses):
                for body in bodies:
                    p.resetBasePositionAndOrientation(body, pose[:3], pose[3:])
            frame = np.ascontiguousarray(view.render(static))
            out = struct.pack("<II", *frame.shape[:2]) + frame.tobytes()
            view_out = memoryview(out)
            while view_out:
                view_out = view_out[os.write(frame_fd, view_out) :]


def _build_mirror(shapes, n_links) -> list:
    """Bodies without mass or collision, one per visual shape -> [[body ids] per link].

    One shape per body, so that its colour is set at creation: PyBullet draws a colour set with
    `changeVisualShape(shapeIndex=k)` on shape k only but reports it for every shape of the link,
    and camera.hidden restores what is reported."""
    mirror = [[] for _ in range(n_links)]
    for link, geometry, dims, mesh, position, orientation, rgba in shapes:
        kwargs = {"visualFramePosition": position, "visualFrameOrientation": orientation, "rgbaColor": rgba}
        if geometry == p.GEOM_BOX:
            kwargs["halfExtents"] = [d / 2 for d in dims]
        elif geometry == p.GEOM_SPHERE:
            kwargs["radius"] = dims[0]
        elif geometry in (p.GEOM_CYLINDER, p.GEOM_CAPSULE):
            kwargs["length"], kwargs["radius"] = dims[0], dims[1]
        else:
            kwargs["fileName"], kwargs["meshScale"] = mesh, dims
        shape = p.createVisualShape(geometry, **kwargs)
        mirror[link].append(p.createMultiBody(baseMass=0, baseVisualShapeIndex=shape))
    return mirror
