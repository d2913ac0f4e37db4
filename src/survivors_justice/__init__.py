"""Survivor's Justice: a survivor-centred prostitution and trafficking policy, carried out."""

__version__ = "0.1.0"
