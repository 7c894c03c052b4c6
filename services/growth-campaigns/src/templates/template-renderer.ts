import { Liquid, type Template } from 'liquidjs';
import { LOCALES, type Locale } from '@crm/contracts';

/**
 * Templates are Liquid (liquidjs): variables, filters and conditions, no code. Rendering is sandboxed the
 * way Liquid is: no file system (no `include`/`render` of files), own properties only, output capped, and a
 * template that names a variable nobody gives is an error at preview, not an empty blank in a customer's inbox.
 */
const options = {
  strictFilters: true,
  ownPropertyOnly: true,
  relativeReference: false,
  root: [],
  partials: [],
  layouts: [],
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
};
/** Saving and previewing: a variable nobody gives is an error. */
const strictEngine = new Liquid({ ...options, strictVariables: true });
/**
 * Sending: a customer attribute not known yet (a tier before the first scoring) renders empty (or its
 * `default:`), rather than holding a touch back; the template was checked strictly when it was saved.
 */
const lenientEngine = new Liquid({ ...options, strictVariables: false });

export const MAX_TEMPLATE_LENGTH = 20_000;

/** The variables every template may use; nothing personal (no names, no addresses). */
export interface TemplateVariables {
  customer: {
    id: string;
    locale: Locale;
    valueTier?: string;
    valueLoyaltySegment?: string;
    membershipLevel?: string;
    lifecycleStage?: string;
  };
  touch: { id: string; action: string; channel: string; variant?: string };
  links: Record<string, string>;
  /** What the moment that caused the touch gave it (non-personal): a new level and its privileges, a survey id. */
  moment?: Record<string, string>;
}

export interface RenderedMessage {
  subject: string;
  body: string;
}

const caches = new Map<Liquid, Map<string, Template[]>>([
  [strictEngine, new Map()],
  [lenientEngine, new Map()],
]);

function parsed(source: string, engine: Liquid = strictEngine): Template[] {
  const cache = caches.get(engine)!;
  let templates = cache.get(source);
  if (!templates) {
    templates = engine.parse(source);
    if (cache.size > 500) cache.clear();
    cache.set(source, templates);
  }
  return templates;
}

/** The problem with a template's syntax (with line and column), or undefined when it parses. */
export function templateProblem(source: string): string | undefined {
  if (source.length > MAX_TEMPLATE_LENGTH) return `must be at most ${MAX_TEMPLATE_LENGTH} characters`;
  try {
    parsed(source);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/**
 * Renders subject and body. Strict (saving, previewing): throws with the template's problem, an unknown
 * variable say. Lenient (sending): a value not known for this customer renders empty.
 */
export async function renderMessage(
  template: { subject: string; body: string },
  variables: TemplateVariables,
  mode: 'strict' | 'lenient' = 'strict',
): Promise<RenderedMessage> {
  const engine = mode === 'strict' ? strictEngine : lenientEngine;
  const [subject, body] = await Promise.all([
    engine.render(parsed(template.subject, engine), variables) as Promise<string>,
    engine.render(parsed(template.body, engine), variables) as Promise<string>,
  ]);
  return { subject: subject.replace(/[\r\n]+/g, ' ').trim(), body };
}

/** The locales to try for a customer, best first: their own, then English. */
export function localeFallbacks(locale: string | null | undefined): Locale[] {
  const own = LOCALES.find((l) => l === locale);
  return own && own !== 'en' ? [own, 'en'] : ['en'];
}

/**
 * Link variables a template can use; each is a URL template with `{customerId}`, `{touchId}`, `{surveyId}` and
 * `{surveyToken}` (the survey's signed one-time answer token, when there is one).
 */
export function links(
  patterns: Record<string, string>,
  values: { customerId: string; touchId: string; surveyId?: string; surveyToken?: string },
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(patterns).map(([name, pattern]) => [
      name,
      pattern
        .replaceAll('{customerId}', encodeURIComponent(values.customerId))
        .replaceAll('{touchId}', encodeURIComponent(values.touchId))
        .replaceAll('{surveyId}', encodeURIComponent(values.surveyId ?? ''))
        .replaceAll('{surveyToken}', encodeURIComponent(values.surveyToken ?? '')),
    ]),
  );
}
