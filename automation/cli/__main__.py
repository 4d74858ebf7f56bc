"""`python -m automation.cli`: the command line."""
from automation.cli.app import main

main()
