// Notebooks 02-03's tutorial with the AWS SDK for JavaScript v3 (its own SigV4 signer, its
// own XML and JSON parsers), against the sandbox, for tests/sandbox/test_javascript_sdk.py.
//
// Environment: AWSLAB_ENDPOINT (the sandbox's URL), AWSLAB_PREFIX (unique names),
// AWSLAB_REGION_CODE (an opt-in Region to enable), and root's keys in AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY. Writes one JSON object on stdout: every call in order with its
// outcome ({"call", "ok"} or {"call", "ok": false, "error": {"name", "message"}}), and what the
// test checks beside it. Secrets are never written.
'use strict'
const iam = require('@aws-sdk/client-iam')
const sts = require('@aws-sdk/client-sts')
const account = require('@aws-sdk/client-account')

const endpoint = process.env.AWSLAB_ENDPOINT
const prefix = process.env.AWSLAB_PREFIX
const regionCode = process.env.AWSLAB_REGION_CODE
const region = 'us-east-1'
const root = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY
}
const options = (credentials) => ({ region, endpoint, credentials, maxAttempts: 1 })

const group = `${prefix}-admins`
const user = `${prefix}-ana`
const alias = `${prefix}-alias`
const tags = [
  { Key: 'team', Value: 'Équipe sécurité' },
  { Key: 'city', Value: 'Zürich' },
  { Key: 'name', Value: 'Ana Núñez' },
  { Key: 'kanji', Value: '東京' }
]
const password = 'Tut0rial-' + prefix + '-Pw!'

const calls = []
const out = { calls }

async function call(name, client, command) {
  try {
    const answer = await client.send(command)
    calls.push({ call: name, ok: true })
    return answer
  } catch (error) {
    calls.push({ call: name, ok: false, error: { name: error.name, message: error.message } })
    return null
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function main() {
  const asRoot = new iam.IAMClient(options(root))
  const rootAccount = new account.AccountClient(options(root))

  // 02: an administrators group, a user with tags, a password, a key, the group.
  await call('CreateGroup', asRoot, new iam.CreateGroupCommand({ GroupName: group }))
  await call('AttachGroupPolicy', asRoot, new iam.AttachGroupPolicyCommand({
    GroupName: group, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess'
  }))
  const created = await call('CreateUser', asRoot, new iam.CreateUserCommand({ UserName: user, Tags: tags }))
  out.createdArn = created && created.User.Arn
  await call('CreateLoginProfile', asRoot, new iam.CreateLoginProfileCommand({
    UserName: user, Password: password, PasswordResetRequired: true
  }))
  const key = await call('CreateAccessKey', asRoot, new iam.CreateAccessKeyCommand({ UserName: user }))
  await call('AddUserToGroup', asRoot, new iam.AddUserToGroupCommand({ GroupName: group, UserName: user }))
  const listed = await call('ListUserTags', asRoot, new iam.ListUserTagsCommand({ UserName: user }))
  out.tagsSent = tags
  out.tagsRead = listed && listed.Tags
  const got = await call('GetUser', asRoot, new iam.GetUserCommand({ UserName: user }))
  out.userTagsRead = got && got.User.Tags
  const members = await call('GetGroup', asRoot, new iam.GetGroupCommand({ GroupName: group }))
  out.members = members && members.Users.map((u) => u.UserName)
  const attached = await call('ListAttachedGroupPolicies', asRoot,
    new iam.ListAttachedGroupPoliciesCommand({ GroupName: group }))
  out.attached = attached && attached.AttachedPolicies.map((p) => p.PolicyName)

  // 03: an account alias, the Regions, one opt-in Region enabled.
  const before = await call('ListAccountAliases', asRoot, new iam.ListAccountAliasesCommand({}))
  out.aliasBefore = before && before.AccountAliases
  await call('CreateAccountAlias', asRoot, new iam.CreateAccountAliasCommand({ AccountAlias: alias }))
  const after = await call('ListAccountAliases', asRoot, new iam.ListAccountAliasesCommand({}))
  out.aliasAfter = after && after.AccountAliases
  const regions = []
  let token
  do {
    const page = await call('ListRegions', rootAccount, new account.ListRegionsCommand({
      MaxResults: 10, NextToken: token
    }))
    if (!page) break
    regions.push(...page.Regions)
    token = page.NextToken
  } while (token)
  out.regions = regions.map((r) => [r.RegionName, r.RegionOptStatus])
  await call('EnableRegion', rootAccount, new account.EnableRegionCommand({ RegionName: regionCode }))
  const status = await call('GetRegionOptStatus', rootAccount,
    new account.GetRegionOptStatusCommand({ RegionName: regionCode }))
  out.regionStatus = status && status.RegionOptStatus

  // The new user signs in with its own key: who am I, and may it act as an administrator?
  if (key) {
    const mine = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey }
    let identity = null
    for (let tries = 0; tries < 20 && !identity; tries++) {
      identity = await call('GetCallerIdentity', new sts.STSClient(options(mine)),
        new sts.GetCallerIdentityCommand({}))
      if (!identity) await sleep(250)
    }
    out.identity = identity && { Arn: identity.Arn, Account: identity.Account, UserId: identity.UserId }
    const asUser = new iam.IAMClient(options(mine))
    const users = await call('ListUsers (as the new user)', asUser, new iam.ListUsersCommand({}))
    out.usersSeenByUser = users && users.Users.map((u) => u.UserName)
    // Clean up as 99 does: the user's own key last.
    await call('DeleteAccessKey', asRoot, new iam.DeleteAccessKeyCommand({
      UserName: user, AccessKeyId: key.AccessKey.AccessKeyId
    }))
  }
  await call('RemoveUserFromGroup', asRoot, new iam.RemoveUserFromGroupCommand({ GroupName: group, UserName: user }))
  await call('DeleteLoginProfile', asRoot, new iam.DeleteLoginProfileCommand({ UserName: user }))
  await call('DeleteUser', asRoot, new iam.DeleteUserCommand({ UserName: user }))
  await call('DetachGroupPolicy', asRoot, new iam.DetachGroupPolicyCommand({
    GroupName: group, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess'
  }))
  await call('DeleteGroup', asRoot, new iam.DeleteGroupCommand({ GroupName: group }))
  await call('DeleteAccountAlias', asRoot, new iam.DeleteAccountAliasCommand({ AccountAlias: alias }))
  if (out.aliasBefore && out.aliasBefore.length) {
    await call('CreateAccountAlias (the one before)', asRoot,
      new iam.CreateAccountAliasCommand({ AccountAlias: out.aliasBefore[0] }))
  }
  const gone = await call('GetUser (after the clean-up)', asRoot, new iam.GetUserCommand({ UserName: user }))
  out.userAfterCleanUp = gone ? 'still there' : calls[calls.length - 1].error.name
  calls.pop() // that call is meant to fail: its outcome is in userAfterCleanUp
}

main()
  .then(() => process.stdout.write(JSON.stringify(out)))
  .catch((error) => {
    process.stdout.write(JSON.stringify({ ...out, crashed: String(error && error.stack ? error.stack : error) }))
  })
