"""Reports: the figures of the back-office dashboard."""
