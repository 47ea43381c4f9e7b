"""graphsvc: map a community's complementary resources as a graph, connect them, and show them.

The core (``model``, ``store``, ``analysis``) imports neither ``loaders`` nor ``visualisations``;
only ``graphsvc.api`` and ``graphsvc.cli`` compose all three.
"""

__version__ = "0.1.0"
