"""Demo data for `make run` (`guichet demo`), never for a real deployment.

The top layer: it may import every app, and nothing in the package imports it (the bench, outside
the package, borrows its units, profiles and `apply_steps`). See docs/demo.md.
"""
