import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { LOCALES, type Locale } from '@crm/contracts';
import { execute, queryRows } from '@crm/persistence';
import { invalidFields, notFound } from '@crm/service-kit';
import { CampaignsConfig } from '../campaigns.config';
import {
  links,
  localeFallbacks,
  renderMessage,
  templateProblem,
  type RenderedMessage,
  type TemplateVariables,
} from './template-renderer';

export interface TemplateView {
  id: string;
  locale: Locale;
  subject: string;
  body: string;
  updatedBy: string;
  updatedAt: Date;
}

interface TemplateRow {
  id: string;
  locale: Locale;
  subject: string;
  body: string;
  updated_by: string;
  updated_at: Date;
}

const view = (row: TemplateRow): TemplateView => ({
  id: row.id,
  locale: row.locale,
  subject: row.subject,
  body: row.body,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at,
});

/** Templates re-read by each replica after this long. */
const CACHE_MS = 5_000;

/** Message templates per locale (Liquid), previewable; the drivers render touches with them. */
@Injectable()
export class TemplatesService {
  private cache = new Map<string, { rows: TemplateRow[]; readAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: CampaignsConfig,
  ) {}

  /** Sample variables for previews and for checking a template when it is saved. */
  sampleVariables(locale: Locale, overrides: Partial<TemplateVariables> = {}): TemplateVariables {
    const customerId = '00000000-0000-4000-8000-000000000000';
    return {
      customer: {
        id: customerId,
        locale,
        valueTier: 'high-value',
        valueLoyaltySegment: 'core',
        membershipLevel: 'gold',
        lifecycleStage: 'maturity',
        ...overrides.customer,
      },
      touch: { id: 'preview', action: 'preview', channel: 'email', variant: 'A', ...overrides.touch },
      links: {
        ...links(this.linkPatterns(), {
          customerId,
          touchId: 'preview',
          surveyId: 'preview',
          surveyToken: 'preview',
        }),
        ...overrides.links,
      },
      moment: {
        level: 'gold',
        previousLevel: 'silver',
        privileges: 'a dedicated account manager; first response within 1 hour; a birthday gift',
        surveyId: 'preview',
        ...overrides.moment,
      },
    };
  }

  linkPatterns(): Record<string, string> {
    return JSON.parse(this.config.TEMPLATE_LINKS) as Record<string, string>;
  }

  async put(
    id: string,
    locale: Locale,
    template: { subject: string; body: string },
    actor: string,
  ): Promise<TemplateView> {
    const problems: Array<{ field: string; messages: string[] }> = [];
    for (const field of ['subject', 'body'] as const) {
      const problem = templateProblem(template[field]);
      if (problem) problems.push({ field, messages: [problem] });
    }
    if (problems.length === 0) {
      try {
        await renderMessage(template, this.sampleVariables(locale));
      } catch (error) {
        problems.push({ field: 'body', messages: [(error as Error).message.split('\n')[0]] });
      }
    }
    if (problems.length > 0) throw invalidFields(problems, 'INVALID_TEMPLATE');
    await execute(
      this.dataSource,
      `INSERT INTO templates (id, locale, subject, body, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id, locale) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [id, locale, template.subject, template.body, actor],
    );
    this.cache.delete(id);
    return (await this.get(id)).find((t) => t.locale === locale)!;
  }

  async list(): Promise<TemplateView[]> {
    return (await queryRows<TemplateRow>(this.dataSource, 'SELECT * FROM templates ORDER BY id, locale')).map(
      view,
    );
  }

  /** Every locale of a template; 404 when it has none. */
  async get(id: string): Promise<TemplateView[]> {
    const rows = await this.rows(this.dataSource.manager, id, true);
    if (rows.length === 0) throw notFound('template', id);
    return rows.map(view);
  }

  /** Which of these template ids have no version in any locale. */
  async missing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await queryRows<{ id: string }>(
      this.dataSource,
      'SELECT DISTINCT id FROM templates WHERE id = ANY($1)',
      [ids],
    );
    const known = new Set(found.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  }

  /** Renders a template for a customer's locale (falling back to English); undefined when it has neither. */
  async render(
    manager: EntityManager | DataSource,
    id: string,
    locale: string | null | undefined,
    variables: Omit<TemplateVariables, 'customer'> & {
      customer: Omit<TemplateVariables['customer'], 'locale'>;
    },
  ): Promise<(RenderedMessage & { locale: Locale }) | undefined> {
    const rows = await this.rows(manager, id);
    for (const candidate of localeFallbacks(locale)) {
      const row = rows.find((r) => r.locale === candidate);
      if (row)
        return {
          locale: candidate,
          // A live customer may lack a fact (an unclassified tier, no name): render what is known
          // rather than failing the touch; previews stay strict so authors see the gap.
          ...(await renderMessage(
            row,
            { ...variables, customer: { ...variables.customer, locale: candidate } },
            'lenient',
          )),
        };
    }
    return undefined;
  }

  async preview(id: string, locale: Locale, overrides: Partial<TemplateVariables>) {
    const rows = await this.get(id);
    const row = rows.find((r) => r.locale === locale);
    if (!row)
      throw invalidFields(
        [
          {
            field: 'locale',
            messages: [
              `template ${id} has no ${locale} version (it has ${rows.map((r) => r.locale).join(', ')})`,
            ],
          },
        ],
        'TEMPLATE_LOCALE_MISSING',
      );
    const variables = this.sampleVariables(locale, overrides);
    try {
      return { id, locale, variables, ...(await renderMessage(row, variables)) };
    } catch (error) {
      throw invalidFields(
        [{ field: 'variables', messages: [(error as Error).message.split('\n')[0]] }],
        'TEMPLATE_RENDER_FAILED',
      );
    }
  }

  private async rows(manager: EntityManager | DataSource, id: string, fresh = false): Promise<TemplateRow[]> {
    const cached = this.cache.get(id);
    if (!fresh && cached && Date.now() - cached.readAt < CACHE_MS) return cached.rows;
    const rows = await queryRows<TemplateRow>(
      manager,
      'SELECT * FROM templates WHERE id = $1 ORDER BY locale',
      [id],
    );
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(id, { rows, readAt: Date.now() });
    return rows;
  }
}

export { LOCALES };
