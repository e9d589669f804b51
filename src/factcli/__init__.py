"""factcli: who said what, about what, in news articles."""

__version__ = "0.1.0"
