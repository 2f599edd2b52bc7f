"""Wallboard: a real-time call-center wallboard on top of QueueMetrics."""

__version__ = "0.1.0"
