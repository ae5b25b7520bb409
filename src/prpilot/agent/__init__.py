"""The agent: tools over a confined workspace, the loop, the model adapter."""
