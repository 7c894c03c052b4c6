import { plainToInstance } from 'class-transformer';
import {
  arrayMaxSize,
  arrayMinSize,
  isArray,
  isInt,
  isISO8601,
  isNumber,
  isString,
  length,
  matches,
  min,
  validate,
  type ValidationError,
} from 'class-validator';
import { CHANNELS, PURPOSES } from '@crm/contracts';
import { RegisterCustomerDto } from '../customers/register-customer.dto';
import {
  CALLER_ID_PATTERN,
  CURRENCY_PATTERN,
  PurchaseItemDto,
  RecordPurchaseDto,
} from '../purchases/record-purchase.dto';

export type ImportKind = 'customers' | 'purchases';

/** A row that cannot be imported, named by line and column (or by the field it maps to). */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

/** Columns of the customer archive template (§Reference records), by the API's field names. */
export const CUSTOMER_COLUMNS = [
  'externalRef',
  'kind',
  'name',
  'industry',
  'companySize',
  'email',
  'phone',
  'birthday',
  'contactName',
  'decisionRole',
  'needTags',
  'registeredAt',
  'relationshipStartedAt',
  'cooperationYears',
  'referralCode',
  'consents',
  'owner',
  'timeZone',
  'locale',
  'contactFrequency',
] as const;

/** Archive columns that the platform derives from purchases: accepted and ignored, never trusted. */
export const DERIVED_CUSTOMER_COLUMNS = ['cumulativeSpend', 'valueTier', 'lastPurchaseAt'] as const;

/** One order line per row; consecutive rows with the same orderId form one purchase. */
export const PURCHASE_COLUMNS = [
  'externalRef',
  'orderId',
  'occurredAt',
  'currency',
  'sku',
  'category',
  'quantity',
  'unitPrice',
  'amount',
  'paymentDueAt',
  'warrantyUntil',
] as const;

const REQUIRED: Record<ImportKind, readonly string[]> = {
  customers: ['externalRef', 'kind', 'name'],
  purchases: ['externalRef', 'orderId', 'occurredAt', 'currency', 'category', 'quantity', 'unitPrice'],
};

/** Checks a header row: unknown and missing columns are named, so a wrong file fails before any row. */
export function checkHeader(kind: ImportKind, header: string[]): string[] {
  const known = new Set<string>(
    kind === 'customers' ? [...CUSTOMER_COLUMNS, ...DERIVED_CUSTOMER_COLUMNS] : PURCHASE_COLUMNS,
  );
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const column of header) {
    if (!known.has(column)) problems.push(`unknown column "${column}"`);
    if (seen.has(column)) problems.push(`column "${column}" appears twice`);
    seen.add(column);
  }
  for (const column of REQUIRED[kind]) if (!seen.has(column)) problems.push(`missing column "${column}"`);
  return problems;
}

export function rowObject(header: string[], fields: string[]): Record<string, string> {
  const row: Record<string, string> = {};
  header.forEach((column, i) => {
    const value = (fields[i] ?? '').trim();
    if (value !== '') row[column] = value;
  });
  return row;
}

function fieldErrors(line: number, errors: ValidationError[], parent = ''): RowError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ line, field, message: Object.values(error.constraints).join(', ') }]
      : [];
    return [...own, ...fieldErrors(line, error.children ?? [], field)];
  });
}

async function validated<T extends object>(
  line: number,
  type: new () => T,
  plain: Record<string, unknown>,
  quick?: (plain: Record<string, unknown>) => T | undefined,
): Promise<T | RowError[]> {
  const accepted = quick?.(plain);
  if (accepted) return accepted;
  try {
    const dto = plainToInstance(type, plain);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    return errors.length > 0 ? fieldErrors(line, errors) : dto;
  } catch {
    // A validator that throws on a value it did not foresee: the row is refused, the import goes on.
    return [
      { line, field: 'row', message: 'could not be validated; check the types and the ranges of its values' },
    ];
  }
}

/**
 * A decimal as a number; anything else stays text, for the rules to name. So does a fraction JavaScript
 * writes with an exponent (0.0000001 is 1e-7), whose decimal places class-validator cannot count (it throws).
 */
const numberOrText = (value: string | undefined): number | string | undefined => {
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value)) return value;
  const number = Number(value);
  return Number.isInteger(number) || !String(number).includes('e') ? number : value;
};

/** Turns a customer row into the registration the API would take, validated by the same rules. */
export async function customerFromRow(
  line: number,
  row: Record<string, string>,
  now = new Date(),
): Promise<RegisterCustomerDto | RowError[]> {
  const errors: RowError[] = [];
  let relationshipStartedAt = row.relationshipStartedAt;
  if (row.cooperationYears !== undefined) {
    const years = Number(row.cooperationYears);
    if (!Number.isFinite(years) || years < 0 || years > 200)
      errors.push({ line, field: 'cooperationYears', message: 'must be a number of years from 0 to 200' });
    else if (relationshipStartedAt === undefined)
      relationshipStartedAt = new Date(now.getTime() - years * 365.25 * 86_400_000).toISOString();
  }
  const consents: { channel: string; purpose: string; granted: boolean }[] = [];
  for (const entry of (row.consents ?? '').split(';').filter(Boolean)) {
    const [channel, purpose] = entry.split(':').map((s) => s.trim());
    if (
      !(CHANNELS as readonly string[]).includes(channel) ||
      !(PURPOSES as readonly string[]).includes(purpose)
    )
      errors.push({
        line,
        field: 'consents',
        message: `"${entry}" is not channel:purpose (channels ${CHANNELS.join(', ')}; purposes ${PURPOSES.join(', ')})`,
      });
    else consents.push({ channel, purpose, granted: true });
  }
  const contacts =
    row.contactName !== undefined || row.decisionRole !== undefined
      ? [{ name: row.contactName ?? row.name, decisionRole: row.decisionRole }]
      : undefined;
  const result = await validated(line, RegisterCustomerDto, {
    externalRef: row.externalRef,
    kind: row.kind,
    name: row.name,
    industry: row.industry,
    companySize: row.companySize,
    email: row.email,
    phone: row.phone,
    birthday: row.birthday,
    contacts,
    needTags: row.needTags
      ?.split(';')
      .map((t) => t.trim())
      .filter(Boolean),
    registeredAt: row.registeredAt,
    relationshipStartedAt,
    referralCode: row.referralCode,
    owner: row.owner,
    timeZone: row.timeZone,
    locale: row.locale,
    contactFrequency: row.contactFrequency,
    consents: consents.length > 0 ? consents : undefined,
  });
  if (Array.isArray(result)) errors.push(...result.map(renameContactField));
  return errors.length > 0 ? errors : (result as RegisterCustomerDto);
}

function renameContactField(error: RowError): RowError {
  if (error.field === 'contacts.0.name') return { ...error, field: 'contactName' };
  if (error.field === 'contacts.0.decisionRole') return { ...error, field: 'decisionRole' };
  return error;
}

/** The order lines of one purchase (consecutive rows with one orderId). */
export interface PurchaseRows {
  line: number;
  externalRef: string;
  rows: { line: number; values: Record<string, string> }[];
}

const money = { maxDecimalPlaces: 2 };
const optionalTime = (value: unknown) => value === undefined || value === null || isISO8601(value);

/** An order line that RecordPurchaseDto's rules accept, as class-transformer would build it; else undefined. */
function quickItem(item: unknown): PurchaseItemDto | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const { sku, category, quantity, unitPrice, ...rest } = item as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (!(isString(sku) && length(sku, 1, 64) && isString(category) && length(category, 1, 64)))
    return undefined;
  if (!(isInt(quantity) && min(quantity, 1) && isNumber(unitPrice, money) && min(unitPrice, 0)))
    return undefined;
  return Object.assign(new PurchaseItemDto(), item);
}

/**
 * RecordPurchaseDto's rules, checked by the same class-validator functions its decorators call, without the
 * decorators' machinery (a fifth of the service's time in a purchases import). It answers only for a
 * purchase those rules accept, built as `plainToInstance` builds it; anything else is left to
 * class-validator, which decides and words the errors (`quick-purchase.spec.ts` holds the two to the
 * same answers on generated orders).
 */
export function quickPurchase(plain: Record<string, unknown>): RecordPurchaseDto | undefined {
  try {
    const { orderId, amount, currency, occurredAt, paymentDueAt, warrantyUntil, items, ...rest } = plain;
    if (Object.keys(rest).length > 0) return undefined;
    if (!(isString(orderId) && matches(orderId, CALLER_ID_PATTERN))) return undefined;
    if (!(isNumber(amount, money) && min(amount, 0) && matches(currency as string, CURRENCY_PATTERN)))
      return undefined;
    if (!(isISO8601(occurredAt) && optionalTime(paymentDueAt) && optionalTime(warrantyUntil)))
      return undefined;
    if (!(isArray(items) && arrayMinSize(items, 1) && arrayMaxSize(items, 500))) return undefined;
    const built: PurchaseItemDto[] = [];
    for (const item of items) {
      const dto = quickItem(item);
      if (!dto) return undefined;
      built.push(dto);
    }
    return Object.assign(new RecordPurchaseDto(), plain, { items: built });
  } catch {
    return undefined;
  }
}

/** Turns the order lines of one purchase into the purchase the API would take. */
export async function purchaseFromRows(group: PurchaseRows): Promise<RecordPurchaseDto | RowError[]> {
  const rows = group.rows.map((r) => r.values);
  const [head] = rows;
  const items = rows.map((row) => ({
    sku: row.sku ?? row.category,
    category: row.category,
    quantity: numberOrText(row.quantity),
    unitPrice: numberOrText(row.unitPrice),
  }));
  const linesTotal = items.reduce(
    (sum, item) =>
      typeof item.quantity === 'number' && typeof item.unitPrice === 'number'
        ? sum + item.quantity * item.unitPrice
        : sum,
    0,
  );
  const stated = rows.find((row) => row.amount !== undefined)?.amount;
  const result = await validated(
    group.line,
    RecordPurchaseDto,
    {
      orderId: head.orderId,
      occurredAt: head.occurredAt,
      currency: head.currency,
      amount: stated !== undefined ? numberOrText(stated) : Math.round(linesTotal * 100) / 100,
      // Order-level dates: the first line that gives one speaks for the order.
      paymentDueAt: rows.find((row) => row.paymentDueAt !== undefined)?.paymentDueAt,
      warrantyUntil: rows.find((row) => row.warrantyUntil !== undefined)?.warrantyUntil,
      items,
    },
    quickPurchase,
  );
  if (!Array.isArray(result)) return result;
  // items.N.field names the N-th line of the order: point at that line and the column.
  return result.map((error) => {
    const match = /^items\.(\d+)\.(\w+)$/.exec(error.field);
    return match
      ? { line: group.rows[Number(match[1])].line, field: match[2], message: error.message }
      : error;
  });
}
