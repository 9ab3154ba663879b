"""FHIR R4 (R4B models of fhir.resources): the mapping, the gate reads, the Bundles."""
