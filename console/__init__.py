"""The web console: server-rendered pages over the other packages' services."""
