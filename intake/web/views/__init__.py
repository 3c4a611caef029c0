"""One module per page (or group of pages that share a URL prefix)."""
