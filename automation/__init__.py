"""The cancellation assistant: settings, logging, the browser, sessions, the use case and the CLI."""
__version__ = "0.1.0"
