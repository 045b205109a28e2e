"""UR5 arm, suction gripper, spatula and workspace URDFs, authored with primitive link shapes.

Usage: `python -m sim.assetgen` (the asset generator calls `build(out_dir)`), or directly
`python -c "import sim.assetgen.ur5 as r; r.build('assets')"`.

Kinematics are the standard UR5 ones of the `ur_description` package (docs/environment.md#robot-grippers:
shoulder height 0.089159, upper arm 0.425, forearm 0.39225, wrist offsets 0.093 / 0.09465 / 0.0823). The link
order matches the original `ur5.urdf` where it matters to the environment: 6 revolute joints, the gripper is
mounted on link 9 (`tool_mount`) and the IK target link 10 (`ee_tip`) sits at the bottom of the suction
tip. Both frames are world-aligned when the arm points straight down (identity quaternion = top-down
grasp), which is the convention of the oracle's pick and place poses.
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.assetgen.mesh import obj_text, revolve

# Distance from the tool mount (link 9) down to the suction tip's bottom face (link 10).
# Suction base 0.01 + head 0.08 + tip 0.029 + half tip length 0.014 (docs/environment.md#robot-grippers
# offsets).
TIP_OFFSET = 0.133
# Link 9 orientation relative to ee_link: maps the flange axis (ee_link +x) onto -z, so that the
# frame is world-aligned in the top-down configuration (checked by tests/test_sim_robot.py).
MOUNT_RPY = "0 -1.5707963268 0"

_GREY = "0.75 0.75 0.78 1"
_BLUE = "0.25 0.45 0.75 1"
_DARK = "0.2 0.2 0.2 1"


def _inertial(mass: float, r: float = 0.05) -> str:
    i = 0.4 * mass * r * r  # solid-sphere approximation: only the arm's own dynamics use it
    return (
        f'<inertial><origin xyz="0 0 0"/><mass value="{mass}"/>'
        f'<inertia ixx="{i:.6f}" ixy="0" ixz="0" iyy="{i:.6f}" iyz="0" izz="{i:.6f}"/></inertial>'
    )


# Arm link visuals are OBJ cylinders (16 sides, cut every <= 5 cm along the axis) rather than URDF
# primitives: PyBullet draws a primitive as a 32-sided hull whose side triangles span the whole link,
# and TinyRenderer scans each triangle's screen bounding box, so short triangles draw the arm in ~60%
# of the time (measured with the video camera). Collision shapes stay primitive cylinders.
_SIDES, _CUT = 16, 0.05
_H = "1.5707963268"
# (link, radius, length, visual/collision origin xyz, rpy, colour, collides, mass)
ARM_LINKS = (
    ("base_link", 0.075, 0.09, "0 0 0.045", "0 0 0", _DARK, False, 4.0),
    ("shoulder_link", 0.06, 0.135, "0 0 0", "0 0 0", _BLUE, True, 3.7),
    ("upper_arm_link", 0.054, 0.425, "0 0 0.2125", "0 0 0", _GREY, True, 8.39),
    ("forearm_link", 0.045, 0.39225, "0 0 0.196", "0 0 0", _GREY, True, 2.27),
    ("wrist_1_link", 0.04, 0.12, "0 0.093 0", f"{_H} 0 0", _BLUE, True, 1.22),
    ("wrist_2_link", 0.04, 0.12, "0 0 0.09465", "0 0 0", _BLUE, True, 1.22),
    ("wrist_3_link", 0.04, 0.04, "0 0.06 0", f"{_H} 0 0", _DARK, False, 0.19),
)


def cylinder_mesh(radius: float, length: float):
    """Closed trimesh cylinder (m) about z, centred on the origin, its side cut into rings <= 5 cm
    apart."""
    rings = max(1, math.ceil(length / _CUT - 1e-9))
    profile = (
        [(0.0, -length / 2)]
        + [(radius, -length / 2 + length * k / rings) for k in range(rings + 1)]
        + [(0.0, length / 2)]
    )
    return revolve(profile, _SIDES)


def _material(color: str) -> str:
    # PyBullet keeps the first colour given to a material name for the whole file: one name per colour.
    return f'<material name="rgba {color}"><color rgba="{color}"/></material>'


def _cyl(
    radius: float, length: float, xyz: str, rpy: str, color: str, collide: bool = True, mesh: str | None = None
) -> str:
    """Visual (+ collision) cylinder; with `mesh` (a path relative to the URDF) the visual is that
    OBJ file instead of the primitive."""
    geo = f'<geometry><cylinder radius="{radius}" length="{length}"/></geometry>'
    origin = f'<origin xyz="{xyz}" rpy="{rpy}"/>'
    visual = geo if mesh is None else f'<geometry><mesh filename="{mesh}"/></geometry>'
    out = f"<visual>{origin}{visual}{_material(color)}</visual>"
    if collide:
        out += f"<collision>{origin}{geo}</collision>"
    return out


def arm_meshes() -> dict[str, str]:
    """{path relative to ur5/: OBJ text} of the arm link visuals referenced by ur5_urdf()."""
    return {f"meshes/{name}.obj": obj_text(cylinder_mesh(radius, length)) for name, radius, length, *_ in ARM_LINKS}


def _link(name: str, body: str = "", mass: float = 0.0) -> str:
    return f'  <link name="{name}">{_inertial(mass)}{body}</link>\n'


def _joint(name: str, kind: str, parent: str, child: str, xyz: str, rpy: str = "0 0 0", axis: str = "0 0 1") -> str:
    out = (
        f'  <joint name="{name}" type="{kind}"><parent link="{parent}"/><child link="{child}"/>'
        f'<origin xyz="{xyz}" rpy="{rpy}"/>'
    )
    if kind == "revolute":
        out += (
            f'<axis xyz="{axis}"/><limit lower="-6.2832" upper="6.2832" effort="150" velocity="3.15"/>'
            '<dynamics damping="0" friction="0"/>'
        )
    return out + "</joint>\n"


def ur5_urdf() -> str:
    """The UR5 URDF text: links base(-1), base_link(0), 6 arm links (1-6), ee_link(7), tool0(8),
    tool_mount(9), ee_tip(10). Collision shapes are arm-link cylinders (the wrist-3 flange excluded so
    the gripper bodies never collide with it)."""
    h = _H
    parts = [
        '<?xml version="1.0"?>\n<robot name="ur5">\n',
        _link("world", "", 0.0),
        *(
            _link(name, _cyl(radius, length, xyz, rpy, color, collide, f"meshes/{name}.obj"), mass)
            for name, radius, length, xyz, rpy, color, collide, mass in ARM_LINKS
        ),
        _link("ee_link", "", 0.01),
        _link("tool0", "", 0.01),
        _link("tool_mount", "", 0.01),
        _link("ee_tip", "", 0.01),
        _joint("world_joint", "fixed", "world", "base_link", "0 0 0", "0 0 3.1415926536"),
        _joint("shoulder_pan_joint", "revolute", "base_link", "shoulder_link", "0 0 0.089159"),
        _joint(
            "shoulder_lift_joint", "revolute", "shoulder_link", "upper_arm_link", "0 0.13585 0", f"0 {h} 0", "0 1 0"
        ),
        _joint("elbow_joint", "revolute", "upper_arm_link", "forearm_link", "0 -0.1197 0.425", axis="0 1 0"),
        _joint("wrist_1_joint", "revolute", "forearm_link", "wrist_1_link", "0 0 0.39225", f"0 {h} 0", "0 1 0"),
        _joint("wrist_2_joint", "revolute", "wrist_1_link", "wrist_2_link", "0 0.093 0"),
        _joint("wrist_3_joint", "revolute", "wrist_2_link", "wrist_3_link", "0 0 0.09465", axis="0 1 0"),
        _joint("ee_fixed_joint", "fixed", "wrist_3_link", "ee_link", "0 0.0823 0", f"0 0 {h}"),
        _joint("tool0_joint", "fixed", "ee_link", "tool0", "0 0 0"),
        _joint("tool_mount_joint", "fixed", "tool0", "tool_mount", "0 0 0", MOUNT_RPY),
        _joint("ee_tip_joint", "fixed", "tool_mount", "ee_tip", f"0 0 {-TIP_OFFSET}"),
        "</robot>\n",
    ]
    return "".join(parts)


def _single(name: str, body: str, mass: float) -> str:
    return f'<?xml version="1.0"?>\n<robot name="{name}">\n{_link("base", body, mass)}</robot>\n'


def suction_base_urdf() -> str:
    """Visual-only suction base: a short cylinder hanging 0.01 m below the mount (its origin)."""
    return _single("suction_base", _cyl(0.03, 0.02, "0 0 -0.01", "0 0 0", _DARK, False), 0.05)


def suction_head_urdf() -> str:
    """Suction head (origin = mount point) and its tip link (link 0): a thin cylinder of radius
    0.001 m, length 0.028 m whose bottom face is TIP_OFFSET below the mount
    (docs/environment.md#robot-grippers)."""
    head = _cyl(0.012, 0.08, "0 0 -0.05", "0 0 0", _GREY, False)
    tip = _cyl(0.006, 0.028, "0 0 0", "0 0 0", _DARK, False) + (
        '<collision><origin xyz="0 0 0"/><geometry><cylinder radius="0.001" length="0.028"/></geometry></collision>'
    )
    return (
        '<?xml version="1.0"?>\n<robot name="suction_head">\n'
        + _link("head", head, 0.05)
        + _link("tip", tip, 0.01)
        + _joint("tip_joint", "fixed", "head", "tip", f"0 0 {-(TIP_OFFSET - 0.014)}")
        + "</robot>\n"
    )


def spatula_urdf() -> str:
    """Spatula: a shaft and a flat 0.1 x 0.005 x 0.05 blade whose bottom edge is TIP_OFFSET below the
    mount; the blade plane is the local y-z plane, so pushing along local x sweeps objects."""
    shaft = _cyl(0.01, TIP_OFFSET - 0.05, f"0 0 {-(TIP_OFFSET - 0.05) / 2:.4f}", "0 0 0", _GREY, False)
    blade_xyz = f"0 0 {-(TIP_OFFSET - 0.025):.4f}"
    blade = (
        f'<visual><origin xyz="{blade_xyz}"/><geometry><box size="0.005 0.1 0.05"/></geometry>'
        f"{_material(_DARK)}</visual>"
        f'<collision><origin xyz="{blade_xyz}"/><geometry><box size="0.005 0.1 0.05"/></geometry>'
        "</collision>"
    )
    return _single("spatula", shaft + blade, 0.05)


def workspace_urdf() -> str:
    """Visual-only dark grey 0.5 x 1.0 m rectangle (docs/environment.md#env-reset), loaded at (0.5, 0, 0)."""
    # Top 0.3 mm below z=0 so flat markers (corners, lines, zones: 1 mm thick, centred on z=0) show;
    # the env makes the plane (which renderers draw from its collision box) transparent.
    body = (
        '<visual><origin xyz="0 0 -0.0103"/><geometry><box size="0.5 1.0 0.02"/></geometry>'
        f"{_material('0.32 0.32 0.34 1')}</visual>"
    )
    return _single("workspace", body, 0.0)


def build(out_dir) -> list[Path]:
    """Write `ur5/ur5.urdf` with its `ur5/meshes/*.obj`, `ur5/workspace.urdf`,
    `ur5/suction/suction-{base,head}.urdf` and `ur5/spatula/spatula-base.urdf` under `out_dir`;
    deterministic bytes. Returns the written paths."""
    root = Path(out_dir) / "ur5"
    files = {
        **arm_meshes(),
        "ur5.urdf": ur5_urdf(),
        "workspace.urdf": workspace_urdf(),
        "suction/suction-base.urdf": suction_base_urdf(),
        "suction/suction-head.urdf": suction_head_urdf(),
        "spatula/spatula-base.urdf": spatula_urdf(),
    }
    written = []
    for rel, text in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
