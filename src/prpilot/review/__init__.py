"""Pull request review: the model's structured review, checked against the diff, posted as one GitHub review."""
