"""readiness panels (core.panels): filled in by the readiness part of the catalog."""
