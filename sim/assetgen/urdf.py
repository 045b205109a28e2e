"""URDF text writer for the asset tree (Ravens conventions, deterministic formatting).

Numbers are written with at most 6 decimals and no trailing zeros; strings pass through unchanged
so template placeholders (`DIM0`, `-HALF2`, `FNAME0`, ...) can stand wherever a number goes.
Links carry the Ravens defaults (docs/assets.md: mass 0.1 kg, diagonal inertia 1, lateral friction 1.0,
rolling friction 0.0001, inertia scaling 3). Colours are written exactly as
`<color rgba="r g b 1"/>` because `fill_template` rewrites that element for the COLOR key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Num = float | int | str

# Colour defaults (utils.COLORS of Ravens, docs/assets.md#asset-catalogue).
RED = (1.0, 0.341, 0.349)
GREEN = (0.0, 1.0, 0.0)
BOWL_GREEN = (0.349, 0.663, 0.310)
BLUE = (0.306, 0.475, 0.655)
YELLOW = (0.929, 0.788, 0.282)
BROWN = (0.612, 0.459, 0.373)
LIGHT_BROWN = (0.765, 0.624, 0.529)
DARK_BROWN = (0.424, 0.318, 0.259)
GRAY = (0.729, 0.690, 0.675)
WOOD = (0.871, 0.722, 0.529)


def fmt(x: Num) -> str:
    """'0.04' for 0.04, '1' for 1.0, '0' for -0.0; strings (placeholders) unchanged."""
    if isinstance(x, str):
        return x
    text = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def vec(xs: Sequence[Num]) -> str:
    """Space-separated `fmt` of each component."""
    return " ".join(fmt(x) for x in xs)


def box(size: Sequence[Num]) -> str:
    """Box geometry of full extents `size` (m)."""
    return f'<box size="{vec(size)}"/>'


def sphere(radius: Num) -> str:
    """Sphere geometry of `radius` (m)."""
    return f'<sphere radius="{fmt(radius)}"/>'


def cylinder(radius: Num, length: Num) -> str:
    """Cylinder geometry along z: `radius` and full `length` (m)."""
    return f'<cylinder radius="{fmt(radius)}" length="{fmt(length)}"/>'


def mesh(filename: str, scale: Sequence[Num] = (1, 1, 1)) -> str:
    """Mesh geometry; `filename` relative to the URDF's folder, or a placeholder."""
    return f'<mesh filename="{filename}" scale="{vec(scale)}"/>'


@dataclass
class Shape:
    """One visual and/or collision element of a link.

    geometry: text from `box`/`sphere`/`cylinder`/`mesh`; xyz (m), rpy (rad, fixed-axis roll,
    pitch, yaw); color: RGB (numbers or placeholders) for the visual; visual/collision: which
    elements to emit.
    """

    geometry: str
    xyz: Sequence[Num] = (0, 0, 0)
    rpy: Sequence[Num] = (0, 0, 0)
    color: Sequence[Num] | None = None
    visual: bool = True
    collision: bool = True


@dataclass
class Link:
    """A URDF link with Ravens-default inertial and contact parameters."""

    name: str
    shapes: list[Shape]
    mass: Num = 0.1
    inertial_xyz: Sequence[Num] = (0, 0, 0)
    friction: Num = 1.0
    contact: bool = True
    origin: Sequence[Num] = field(default=(0, 0, 0))  # fixed-joint offset from the parent (child links)


def _origin(xyz: Sequence[Num], rpy: Sequence[Num]) -> str:
    return f'<origin rpy="{vec(rpy)}" xyz="{vec(xyz)}"/>'


def _link_text(link: Link) -> list[str]:
    out = [f'  <link name="{link.name}">']
    if link.contact:
        out += [
            "    <contact>",
            f'      <lateral_friction value="{fmt(link.friction)}"/>',
            '      <rolling_friction value="0.0001"/>',
            '      <inertia_scaling value="3.0"/>',
            "    </contact>",
        ]
    out += [
        "    <inertial>",
        f"      {_origin(link.inertial_xyz, (0, 0, 0))}",
        f'      <mass value="{fmt(link.mass)}"/>',
        '      <inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/>',
        "    </inertial>",
    ]
    for i, s in enumerate(link.shapes):
        if s.visual:
            out += ["    <visual>", f"      {_origin(s.xyz, s.rpy)}", f"      <geometry>{s.geometry}</geometry>"]
            if s.color is not None:
                # one material name per link element: PyBullet keys materials by name
                out += [
                    f'      <material name="{link.name}_{i}">',
                    f'        <color rgba="{vec(s.color)} 1"/>',
                    "      </material>",
                ]
            out.append("    </visual>")
        if s.collision:
            out += [
                "    <collision>",
                f"      {_origin(s.xyz, s.rpy)}",
                f"      <geometry>{s.geometry}</geometry>",
                "    </collision>",
            ]
    out.append("  </link>")
    return out


def robot(name: str, links: list[Link]) -> str:
    """URDF text: the first link is the base; later links hang off it by fixed joints at `origin`."""
    out = ['<?xml version="1.0"?>', f'<robot name="{name}">']
    for link in links:
        out += _link_text(link)
    for link in links[1:]:
        out += [
            f'  <joint name="{links[0].name}_to_{link.name}" type="fixed">',
            f'    <parent link="{links[0].name}"/>',
            f'    <child link="{link.name}"/>',
            f"    {_origin(link.origin, (0, 0, 0))}",
            "  </joint>",
        ]
    out.append("</robot>")
    return "\n".join(out) + "\n"


def single(name: str, shapes: list[Shape], **link_kwargs) -> str:
    """URDF text of a one-link robot whose link is `baseLink`."""
    return robot(name, [Link("baseLink", shapes, **link_kwargs)])
