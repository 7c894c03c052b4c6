import fc from 'fast-check';
import {
  links,
  localeFallbacks,
  renderMessage,
  templateProblem,
  type TemplateVariables,
} from './template-renderer';

const variables: TemplateVariables = {
  customer: { id: 'c-1', locale: 'en', valueTier: 'high-value' },
  touch: { id: 't-1', action: 'win-back-offer', channel: 'email', variant: 'B' },
  links: { offer: 'https://crm.local/offers/t-1' },
};

describe('templates', () => {
  it('renders variables, filters and conditions; a subject stays on one line', async () => {
    const rendered = await renderMessage(
      {
        subject: 'Hello\n{{ customer.valueTier | upcase }}',
        body: '{% if touch.variant == "B" %}gift{% else %}note{% endif %}: {{ links.offer }}',
      },
      variables,
    );
    expect(rendered).toEqual({ subject: 'Hello HIGH-VALUE', body: 'gift: https://crm.local/offers/t-1' });
  });

  it('refuses an unknown variable when strict, renders it empty (or its default) when sending', async () => {
    const template = {
      subject: 'x',
      body: '[{{ customer.membershipLevel | default: "member" }}][{{ customer.name }}]',
    };
    await expect(renderMessage(template, variables)).rejects.toThrow(
      /undefined variable: customer.membershipLevel/,
    );
    expect((await renderMessage(template, variables, 'lenient')).body).toBe('[member][]');
  });

  it('names the line and column of a syntax error, and reads no files', async () => {
    expect(templateProblem('Hi\n{{ customer.id ')).toMatch(/not closed, line:2, col:1/);
    expect(templateProblem('{% nosuchtag %}')).toMatch(/nosuchtag/);
    await expect(
      renderMessage({ subject: 'x', body: '{% include "/etc/passwd" %}' }, variables),
    ).rejects.toThrow();
  });

  it('never throws while checking any text, and leaves text without Liquid as it is', async () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const problem = templateProblem(text);
        expect(problem === undefined || typeof problem === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }).filter((t) => !t.includes('{')),
        async (text) => {
          expect((await renderMessage({ subject: 'x', body: text }, variables)).body).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('falls back to English and fills link patterns, escaping the values', () => {
    expect(localeFallbacks('zh-CN')).toEqual(['zh-CN', 'en']);
    expect(localeFallbacks('fr')).toEqual(['en']);
    expect(localeFallbacks(null)).toEqual(['en']);
    expect(
      links(
        { survey: 'https://s/{surveyId}?c={customerId}' },
        { customerId: 'a b', touchId: 't', surveyId: 's/1' },
      ),
    ).toEqual({ survey: 'https://s/s%2F1?c=a%20b' });
  });
});
