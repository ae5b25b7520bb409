"""A test bed of real local servers: fake GitHub (REST + git smart HTTP), scripted model, billing receiver, runner simulator."""
