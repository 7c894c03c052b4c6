import 'reflect-metadata';
import { IsInt, IsString, Min, validateSync, ValidateNested } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { memoiseValidationMetadata } from './validation-metadata-cache';

memoiseValidationMetadata();

class Line {
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;
}

class Order {
  @IsString() id: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
}

const errorsOf = <T extends object>(type: new () => T, plain: object) =>
  validateSync(plainToInstance(type, plain), { whitelist: true, forbidUnknownValues: true }).map(
    (e) => e.property,
  );

describe('memoised validation metadata', () => {
  it('validates the same on the first and every later call, nested classes included', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(errorsOf(Order, { id: 'o-1', lines: [{ sku: 'a', quantity: 1 }] })).toEqual([]);
      expect(errorsOf(Order, { id: 7, lines: [{ sku: 'a', quantity: 0 }] })).toEqual(['id', 'lines']);
    }
  });

  it('sees the rules of a class declared after the first validations, and of a subclass', () => {
    expect(errorsOf(Order, { id: 'o-2', lines: [] })).toEqual([]);
    class PaidOrder extends Order {
      @IsInt() paidCents: number;
    }
    expect(errorsOf(PaidOrder, { id: 'o-3', lines: [], paidCents: 'x' })).toEqual(['paidCents']);
    expect(errorsOf(PaidOrder, { id: 3, lines: [], paidCents: 5 })).toEqual(['id']);
    // The parent's rules did not take the child's.
    expect(errorsOf(Order, { id: 'o-4', lines: [], paidCents: 'x' })).toEqual([]);
  });

  it('strips what no rule names (whitelist), as without the memo', () => {
    const order = plainToInstance(Order, { id: 'o-5', lines: [], extra: 1 });
    expect(validateSync(order, { whitelist: true })).toEqual([]);
    expect(order).not.toHaveProperty('extra');
  });
});
