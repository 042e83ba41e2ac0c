"""Use cases. The only layer that commits a transaction."""
