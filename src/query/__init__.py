"""Query Lambda: the REST API over the events table."""
