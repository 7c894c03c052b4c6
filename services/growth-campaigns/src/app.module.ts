import type { DynamicModule } from '@nestjs/common';
import { serviceApplication, serviceUrls } from '@crm/service-kit';
import { CampaignsConfig } from './campaigns.config';
import { CampaignHandlers } from './care-actions/campaign.handlers';
import { CareActionsController } from './care-actions/care-actions.controller';
import { CareActionsRepository } from './care-actions/care-actions.repository';
import { CareActionsService } from './care-actions/care-actions.service';
import { CareDispatcher } from './care-actions/care-dispatcher';
import {
  CHANNEL_ADAPTER,
  LogChannelAdapter,
  WebhookChannelAdapter,
  type ChannelAdapter,
} from './care-actions/channel-adapter';
import {
  ChannelRouter,
  InAppAdapter,
  profileAddressBook,
  SmtpEmailAdapter,
  staffAddressBook,
} from './care-actions/drivers';
import {
  STAFF_CHANNEL,
  StaffNotifications,
  StaffNotificationsController,
} from './care-actions/staff-notifications';
import { ContactDeadlinesService } from './cadences/contact-deadlines.service';
import { DateTriggersService } from './dates/date-triggers.service';
import { CAMPAIGN_MIGRATIONS } from './migrations';
import { TemplatesController } from './templates/templates.controller';
import { TemplatesService } from './templates/templates.service';
import { CadencesController } from './cadences/cadences.controller';
import { CadencesService } from './cadences/cadences.service';
import { JourneysController } from './journeys/journeys.controller';
import { JourneysService } from './journeys/journeys.service';
import { CampaignTimersWorker } from './journeys/campaign-timers.worker';

/**
 * The channel drivers: e-mail over SMTP when SMTP_URL is set, in-app as the event itself, and every other
 * channel (SMS and push providers, the people who phone and visit) through the default driver: the signed
 * webhook of a messaging gateway, or the log.
 */
function channelDrivers(config: CampaignsConfig): ChannelAdapter {
  const fallback = defaultDriver(config);
  const profile = serviceUrls(config).get('customer-profile');
  const drivers: Record<string, ChannelAdapter> = { 'in-app': new InAppAdapter() };
  if (config.SMTP_URL) {
    if (!profile) throw new Error('SMTP_URL needs customer-profile in SERVICE_URLS (for delivery addresses)');
    drivers.email = new SmtpEmailAdapter(
      config.SMTP_URL,
      config.MAIL_FROM,
      profileAddressBook(profile, { token: config.SERVICE_TOKEN, jwtSecret: config.JWT_SECRET }),
    );
  }
  return new ChannelRouter(drivers, fallback);
}

/**
 * How escalation steps reach staff: e-mail when SMTP_URL is set, to the address feedback-sla keeps (read at
 * the moment of sending); else the default driver (the messaging gateway's webhook, or the log).
 */
function staffChannel(config: CampaignsConfig): ChannelAdapter {
  if (!config.SMTP_URL) return defaultDriver(config);
  const feedback = serviceUrls(config).get('feedback-sla');
  if (!feedback) throw new Error('SMTP_URL needs feedback-sla in SERVICE_URLS (for staff addresses)');
  return new SmtpEmailAdapter(
    config.SMTP_URL,
    config.MAIL_FROM,
    staffAddressBook(feedback, { token: config.SERVICE_TOKEN, jwtSecret: config.JWT_SECRET }),
  );
}

function defaultDriver(config: CampaignsConfig): ChannelAdapter {
  return config.CARE_CHANNEL_ADAPTER === 'webhook'
    ? new WebhookChannelAdapter({
        url: config.CARE_WEBHOOK_URL!,
        secret: config.CARE_WEBHOOK_SECRET!,
        connectTimeoutMs: config.CARE_WEBHOOK_CONNECT_TIMEOUT_MS,
        totalTimeoutMs: config.CARE_WEBHOOK_TIMEOUT_MS,
      })
    : new LogChannelAdapter();
}

export function appModule(config: CampaignsConfig): DynamicModule {
  return serviceApplication('growth-campaigns', config, CampaignsConfig, {
    migrations: CAMPAIGN_MIGRATIONS,
    controllers: [
      CareActionsController,
      JourneysController,
      CadencesController,
      TemplatesController,
      CampaignHandlers,
      StaffNotificationsController,
    ],
    providers: [
      TemplatesService,
      JourneysService,
      CampaignTimersWorker,
      CadencesService,
      ContactDeadlinesService,
      DateTriggersService,
      CareActionsRepository,
      CareActionsService,
      CareDispatcher,
      { provide: CHANNEL_ADAPTER, useFactory: () => channelDrivers(config) },
      StaffNotifications,
      { provide: STAFF_CHANNEL, useFactory: () => staffChannel(config) },
    ],
  });
}
