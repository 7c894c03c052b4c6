import { BadGatewayException, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { SERVICE_CATALOG } from '@crm/contracts';
import {
  serviceUrls,
  SubjectAccess,
  SubjectAccessPart,
  type SubjectAccessContributor,
} from '@crm/service-kit';
import { CustomersService } from './customers.service';
import { PERSONAL_FIELDS, PersonalDataAudit } from './personal-data-audit';
import { ProfileConfig } from '../profile.config';

const PEER_TIMEOUT_MS = 15_000;

export class SubjectAccessExportView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() generatedAt: string;
  @ApiProperty({
    type: 'object',
    description: "Each service's part, by service name",
    additionalProperties: { $ref: '#/components/schemas/SubjectAccessPart' },
  })
  services: Record<string, SubjectAccessPart>;
}

/** customer-profile's addition to its part: the personal data itself, decrypted (when not erased). */
@Injectable()
export class PersonalDataContribution implements SubjectAccessContributor {
  constructor(private readonly customers: CustomersService) {}

  async contribute(customerId: string): Promise<Record<string, unknown>> {
    const exists = await this.customers.exists(customerId);
    return exists ? { customer: await this.customers.get(customerId, new Set(PERSONAL_FIELDS)) } : {};
  }
}

/**
 * A subject-access export: everything the platform holds about one customer, each service answering its part
 * (`GET /<prefix>/subject-access/:id`, asked with the caller's token), audited as an `export`. If any service
 * does not answer, nothing is returned and the answer names the services missing: an export is whole or not
 * at all.
 */
@Injectable()
export class SubjectAccessExport {
  private readonly urls: ReturnType<typeof serviceUrls>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
    private readonly subjectAccess: SubjectAccess,
    private readonly audit: PersonalDataAudit,
    config: ProfileConfig,
  ) {
    this.urls = serviceUrls(config);
  }

  async export(
    customerId: string,
    request: { actor: string; reason: string; authorization: string; correlationId: string },
  ): Promise<SubjectAccessExportView> {
    await this.customers.get(customerId); // 404 for a customer the platform never knew
    const missing: { service: string; reason: string }[] = [];
    const parts = await Promise.all(
      SERVICE_CATALOG.map(async (service): Promise<SubjectAccessPart | undefined> => {
        if (service.name === 'customer-profile') return this.subjectAccess.part(service.name, customerId);
        const base = this.urls.get(service.name);
        if (!base) {
          missing.push({ service: service.name, reason: 'no URL in SERVICE_URLS' });
          return undefined;
        }
        try {
          const response = await fetch(`${base}/${service.prefix}/subject-access/${customerId}`, {
            headers: { authorization: request.authorization, 'x-correlation-id': request.correlationId },
            signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
          });
          if (!response.ok) {
            missing.push({ service: service.name, reason: `answered ${response.status}` });
            return undefined;
          }
          return (await response.json()) as SubjectAccessPart;
        } catch (error) {
          missing.push({ service: service.name, reason: (error as Error).message });
          return undefined;
        }
      }),
    );
    if (missing.length > 0)
      throw new BadGatewayException({
        statusCode: 502,
        error: 'Bad Gateway',
        code: 'SUBJECT_ACCESS_INCOMPLETE',
        message: `not every service answered its part: ${missing.map((m) => `${m.service} (${m.reason})`).join(', ')}`,
        services: missing,
      });
    await this.audit.record(this.dataSource, {
      actor: request.actor,
      action: 'export',
      customerId,
      fields: [...PERSONAL_FIELDS],
      reason: request.reason,
    });
    return {
      customerId,
      generatedAt: new Date().toISOString(),
      services: Object.fromEntries(parts.map((part) => [part!.service, part!])),
    };
  }
}
