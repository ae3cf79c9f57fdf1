"""The console's sign-in in the sandbox: root and IAM users, and the authenticator app."""
