"""The poller: one real-time request per interval, whoever is watching."""
