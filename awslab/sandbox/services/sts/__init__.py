"""STS in the sandbox: GetSessionToken and GetCallerIdentity of root and sessions."""
