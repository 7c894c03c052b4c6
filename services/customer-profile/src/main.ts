import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { PROFILE_DEFAULTS, PROFILE_LOCAL_SECRETS, ProfileConfig } from './profile.config';

runCatalogService('customer-profile', {
  configClass: ProfileConfig,
  defaults: PROFILE_DEFAULTS,
  localOnly: PROFILE_LOCAL_SECRETS,
  module: appModule,
  description: 'Customers, contacts (encrypted), consents and purchases; the source of the purchase cascade.',
  // Streamed imports of a whole archive outlast Node's 300 s request limit: no limit while data flows,
  // and a socket with nothing moving for a minute is closed.
  http: { requestTimeoutMs: 0, idleTimeoutMs: 60_000 },
});
