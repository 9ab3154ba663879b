"""FHIR R4 (R4B models of `fhir.resources`): the mapping, the reads through the gate, the Bundles."""
