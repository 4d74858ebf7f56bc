"""`python -m automation.cli`: the command line."""
from automation.cli.launcher import run

run()
