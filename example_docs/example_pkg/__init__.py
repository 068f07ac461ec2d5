"""A small geometry and text toolkit used to show what docgap does.

Some of its API is documented by hand; the rest is left for docgap to fill.
"""

from example_pkg._impl import decode
from example_pkg.shapes import Circle, Color, Point, Shape
from example_pkg.text import Tokenizer, tokenize

__all__ = ["Circle", "Color", "Point", "Shape", "Tokenizer", "decode", "tokenize", "VERSION"]

VERSION = "1.4.0"
