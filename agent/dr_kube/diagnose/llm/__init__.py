"""LLM providers (Gemini, Ollama) behind the same `Provider` interface as the analyzers."""
