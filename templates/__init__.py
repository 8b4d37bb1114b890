"""The styles shipped with disclosure-gen (package data, found through importlib.resources)."""
