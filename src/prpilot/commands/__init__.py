"""One module per CLI verb (worker, run-task, spend, demo), each a function returning an exit code."""
