"""`cliport.utils.utils` -> sim.utils (every public name)."""

from sim.utils import *  # noqa: F403
from sim.utils import COLORS, apply, get_colors, invert, multiply  # noqa: F401
