// A local OpenID Connect provider for tests/test_auth.py (panva/oidc-provider, a certified implementation).
// Usage: node idp.mjs <port> <jwks.json> <resource> [<redirect uri>]
//   - client `svc` (secret `svc-secret`) gets client-credentials access tokens: JWTs (RS256, signed with the
//     keys of jwks.json, first key first) for <resource>, opaque ones for `urn:opaque`;
//   - client `rs` (secret `rs-secret`) may introspect any token (RFC 7662);
//   - the public keys are served at /jwks. Restart it with another jwks.json to rotate keys;
//   - with a redirect URI, client `proxy` (secret `proxy-secret`) logs users in with the authorization code
//     flow (PKCE, refresh tokens; the development login page takes any login and password, then a consent page), for
//     tests/test_oauth_proxy.py. Its access tokens are JWTs for <resource> that live ACCESS_TTL seconds.
import { readFileSync } from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const [port, keysPath, resource, redirectUri] = process.argv.slice(2);
const accessTTL = Number(process.env.ACCESS_TTL || 300);
const jwks = JSON.parse(readFileSync(keysPath, 'utf8'));
const scope = 'read write admin';

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope },
    { client_id: 'rs', client_secret: 'rs-secret', grant_types: [], redirect_uris: [], response_types: [] },
    ...(redirectUri ? [{
      client_id: 'proxy', client_secret: 'proxy-secret', grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [redirectUri], response_types: ['code'], scope: `openid offline_access ${scope}`,
    }] : []),
  ],
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  jwks,
  scopes: ['openid', 'offline_access', ...scope.split(' ')],
  features: {
    devInteractions: { enabled: Boolean(redirectUri) },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator === resource) {
          return { scope, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: accessTTL, jwt: { sign: { alg: 'RS256' } } };
        }
        if (indicator === 'urn:opaque') {
          return { scope, audience: 'urn:opaque', accessTokenFormat: 'opaque', accessTokenTTL: 300 };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${provider.issuer}`));
