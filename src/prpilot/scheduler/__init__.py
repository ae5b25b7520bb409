"""TaskScheduler: admission (permission, budget, rate limit), acknowledgement and strategies."""
