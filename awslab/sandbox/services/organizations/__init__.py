"""AWS Organizations in the sandbox: no organization until one is made."""
