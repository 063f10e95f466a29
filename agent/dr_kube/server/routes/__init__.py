"""One router per webhook or API; `server.app` includes them in this order."""
