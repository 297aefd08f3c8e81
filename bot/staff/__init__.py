"""The staff side: who may act on reports (registry, roles, link codes) and the authorization check."""
