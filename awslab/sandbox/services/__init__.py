"""The sandbox's additions to moto, one folder per AWS service, as moto lays out its own:
iam/, account/, sts/, signin/ (the console's sign-in), organizations/ and sso/ (IAM Identity
Center and its access portal). Each module registers its changes inside moto (patches.wraps)
when imported and may have install(app); server.EXTENSIONS names them in order. What spans
services (who is calling, the policy evaluator, the account's state and its saving) stays in
awslab/sandbox/."""
