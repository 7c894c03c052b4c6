import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { mintToken } from '@crm/auth';
import type { ChannelAdapter, OutboundTouch } from './channel-adapter';

/** A touch that can never be delivered as it stands (no address): recorded as suppressed, not retried. */
export class UndeliverableError extends Error {}

/** Where a customer's e-mail address or phone number comes from at the moment of sending. */
export interface AddressBook {
  address(customerId: string, channel: 'email' | 'sms', reason: string): Promise<string | null>;
}

const PEER_TIMEOUT_MS = 5_000;

/**
 * An address read from the service that keeps it, at the moment of sending (role integration): audited or
 * logged there, never stored, logged or published here. A 404 is an unknown recipient: undeliverable.
 */
export class PeerAddressBook implements AddressBook {
  private minted?: { token: string; until: number };

  constructor(
    private readonly baseUrl: string,
    /** The path of a recipient's `delivery-address` endpoint, e.g. `/profile/customers/:id/delivery-address`. */
    private readonly pathOf: (id: string) => string,
    private readonly credentials: { token?: string; jwtSecret?: string },
    private readonly peer: string,
  ) {}

  async address(id: string, channel: 'email' | 'sms', reason: string): Promise<string | null> {
    const response = await fetch(`${this.baseUrl}${this.pathOf(encodeURIComponent(id))}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel, reason }),
      signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
    });
    if (response.status === 404) throw new UndeliverableError(`recipient unknown to ${this.peer}`);
    if (!response.ok) throw new Error(`${this.peer} answered ${response.status} for the delivery address`);
    return ((await response.json()) as { address: string | null }).address;
  }

  private token(): string {
    if (this.credentials.token) return this.credentials.token;
    if (!this.credentials.jwtSecret)
      throw new Error('SERVICE_TOKEN is required to read delivery addresses (no JWT_SECRET to mint one)');
    if (!this.minted || this.minted.until < Date.now()) {
      this.minted = {
        token: mintToken(this.credentials.jwtSecret, 'growth-campaigns', ['integration'], 3600),
        until: Date.now() + 1800_000,
      };
    }
    return this.minted.token;
  }
}

/** customer-profile's `POST /profile/customers/:id/delivery-address`, audited there as `deliver`. */
export const profileAddressBook = (baseUrl: string, credentials: { token?: string; jwtSecret?: string }) =>
  new PeerAddressBook(
    baseUrl,
    (id) => `/profile/customers/${id}/delivery-address`,
    credentials,
    'customer-profile',
  );

/** feedback-sla's `POST /feedback/staff/:id/delivery-address`: a staff member's sealed address. */
export const staffAddressBook = (baseUrl: string, credentials: { token?: string; jwtSecret?: string }) =>
  new PeerAddressBook(baseUrl, (id) => `/feedback/staff/${id}/delivery-address`, credentials, 'feedback-sla');

/** The Message-ID of a touch: the same for every retry, so a mail system can drop a repeat. */
export function messageIdOf(idempotencyKey: string, domain = 'crm.local'): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** E-mail over SMTP (nodemailer): the rendered template, to the address customer-profile gives at send time. */
export class SmtpEmailAdapter implements ChannelAdapter {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly addresses: AddressBook,
  ) {
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async deliver(touch: OutboundTouch): Promise<void> {
    if (!touch.message) throw new Error(`no template to write ${touch.action} with`);
    const to = await this.addresses.address(touch.customerId, 'email', `care action ${touch.careActionId}`);
    if (!to) throw new UndeliverableError('the recipient has no e-mail address');
    await this.transport.sendMail({
      from: this.from,
      to,
      subject: touch.message.subject,
      text: touch.message.body,
      messageId: messageIdOf(touch.idempotencyKey),
      headers: {
        'X-CRM-Touch': touch.careActionId,
        'X-CRM-Template': `${touch.message.template}/${touch.message.locale}`,
        ...(touch.purpose === 'marketing'
          ? { 'List-Unsubscribe': `<${touch.message.unsubscribe ?? ''}>` }
          : {}),
      },
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** In-app: the `care action triggered` event (with template and locale) is the message the app shows. */
export class InAppAdapter implements ChannelAdapter {
  async deliver(): Promise<void> {}
}

/** Picks the driver of a touch's channel; channels without their own go to the default driver. */
export class ChannelRouter implements ChannelAdapter {
  private readonly logger = new Logger(ChannelRouter.name);

  constructor(
    private readonly drivers: Partial<Record<string, ChannelAdapter>>,
    private readonly fallback: ChannelAdapter,
  ) {
    this.logger.log({
      msg: 'channel drivers',
      drivers: Object.fromEntries(Object.entries(drivers).map(([c, d]) => [c, d?.constructor.name])),
      default: fallback.constructor.name,
    });
  }

  deliver(touch: OutboundTouch): Promise<void> {
    return (this.drivers[touch.channel] ?? this.fallback).deliver(touch);
  }
}
