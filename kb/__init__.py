"""regkb: answers about EU regulation, with the provisions that give them."""

__version__ = "0.1.0"
