"""The Actions layer: inputs, the run context, the runner's file commands, the task file and the steps."""
