"""Outbound calls to remote context sources (ETSI GS CIM 009 V1.8 distributed operations)."""
