"""The browser side: see docs/DESIGN.md, "The shape of the code"."""
