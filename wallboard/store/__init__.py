"""Redis: the snapshot, the change stream and the poller's lease."""
