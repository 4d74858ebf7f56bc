"""Many orders: see docs/DESIGN.md, "The shape of the code"."""
