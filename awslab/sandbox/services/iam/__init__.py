"""IAM in the sandbox: names and AWS validation, login profiles and password policy, MFA,
the account alias, delete conflicts, policy documents, AWS managed policies, the root user,
each access key's last use and AWS-shaped answers."""
