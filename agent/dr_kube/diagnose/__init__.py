"""Diagnosis: deterministic analyzers (no key needed) and LLM providers, one Proposal shape."""
