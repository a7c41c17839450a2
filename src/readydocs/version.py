"""The package's version, the one place it is written.

pyproject.toml reads it from here (hatch's version source), the package
re-exports it as ``readydocs.__version__``, and modules that stamp it into
their output import it from here rather than from the package, so no module
imports the package that contains it.
"""

__version__ = "0.1.0"
