import os as _os

VERSION = "0.1.0"

# The tool uses no pydantic plugins; without this, pydantic scans every installed distribution's
# entry points (importlib.metadata) on the first model, a sixth of a `check` run.
_os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
