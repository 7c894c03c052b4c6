import { Controller, Get, Inject, Injectable, Optional, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { queryRows } from '@crm/persistence';
import { ParseUuid } from './problem.filter';

/** Columns through which a row belongs to a customer. */
export const CUSTOMER_REFERENCE_COLUMNS = ['customer_id', 'referrer_id', 'referee_id'] as const;
/** Plumbing and key material: never part of an export. */
const WITHHELD_TABLES = new Set([
  'outbox',
  'inbox',
  'migrations',
  'scheduled_jobs',
  'customer_data_keys',
  'personal_text_keys',
]);
/** Ciphertexts, keyed hashes and wrapped keys: the service that can read them answers the values instead. */
const WITHHELD_COLUMN = /(_enc|_hash|wrapped_key)$/;
const ROWS_PER_TABLE = 10_000;

/** A service's own addition to its part (customer-profile: the decrypted personal data). */
export interface SubjectAccessContributor {
  contribute(customerId: string): Promise<Record<string, unknown>>;
}
export const SUBJECT_ACCESS_CONTRIBUTOR = Symbol('SUBJECT_ACCESS_CONTRIBUTOR');

export class SubjectAccessTable {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  rows: Record<string, unknown>[];
  @ApiProperty({ description: `true when the table held more than ${ROWS_PER_TABLE} rows for the customer` })
  truncated: boolean;
}

export class SubjectAccessPart {
  @ApiProperty() service: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() generatedAt: string;
  @ApiProperty({
    description: 'Every table of the service that refers to the customer, by name',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/SubjectAccessTable' },
  })
  tables: Record<string, SubjectAccessTable>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The service's own additions" })
  extra: Record<string, unknown>;
}

interface ReferenceColumn {
  table_name: string;
  column_name: string;
  data_type: string;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * What one service holds about one customer: every row of every table of its schema that refers to the
 * customer (found from the catalog, so a new table is never forgotten), less ciphertexts, hashes and keys.
 */
@Injectable()
export class SubjectAccess {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(SUBJECT_ACCESS_CONTRIBUTOR) private readonly contributor?: SubjectAccessContributor,
  ) {}

  async part(service: string, customerId: string): Promise<SubjectAccessPart> {
    const columns = await queryRows<ReferenceColumn>(
      this.dataSource,
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = ANY($1)
        ORDER BY c.table_name, c.column_name`,
      [[...CUSTOMER_REFERENCE_COLUMNS]],
    );
    const byTable = new Map<string, ReferenceColumn[]>();
    for (const column of columns.filter((c) => !WITHHELD_TABLES.has(c.table_name)))
      byTable.set(column.table_name, [...(byTable.get(column.table_name) ?? []), column]);
    const tables: Record<string, SubjectAccessTable> = {};
    for (const [table, references] of byTable) {
      const where = references
        .map((c) =>
          c.data_type === 'uuid'
            ? `${quoteIdent(c.column_name)} = $1::uuid`
            : `${quoteIdent(c.column_name)}::text = $1`,
        )
        .join(' OR ');
      const rows = await queryRows<{ row: Record<string, unknown> }>(
        this.dataSource,
        `SELECT to_jsonb(t) AS row FROM ${quoteIdent(table)} t WHERE ${where} LIMIT ${ROWS_PER_TABLE + 1}`,
        [customerId],
      );
      tables[table] = {
        rows: rows
          .slice(0, ROWS_PER_TABLE)
          .map((r) =>
            Object.fromEntries(Object.entries(r.row).filter(([column]) => !WITHHELD_COLUMN.test(column))),
          ),
        truncated: rows.length > ROWS_PER_TABLE,
      };
    }
    return {
      service,
      customerId,
      generatedAt: new Date().toISOString(),
      tables,
      extra: (await this.contributor?.contribute(customerId)) ?? {},
    };
  }
}

/** `GET /<prefix>/subject-access/:customerId` on every service: its part of a subject-access export. */
export function subjectAccessController(service: string) {
  @ApiTags('subject access')
  @ApiBearerAuth()
  @Controller('subject-access')
  class SubjectAccessController {
    constructor(readonly subjectAccess: SubjectAccess) {}

    @Get(':customerId')
    @Roles('admin')
    @ApiOperation({
      summary: `Everything ${service} holds about one customer (its part of POST /profile/customers/:id/subject-access)`,
    })
    @ApiOkResponse({ type: SubjectAccessPart })
    part(@Param('customerId', new ParseUuid()) customerId: string): Promise<SubjectAccessPart> {
      return this.subjectAccess.part(service, customerId);
    }
  }
  return SubjectAccessController;
}
