"""One order: see docs/DESIGN.md, "The shape of the code"."""
