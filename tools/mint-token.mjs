// Mints a development bearer token: npm run token -- <role> [subject] [hours]. Roles: admin, agent, analyst, integration.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');

const roles = ['admin', 'agent', 'analyst', 'integration'];
const [role = 'agent', subject = `dev-${role}`, hours = '12'] = process.argv.slice(2);
if (!roles.includes(role)) {
  process.stderr.write(`unknown role "${role}"; use one of: ${roles.join(', ')}\n`);
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? 'crm-local-development-secret-not-for-production';
process.stdout.write(
  `${jwt.sign({ roles: [role] }, secret, { algorithm: 'HS256', subject, issuer: 'crm-platform', audience: 'crm-api', expiresIn: Number(hours) * 3600 })}\n`,
);
