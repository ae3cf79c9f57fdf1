"""Account Management in the sandbox: its calls, the Regions to opt in to, the contacts."""
