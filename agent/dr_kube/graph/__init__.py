"""The LangGraph state machine: load → collect → analyze → validate (retry) → publish."""
