"""IAM Identity Center in the sandbox: the instance, people, permission sets and assignments,
and the access portal with sso-oidc's device flow."""
