"""The wiring of one run: what every entry point reads first, and the adapters it opens once."""
