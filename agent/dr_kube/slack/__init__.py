"""Slack: one thread per incident, copilot approvals, signed interactivity."""
