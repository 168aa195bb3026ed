"""``fkit audit`` (placeholder replaced below by the real command)."""
