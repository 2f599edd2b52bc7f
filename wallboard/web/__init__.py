"""The web frontend: pages, the SSE stream, the JSON API."""
