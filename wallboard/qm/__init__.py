"""The QueueMetrics protocol: HTTP client, wire formats, raw blocks, errors."""
