"""suitability panels (core.panels): filled in by the suitability part of the catalog."""
