import { checkHeader, customerFromRow, purchaseFromRows, rowObject } from './import-rows';

describe('import rows', () => {
  it('names unknown, repeated and missing columns of a header', () => {
    expect(checkHeader('customers', ['externalRef', 'kind', 'name', 'cumulativeSpend'])).toEqual([]);
    expect(checkHeader('customers', ['externalRef', 'name', 'name', 'shoeSize'])).toEqual([
      'column "name" appears twice',
      'unknown column "shoeSize"',
      'missing column "kind"',
    ]);
    expect(checkHeader('purchases', ['externalRef', 'orderId'])).toContain('missing column "unitPrice"');
  });

  it('turns the archive row of C2024001 into a registration with a contact, need tags and consents', async () => {
    const now = new Date('2024-06-01T00:00:00Z');
    const row = rowObject(
      ['externalRef', 'kind', 'name', 'industry', 'decisionRole', 'needTags', 'cooperationYears', 'consents'],
      [
        'C2024001',
        'company',
        'A Co.',
        'manufacturing',
        'Director of Purchasing',
        'cost reduction; supply-chain optimisation',
        '2',
        'email:marketing',
      ],
    );
    const dto = await customerFromRow(2, row, now);
    expect(dto).toMatchObject({
      externalRef: 'C2024001',
      contacts: [{ name: 'A Co.', decisionRole: 'Director of Purchasing' }],
      needTags: ['cost reduction', 'supply-chain optimisation'],
      consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    });
    expect(Array.isArray(dto) ? undefined : dto.relationshipStartedAt?.slice(0, 10)).toBe('2022-06-01');
  });

  it('names each bad field of a customer row with its line', async () => {
    const row = rowObject(
      ['externalRef', 'kind', 'name', 'email', 'consents', 'cooperationYears'],
      ['C 1', 'robot', 'X', 'not-an-email', 'fax:marketing', 'many'],
    );
    const errors = await customerFromRow(7, row);
    expect(Array.isArray(errors) && errors.map((e) => `${e.line}:${e.field}`).sort()).toEqual(
      ['7:consents', '7:cooperationYears', '7:email', '7:externalRef', '7:kind'].sort(),
    );
  });

  it("reads a customer's contact preferences and an order's due and warranty dates, naming bad ones", async () => {
    const good = await customerFromRow(
      3,
      rowObject(
        ['externalRef', 'kind', 'name', 'timeZone', 'locale', 'contactFrequency'],
        ['C3', 'person', 'Li Wei', 'Asia/Shanghai', 'zh-CN', 'reduced'],
      ),
    );
    expect(good).toMatchObject({ timeZone: 'Asia/Shanghai', locale: 'zh-CN', contactFrequency: 'reduced' });
    const bad = await customerFromRow(
      4,
      rowObject(
        ['externalRef', 'kind', 'name', 'timeZone', 'locale', 'contactFrequency'],
        ['C4', 'person', 'X', 'Mars/Olympus', 'xx', 'hourly'],
      ),
    );
    expect(Array.isArray(bad) && bad.map((e) => e.field).sort()).toEqual([
      'contactFrequency',
      'locale',
      'timeZone',
    ]);
    const header = [
      'externalRef',
      'orderId',
      'occurredAt',
      'currency',
      'category',
      'quantity',
      'unitPrice',
      'paymentDueAt',
      'warrantyUntil',
    ];
    const order = await purchaseFromRows({
      line: 2,
      externalRef: 'C3',
      rows: [
        {
          line: 2,
          values: rowObject(header, [
            'C3',
            'SO-9',
            '2026-05-20T00:00:00Z',
            'EUR',
            'pumps',
            '1',
            '10',
            '',
            '',
          ]),
        },
        {
          line: 3,
          values: rowObject(header, [
            'C3',
            'SO-9',
            '2026-05-20T00:00:00Z',
            'EUR',
            'seals',
            '1',
            '5',
            '2026-06-20T00:00:00Z',
            '2028-05-20T00:00:00Z',
          ]),
        },
      ],
    });
    expect(order).toMatchObject({
      paymentDueAt: '2026-06-20T00:00:00Z',
      warrantyUntil: '2028-05-20T00:00:00Z',
    });
    const wrong = await purchaseFromRows({
      line: 5,
      externalRef: 'C3',
      rows: [
        {
          line: 5,
          values: rowObject(header, [
            'C3',
            'SO-10',
            '2026-05-20T00:00:00Z',
            'EUR',
            'pumps',
            '1',
            '10',
            'soon',
            '',
          ]),
        },
      ],
    });
    expect(Array.isArray(wrong) && wrong.map((e) => `${e.line}:${e.field}`)).toEqual(['5:paymentDueAt']);
  });

  it('makes one purchase of consecutive order lines and derives the amount from them', async () => {
    const header = [
      'externalRef',
      'orderId',
      'occurredAt',
      'currency',
      'sku',
      'category',
      'quantity',
      'unitPrice',
    ];
    const dto = await purchaseFromRows({
      line: 2,
      externalRef: 'C2024001',
      rows: [
        {
          line: 2,
          values: rowObject(header, [
            'C2024001',
            'SO-1',
            '2024-05-20T00:00:00Z',
            'EUR',
            'P-1',
            'pumps',
            '2',
            '100.50',
          ]),
        },
        {
          line: 3,
          values: rowObject(header, [
            'C2024001',
            'SO-1',
            '2024-05-20T00:00:00Z',
            'EUR',
            '',
            'valves',
            '1',
            '50',
          ]),
        },
      ],
    });
    expect(dto).toMatchObject({
      orderId: 'SO-1',
      amount: 251,
      items: [
        { sku: 'P-1', category: 'pumps', quantity: 2, unitPrice: 100.5 },
        { sku: 'valves', category: 'valves', quantity: 1, unitPrice: 50 },
      ],
    });
  });

  it('points an error in an order line at that line and column', async () => {
    const header = ['externalRef', 'orderId', 'occurredAt', 'currency', 'category', 'quantity', 'unitPrice'];
    const errors = await purchaseFromRows({
      line: 4,
      externalRef: 'C1',
      rows: [
        { line: 4, values: rowObject(header, ['C1', 'SO-2', '2024-05-20', 'EUR', 'pumps', '1', '10']) },
        { line: 5, values: rowObject(header, ['C1', 'SO-2', '2024-05-20', 'EUR', 'pumps', 'two', '10']) },
      ],
    });
    expect(errors).toEqual([expect.objectContaining({ line: 5, field: 'quantity' })]);
  });
});
