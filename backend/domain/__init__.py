"""Plain-Python rules of the inspection loop: no Flask, no MongoDB imports."""
