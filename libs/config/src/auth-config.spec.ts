import { loadConfig, ServiceConfig } from './service-config';

const base = { DATABASE_URL: 'postgres://x', KAFKA_BROKERS: 'k:9092', PORT: '3000' };

describe('authentication settings', () => {
  const production = (env: Record<string, string>) => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      return loadConfig(ServiceConfig, { ...base, ...env }, {});
    } finally {
      process.env.NODE_ENV = previous;
    }
  };

  it('refuses production without an identity provider, naming the variable, even with a shared secret', () => {
    expect(() => production({ JWT_SECRET: 'x'.repeat(40) })).toThrow(/AUTH_OIDC_DISCOVERY_URL/);
  });

  it('takes production with an OIDC discovery URL and no shared secret', () => {
    const config = production({
      AUTH_OIDC_DISCOVERY_URL: 'https://idp.example/.well-known/openid-configuration',
    });
    expect(config.AUTH_OIDC_DISCOVERY_URL).toContain('idp.example');
  });

  it('needs a shared secret of 32 characters where no provider is configured, and never prints it', () => {
    let message = '';
    try {
      loadConfig(ServiceConfig, { ...base, JWT_SECRET: 'hunter2-secret' }, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).not.toContain('hunter2');
  });
});
