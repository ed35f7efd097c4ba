"""gpen: GPEN face restoration.

This source package holds the model tools (``gpen.model``, ``gpen.fast``, ``gpen.export``);
they need only PyTorch.
"""

__version__ = "0.1.0"
