"""What prpilot says on the thread: the Markdown it writes and the status comment."""
