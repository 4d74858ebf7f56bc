"""The command line: see docs/DESIGN.md, "The shape of the code"."""
