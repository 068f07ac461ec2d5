"""Shapes on a plane."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from functools import cached_property

DEFAULT_PRECISION = 6


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0
    tags: tuple[str, ...] = field(default=())

    def distance_to(self, other: Point) -> float:
        """Return the Euclidean distance to another point.

        Args:
            other: The point to measure to.

        Returns:
            The distance, never negative.
        """
        return math.hypot(self.x - other.x, self.y - other.y)


class Shape:
    """Base class of every shape."""

    def area(self) -> float:
        """Return the area of the shape."""
        raise NotImplementedError

    def describe(self, precision: int = DEFAULT_PRECISION) -> str:
        return f"{type(self).__name__} of area {round(self.area(), precision)}"


class Circle(Shape):
    def __init__(self, center: Point, radius: float, color: Color = Color.RED) -> None:
        if radius < 0:
            raise ValueError("radius must not be negative")
        self.center = center
        self._radius = radius
        self.color = color

    @property
    def radius(self) -> float:
        return self._radius

    @radius.setter
    def radius(self, value: float) -> None:
        if value < 0:
            raise ValueError("radius must not be negative")
        self._radius = value

    @cached_property
    def circumference(self) -> float:
        return 2 * math.pi * self._radius

    def area(self) -> float:
        return math.pi * self._radius**2

    @classmethod
    def unit(cls, center: Point | None = None) -> Circle:
        return cls(center or Point(0.0), 1.0)

    @staticmethod
    def from_diameter(center: Point, diameter: float) -> Circle:
        return Circle(center, diameter / 2)

    class Builder:
        def __init__(self) -> None:
            self._radius = 1.0

        def with_radius(self, radius: float) -> Circle.Builder:
            self._radius = radius
            return self

        def build(self, center: Point) -> Circle:
            """Create the circle.

            Args:
                center: Where the circle is centred.

            Returns:
                A new circle.
            """
            return Circle(center, self._radius)


def scale_all(factor: float, *shapes: Circle, **options: bool) -> list[Circle]:
    clamp = options.get("clamp", False)
    scaled = [Circle(s.center, s.radius * factor, s.color) for s in shapes]
    return [c for c in scaled if not clamp or c.radius <= 1]
