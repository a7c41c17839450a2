"""readydocs: readiness assessment for Mobility Action Planning, from an Excel intake to Word documents."""

__version__ = "0.1.0"
