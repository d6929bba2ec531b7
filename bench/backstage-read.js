'use strict';
/*
 * The Backstage reader that issue 13 compares entra2port with: the npm
 * package @backstage/plugin-catalog-backend-module-msgraph, its
 * MicrosoftGraphClient and readMicrosoftGraphOrg (users, the organization,
 * groups and every group's members, then the relations between them:
 * the closest equivalent of entra2port --dry-run over users and groups).
 * bench/bench.py installs the package into a scratch folder (never
 * committed) and runs this against the Graph fake.
 *
 * usage: node backstage-read.js PACKAGE_DIR GRAPH_ROOT AUTHORITY TENANT
 *        CLIENT_ID (client secret in BENCH_GRAPH_SECRET)
 * Prints one JSON line: users, groups, memberships, seconds.
 *
 * The token comes from a TokenCredential made here that asks the fake's
 * token endpoint for client credentials, as ClientSecretCredential does:
 * MSAL, under ClientSecretCredential, accepts only an https authority with
 * Entra's instance metadata, which a loopback fake does not have.  One
 * token request a run, cached, as the real credential caches it.  User
 * photos are not read (loadUserPhotos: false): entra2port reads none.
 */

const [pkgDir, graphRoot, authority, tenant, clientId] =
    process.argv.slice(2);
const secret = process.env.BENCH_GRAPH_SECRET;
const msgraph = require(require.resolve(
    '@backstage/plugin-catalog-backend-module-msgraph', { paths: [pkgDir] }));

class ClientCredentials {
  constructor() {
    this.cached = null;
  }

  /* The fake's audience is its own origin, port included. */
  async getToken() {
    if (this.cached && this.cached.expiresOnTimestamp > Date.now() + 60000)
      return this.cached;
    const body = new URLSearchParams({
      grant_type: 'client_credentials', client_id: clientId,
      client_secret: secret, scope: new URL(graphRoot).origin + '/.default',
    });
    const r = await fetch(`${authority}/${tenant}/oauth2/v2.0/token`,
        { method: 'POST', body });
    if (r.status !== 200)
      throw new Error(`token endpoint: HTTP ${r.status}`);
    const j = await r.json();
    this.cached = { token: j.access_token,
      expiresOnTimestamp: Date.now() + j.expires_in * 1000 };
    return this.cached;
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {},
  child() { return quiet; } };

async function main() {
  const t0 = process.hrtime.bigint();
  const client = new msgraph.MicrosoftGraphClient(graphRoot,
      new ClientCredentials());
  const { users, groups } = await msgraph.readMicrosoftGraphOrg(client,
      tenant, { logger: quiet, loadUserPhotos: false });
  let memberships = 0;
  for (const u of users)
    memberships += (u.spec.memberOf || []).length;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ users: users.length,
    groups: groups.length, memberships, seconds }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`backstage-read: ${e.stack || e}\n`);
  process.exit(1);
});
