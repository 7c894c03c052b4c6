import { randomUUID } from 'node:crypto';
import { HttpException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConsentChanged,
  CustomerErased,
  CustomerRegistered,
  CustomerUpdated,
  type ConsentV1,
  type CustomerRegisteredV1,
} from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { mask, PiiCipher, type CustomerFields } from '@crm/privacy';
import { conflict, invalid, isUniqueViolation, notFound } from '@crm/service-kit';
import { ConsentEntity } from './consent.entity';
import { CustomerEntity } from './customer.entity';
import { DataKeys, type StoredDataKey } from './data-keys';
import { oneByOne, type BulkOutcome, type BulkWriteOptions } from '../bulk/bulk-outcome';
import { insertMany, queryRows, type BulkColumnType } from '@crm/persistence';
import type {
  ConsentDto,
  ContactDto,
  RegisterCustomerDto,
  SetConsentsDto,
  UpdateCustomerDto,
} from './register-customer.dto';
import { customerErased, CustomerErrorCode, emailTaken } from './customer.errors';
import { PERSONAL_FIELDS, PersonalDataAudit, type PersonalField } from './personal-data-audit';

/** Channels whose driver needs the customer's address. */
export const DELIVERY_CHANNELS = ['email', 'sms'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

interface NewCustomer {
  customer: CustomerEntity;
  key: StoredDataKey;
  consents: ConsentEntity[];
}

/** A new customer's columns, for a bulk insert. */
const CUSTOMER_COLUMNS = {
  id: 'uuid',
  external_ref: 'text',
  kind: 'text',
  name_enc: 'text',
  email_enc: 'text',
  phone_enc: 'text',
  contacts_enc: 'text',
  birthday_enc: 'text',
  email_hash: 'text',
  name_hash: 'text',
  phone_hash: 'text',
  industry: 'text',
  company_size: 'text',
  need_tags: 'text[]',
  birthday_month_day: 'text',
  registered_at: 'timestamptz',
  relationship_started_at: 'timestamptz',
  referred_by_code: 'text',
  acquisition_channel: 'text',
  acquisition_cost: 'numeric',
  owner: 'text',
  time_zone: 'text',
  locale: 'text',
  contact_frequency: 'text',
  lifetime_spend: 'numeric',
  lifetime_purchase_count: 'int',
} as const satisfies Record<string, BulkColumnType>;

function customerRow(c: CustomerEntity): Record<keyof typeof CUSTOMER_COLUMNS, unknown> {
  return {
    id: c.id,
    external_ref: c.externalRef,
    kind: c.kind,
    name_enc: c.nameEnc,
    email_enc: c.emailEnc,
    phone_enc: c.phoneEnc,
    contacts_enc: c.contactsEnc,
    birthday_enc: c.birthdayEnc,
    email_hash: c.emailHash,
    name_hash: c.nameHash,
    phone_hash: c.phoneHash,
    industry: c.industry,
    company_size: c.companySize,
    need_tags: c.needTags,
    birthday_month_day: c.birthdayMonthDay,
    registered_at: c.registeredAt,
    relationship_started_at: c.relationshipStartedAt,
    referred_by_code: c.referredByCode,
    acquisition_channel: c.acquisitionChannel,
    acquisition_cost: c.acquisitionCost,
    owner: c.owner,
    time_zone: c.timeZone,
    locale: c.locale,
    contact_frequency: c.contactFrequency,
    lifetime_spend: c.lifetimeSpend,
    lifetime_purchase_count: c.lifetimePurchaseCount,
  };
}

const externalRefTaken = (externalRef: string) =>
  conflict(
    CustomerErrorCode.ExternalRefTaken,
    'externalRef',
    `a customer with externalRef ${externalRef} already exists`,
  );

export interface CustomerView {
  id: string;
  externalRef: string;
  kind: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  contacts: ContactDto[];
  industry: string | null;
  companySize: string | null;
  needTags: string[];
  owner: string | null;
  timeZone: string | null;
  locale: string | null;
  contactFrequency: string;
  registeredAt: string;
  relationshipStartedAt: string;
  referralCode: string | null;
  consents: { channel: string; purpose: string; granted: boolean; changedAt: string }[];
  aggregates: {
    lifetimeSpend: number;
    lifetimePurchaseCount: number;
    firstPurchaseAt: string | null;
    lastPurchaseAt: string | null;
  };
  erased: boolean;
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly cipher: PiiCipher,
    private readonly keys: DataKeys,
    private readonly audit: PersonalDataAudit,
  ) {}

  async register(
    dto: RegisterCustomerDto,
    correlationId: string,
    options: { historical?: boolean } = {},
  ): Promise<CustomerView> {
    const now = new Date();
    const fresh = this.newCustomer(dto, now);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(CustomerEntity, fresh.customer);
        await this.keys.storeAll(manager, [fresh.key]);
        if (fresh.consents.length > 0) await manager.insert(ConsentEntity, fresh.consents);
        await this.outbox.publish(manager, CustomerRegistered, this.registeredPayload(fresh), {
          subject: fresh.customer.id,
          correlationId,
          time: now,
          historical: options.historical,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'customers_external_ref_key')) throw externalRefTaken(dto.externalRef);
      if (isUniqueViolation(error, 'customers_email_hash_key')) throw emailTaken();
      throw error;
    }
    return this.get(fresh.customer.id);
  }

  /**
   * Registers many customers in one transaction (a bulk import): the same rules and the same events as
   * `register`, with a few set-based statements instead of a transaction per customer. Each entry's outcome
   * comes back in order: created, or the error `register` would have thrown (a taken externalRef or e-mail,
   * in the database or earlier in the same call). `alsoInTransaction` runs in the same transaction, before
   * it commits, with those outcomes (an import's checkpoint). Should a concurrent writer take a reference in
   * the meantime, the call falls back to one `register` per entry and runs `alsoInTransaction` after them.
   */
  async registerMany(
    dtos: RegisterCustomerDto[],
    correlationId: string,
    options: BulkWriteOptions = {},
  ): Promise<BulkOutcome[]> {
    const now = new Date();
    const outcomes: BulkOutcome[] = dtos.map(() => ({ created: true }));
    const fresh: Array<{ index: number } & NewCustomer> = [];
    const refs = new Set<string>();
    const emails = new Set<string>();
    dtos.forEach((dto, index) => {
      try {
        const candidate = this.newCustomer(dto, now);
        const { externalRef, emailHash } = candidate.customer;
        if (refs.has(externalRef)) throw externalRefTaken(externalRef);
        if (emailHash && emails.has(emailHash)) throw emailTaken();
        refs.add(externalRef);
        if (emailHash) emails.add(emailHash);
        fresh.push({ index, ...candidate });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        outcomes[index] = { created: false, error };
      }
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        const taken = await queryRows<{ external_ref: string; email_hash: string | null }>(
          manager,
          'SELECT external_ref, email_hash FROM customers WHERE external_ref = ANY($1) OR email_hash = ANY($2)',
          [[...refs], [...emails]],
        );
        const takenRefs = new Set(taken.map((t) => t.external_ref));
        const takenEmails = new Set(taken.map((t) => t.email_hash));
        const writing = fresh.filter(({ index, customer }) => {
          const error = takenRefs.has(customer.externalRef)
            ? externalRefTaken(customer.externalRef)
            : customer.emailHash && takenEmails.has(customer.emailHash)
              ? emailTaken()
              : undefined;
          if (error) outcomes[index] = { created: false, error };
          return !error;
        });
        await insertMany(
          manager,
          'customers',
          CUSTOMER_COLUMNS,
          writing.map((c) => customerRow(c.customer)),
        );
        await insertMany(
          manager,
          'consents',
          {
            customer_id: 'uuid',
            channel: 'text',
            purpose: 'text',
            granted: 'boolean',
            changed_at: 'timestamptz',
          },
          writing.flatMap((c) =>
            c.consents.map((consent) => ({
              customer_id: consent.customerId,
              channel: consent.channel,
              purpose: consent.purpose,
              granted: consent.granted,
              changed_at: consent.changedAt,
            })),
          ),
        );
        await this.keys.storeAll(
          manager,
          writing.map((c) => c.key),
        );
        await this.outbox.publishMany(
          manager,
          writing.map((c) => ({
            definition: CustomerRegistered,
            payload: this.registeredPayload(c),
            meta: { subject: c.customer.id, correlationId, time: now, historical: options.historical },
          })),
          // New customers: no one else can write their events yet. Payloads come from validated requests.
          { subjectsLockedByCaller: true, validation: 'sample' },
        );
        await options.alsoInTransaction?.(manager, outcomes);
      });
      return outcomes;
    } catch (error) {
      if (
        !isUniqueViolation(error, 'customers_external_ref_key') &&
        !isUniqueViolation(error, 'customers_email_hash_key')
      )
        throw error;
    }
    return oneByOne(
      this.dataSource,
      dtos,
      async (dto) => {
        await this.register(dto, correlationId, options);
        return true;
      },
      options.alsoInTransaction,
    );
  }

  /** A new customer's row, data key and consents, its personal data sealed; throws what the request breaks. */
  private newCustomer(dto: RegisterCustomerDto, now: Date): NewCustomer {
    const registeredAt = dto.registeredAt ? new Date(dto.registeredAt) : now;
    const relationshipStartedAt = dto.relationshipStartedAt
      ? new Date(dto.relationshipStartedAt)
      : registeredAt;
    if (registeredAt > now) throw invalid('registeredAt', 'must not be in the future');
    const id = randomUUID();
    const dataKey = this.keys.create(id);
    const { fields } = dataKey;
    const customer = Object.assign(new CustomerEntity(), {
      id,
      externalRef: dto.externalRef,
      kind: dto.kind,
      nameEnc: fields.seal('name', dto.name),
      emailEnc: fields.seal('email', dto.email),
      phoneEnc: fields.seal('phone', dto.phone),
      contactsEnc: dto.contacts ? fields.seal('contacts', JSON.stringify(dto.contacts)) : null,
      birthdayEnc: fields.seal('birthday', dto.birthday),
      emailHash: this.cipher.hashEmail(dto.email),
      nameHash: this.cipher.hashName(dto.name),
      phoneHash: this.cipher.hashPhone(dto.phone),
      industry: dto.industry ?? null,
      companySize: dto.companySize ?? null,
      needTags: dto.needTags ?? [],
      birthdayMonthDay: dto.birthday ? dto.birthday.slice(5) : null,
      registeredAt,
      relationshipStartedAt,
      referredByCode: dto.referralCode ?? null,
      acquisitionChannel: dto.acquisitionChannel ?? null,
      acquisitionCost: dto.acquisitionCost ?? null,
      owner: dto.owner ?? null,
      timeZone: dto.timeZone ?? null,
      locale: dto.locale ?? null,
      contactFrequency: dto.contactFrequency ?? 'normal',
      lifetimeSpend: 0,
      lifetimePurchaseCount: 0,
    } satisfies Partial<CustomerEntity>);
    const consents = (dto.consents ?? []).map((c) => this.consentEntity(customer.id, c, now));
    return { customer, key: dataKey.stored, consents };
  }

  private registeredPayload({ customer, consents }: NewCustomer): CustomerRegisteredV1 {
    return {
      customerId: customer.id,
      externalRef: customer.externalRef,
      kind: customer.kind,
      industry: customer.industry ?? undefined,
      companySize: customer.companySize ?? undefined,
      birthdayMonthDay: customer.birthdayMonthDay ?? undefined,
      registeredAt: customer.registeredAt.toISOString(),
      relationshipStartedAt: customer.relationshipStartedAt.toISOString(),
      referredByCode: customer.referredByCode ?? undefined,
      acquisitionChannel: customer.acquisitionChannel ?? undefined,
      acquisitionCost: customer.acquisitionCost ?? undefined,
      owner: customer.owner ?? undefined,
      ...this.contactPreferences(customer),
      emailHash: customer.emailHash ?? undefined,
      phoneHash: customer.phoneHash ?? undefined,
      consents: consents.map((c) => this.consentPayload(c)),
    };
  }

  /** A customer, personal data masked but for the `revealed` fields (only `reveal()` names any). */
  async get(
    id: string,
    revealed: ReadonlySet<PersonalField> = new Set(),
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CustomerView> {
    const customer = await manager.findOneBy(CustomerEntity, { id });
    if (!customer) throw notFound('customer', id);
    const consents = await manager.findBy(ConsentEntity, { customerId: id });
    return this.view(customer, await this.keys.fields(manager, id), consents, revealed);
  }

  async exists(id: string): Promise<boolean> {
    return this.dataSource.manager.existsBy(CustomerEntity, { id });
  }

  async findByExternalRef(externalRef: string): Promise<CustomerView> {
    const customer = await this.dataSource.manager.findOneBy(CustomerEntity, { externalRef });
    if (!customer) throw notFound('customer with externalRef', externalRef);
    return this.get(customer.id);
  }

  /** Customers with exactly this name (blind index; case and spacing aside), masked like any read. */
  async findByName(name: string, limit = 50): Promise<CustomerView[]> {
    const hash = this.cipher.hashName(name);
    if (!hash) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      'SELECT id FROM customers WHERE name_hash = $1 AND erased_at IS NULL ORDER BY external_ref LIMIT $2',
      [hash, limit],
    );
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  /**
   * Fills the name index of customers registered before it existed, a batch at a time (their data keys open
   * the names in memory only); answers how many it indexed.
   */
  async indexNames(batch = 200): Promise<number> {
    let indexed = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        const rows: { id: string; name_enc: string }[] = await manager.query(
          `SELECT id, name_enc FROM customers
            WHERE name_hash IS NULL AND name_enc IS NOT NULL AND erased_at IS NULL
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batch],
        );
        for (const row of rows) {
          const fields = await this.keys.fields(manager, row.id);
          const hash = fields ? this.cipher.hashName(fields.open('name', row.name_enc)) : null;
          // An empty hash marks a row whose name cannot be read (no key): it is not picked up again.
          await manager.query('UPDATE customers SET name_hash = $2 WHERE id = $1', [row.id, hash ?? '']);
        }
        return rows.length;
      });
      indexed += done;
      if (done < batch) return indexed;
    }
  }

  /** An owner's book of customers by reference, each masked like any read; `total` counts them all. */
  async ownedBy(
    owner: string,
    limit: number,
  ): Promise<{ owner: string; total: number; customers: CustomerView[] }> {
    const rows: { id: string; total: number }[] = await this.dataSource.query(
      `SELECT id, count(*) OVER ()::int AS total FROM customers WHERE owner = $1 ORDER BY external_ref LIMIT $2`,
      [owner, limit],
    );
    const customers = await Promise.all(rows.map((r) => this.get(r.id)));
    return { owner, total: rows[0]?.total ?? 0, customers };
  }

  /** Assigns the account owner; `customer updated` carries it to the services that route tasks. */
  async setOwner(id: string, owner: string, correlationId: string): Promise<CustomerView> {
    await this.dataSource.transaction(async (manager) => {
      const customer = await this.lockLiveCustomer(manager, id);
      if (customer.owner === owner) return;
      customer.owner = owner;
      await this.saveAndAnnounce(manager, customer, ['owner'], correlationId);
    });
    return this.get(id);
  }

  /** Time zone, language and contact frequency, as events carry them. */
  private contactPreferences(customer: CustomerEntity) {
    return {
      timeZone: customer.timeZone ?? undefined,
      locale: customer.locale ?? undefined,
      contactFrequency: customer.contactFrequency,
    };
  }

  /** Saves a changed customer and publishes `customer updated` with the non-personal fields as they now are. */
  private async saveAndAnnounce(
    manager: EntityManager,
    customer: CustomerEntity,
    changedFields: string[],
    correlationId: string,
  ): Promise<void> {
    customer.updatedAt = new Date();
    await manager.save(customer);
    await this.outbox.publish(
      manager,
      CustomerUpdated,
      {
        customerId: customer.id,
        changedFields,
        industry: customer.industry ?? undefined,
        companySize: customer.companySize ?? undefined,
        owner: customer.owner ?? undefined,
        ...this.contactPreferences(customer),
      },
      { subject: customer.id, correlationId },
    );
  }

  async update(id: string, dto: UpdateCustomerDto, correlationId: string): Promise<CustomerView> {
    const changedFields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    if (changedFields.length === 0) throw invalid('body', 'name at least one field to change');
    try {
      await this.dataSource.transaction(async (manager) => {
        const customer = await this.lockLiveCustomer(manager, id);
        const fields = await this.keys.fields(manager, id);
        if (!fields) throw customerErased(id);
        if (dto.name !== undefined) {
          customer.nameEnc = fields.seal('name', dto.name);
          customer.nameHash = this.cipher.hashName(dto.name);
        }
        if (dto.email !== undefined) {
          customer.emailEnc = fields.seal('email', dto.email);
          customer.emailHash = this.cipher.hashEmail(dto.email);
        }
        if (dto.phone !== undefined) {
          customer.phoneEnc = fields.seal('phone', dto.phone);
          customer.phoneHash = this.cipher.hashPhone(dto.phone);
        }
        if (dto.industry !== undefined) customer.industry = dto.industry;
        if (dto.companySize !== undefined) customer.companySize = dto.companySize;
        if (dto.needTags !== undefined) customer.needTags = dto.needTags;
        if (dto.timeZone !== undefined) customer.timeZone = dto.timeZone;
        if (dto.locale !== undefined) customer.locale = dto.locale;
        if (dto.contactFrequency !== undefined) customer.contactFrequency = dto.contactFrequency;
        await this.saveAndAnnounce(manager, customer, changedFields, correlationId);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'customers_email_hash_key')) throw emailTaken();
      throw error;
    }
    return this.get(id);
  }

  async setConsents(id: string, dto: SetConsentsDto, correlationId: string): Promise<CustomerView> {
    const now = new Date();
    await this.dataSource.transaction(async (manager) => {
      await this.lockLiveCustomer(manager, id);
      for (const consent of dto.consents) {
        const existing = await manager.findOneBy(ConsentEntity, {
          customerId: id,
          channel: consent.channel,
          purpose: consent.purpose,
        });
        if (existing?.granted === consent.granted) continue;
        const entity = this.consentEntity(id, consent, now);
        await manager.save(entity);
        await this.outbox.publish(
          manager,
          ConsentChanged,
          { customerId: id, ...this.consentPayload(entity) },
          { subject: id, correlationId },
        );
      }
    });
    return this.get(id);
  }

  /**
   * Reveals personal data: an explicit act, recorded (who, which customer, which fields, why) in the audit log
   * before anything is shown.
   */
  async reveal(
    id: string,
    actor: string,
    reason: string,
    fields: readonly PersonalField[],
  ): Promise<CustomerView> {
    await this.dataSource.transaction(async (manager) => {
      await this.lockLiveCustomer(manager, id);
      await this.audit.record(manager, { actor, action: 'reveal', customerId: id, fields, reason });
    });
    return this.get(id, new Set(fields));
  }

  /**
   * The address a touch goes to (an e-mail address or a phone number), for the channel driver that sends it:
   * audited as `deliver` with the care action as the reason. Null when the customer has none, or is erased.
   */
  async deliveryAddress(
    id: string,
    actor: string,
    channel: DeliveryChannel,
    reason: string,
  ): Promise<{ channel: DeliveryChannel; address: string | null }> {
    const field = channel === 'email' ? 'email' : 'phone';
    return this.dataSource.transaction(async (manager) => {
      const customer = await manager.findOne(CustomerEntity, {
        where: { id },
        lock: { mode: 'pessimistic_read' },
      });
      if (!customer) throw notFound('customer', id);
      const fields = await this.keys.fields(manager, id);
      const sealed = field === 'email' ? customer.emailEnc : customer.phoneEnc;
      if (!fields || customer.erasedAt || !sealed) return { channel, address: null };
      await this.audit.record(manager, { actor, action: 'deliver', customerId: id, fields: [field], reason });
      return { channel, address: fields.open(field, sealed) };
    });
  }

  /** Crypto-shredding: the data key is destroyed, hashes removed, and every service told to purge. */
  async erase(
    id: string,
    correlationId: string,
    actor = 'system',
    reason = 'erasure request',
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const customer = await this.lockCustomer(manager, id);
      if (customer.erasedAt) return;
      await this.audit.record(manager, {
        actor,
        action: 'erase',
        customerId: id,
        fields: [...PERSONAL_FIELDS],
        reason,
      });
      await this.keys.destroy(manager, id);
      Object.assign(customer, {
        nameEnc: null,
        emailEnc: null,
        phoneEnc: null,
        contactsEnc: null,
        birthdayEnc: null,
        emailHash: null,
        nameHash: null,
        phoneHash: null,
        birthdayMonthDay: null,
        erasedAt: new Date(),
      });
      await manager.save(customer);
      await this.outbox.publish(
        manager,
        CustomerErased,
        { customerId: id, erasedAt: customer.erasedAt!.toISOString() },
        { subject: id, correlationId },
      );
    });
  }

  /** Locks a customer that can still be written to; an erased one answers 410. */
  async lockLiveCustomer(manager: EntityManager, id: string): Promise<CustomerEntity> {
    const customer = await this.lockCustomer(manager, id);
    if (customer.erasedAt) throw customerErased(id);
    return customer;
  }

  async lockCustomer(manager: EntityManager, id: string): Promise<CustomerEntity> {
    const customer = await manager.findOne(CustomerEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!customer) throw notFound('customer', id);
    return customer;
  }

  private consentEntity(customerId: string, consent: ConsentDto, changedAt: Date): ConsentEntity {
    return Object.assign(new ConsentEntity(), {
      customerId,
      channel: consent.channel,
      purpose: consent.purpose,
      granted: consent.granted,
      changedAt,
    });
  }

  private consentPayload(consent: ConsentEntity): ConsentV1 {
    return {
      channel: consent.channel,
      purpose: consent.purpose,
      granted: consent.granted,
      changedAt: consent.changedAt.toISOString(),
    };
  }

  private view(
    customer: CustomerEntity,
    fields: CustomerFields | null,
    consents: ConsentEntity[],
    revealed: ReadonlySet<PersonalField>,
  ): CustomerView {
    const shows = (field: PersonalField) => revealed.has(field);
    const read = (sealed: string | null, field: PersonalField): string | null => {
      const plain = fields?.open(field, sealed) ?? null;
      return shows(field) ? plain : mask(plain);
    };
    const sealedContacts = fields?.open('contacts', customer.contactsEnc);
    const contacts = sealedContacts ? (JSON.parse(sealedContacts) as ContactDto[]) : [];
    return {
      id: customer.id,
      externalRef: customer.externalRef,
      kind: customer.kind,
      name: read(customer.nameEnc, 'name'),
      email: read(customer.emailEnc, 'email'),
      phone: read(customer.phoneEnc, 'phone'),
      birthday: read(customer.birthdayEnc, 'birthday'),
      contacts: shows('contacts')
        ? contacts
        : contacts.map((c) => ({ name: mask(c.name) ?? '', decisionRole: c.decisionRole })),
      industry: customer.industry,
      companySize: customer.companySize,
      needTags: customer.needTags,
      owner: customer.owner,
      timeZone: customer.timeZone,
      locale: customer.locale,
      contactFrequency: customer.contactFrequency,
      registeredAt: customer.registeredAt.toISOString(),
      relationshipStartedAt: customer.relationshipStartedAt.toISOString(),
      referralCode: customer.referredByCode,
      consents: consents.map((c) => ({
        channel: c.channel,
        purpose: c.purpose,
        granted: c.granted,
        changedAt: c.changedAt.toISOString(),
      })),
      aggregates: {
        lifetimeSpend: customer.lifetimeSpend,
        lifetimePurchaseCount: customer.lifetimePurchaseCount,
        firstPurchaseAt: customer.firstPurchaseAt?.toISOString() ?? null,
        lastPurchaseAt: customer.lastPurchaseAt?.toISOString() ?? null,
      },
      erased: customer.erasedAt !== null,
    };
  }
}
