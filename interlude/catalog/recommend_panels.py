"""recommend panels (core.panels): filled in by the recommend part of the catalog."""
