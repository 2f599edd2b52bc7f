"""The domain: agents, calls and queues derived from QueueMetrics' raw blocks, and their diff."""
