"""Fails to import: the provider logs it and loads the other files."""

raise RuntimeError("this file is broken")
