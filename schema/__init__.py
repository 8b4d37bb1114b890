"""The JSON Schema of the input format, shipped with the package."""
