"""Reads for screens, one module per area. Every queryset a view shows starts here,
scoped to what the user may see; an object outside that scope is a 404, not a 403, so
its existence is not told."""
