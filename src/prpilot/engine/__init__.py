"""TaskEngine: the working branch, the agent run, the commit and push, the pull request, the ending."""
