"""The runner simulator: a workflow job, a composite action's steps, expressions, step processes."""
