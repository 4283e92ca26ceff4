"""Context source registrations (ETSI GS CIM 009 clauses 5.9, 6.8-6.10) and the data the
distributed operations use (`sources.py`)."""
