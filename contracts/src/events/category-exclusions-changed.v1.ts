import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** A customer's negative preferences: categories never to be recommended or offered again. */
export class CategoryExclusionsChangedV1 {
  @IsUUID() customerId: string;
  /** The whole list after the change. */
  @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) excludedCategories: string[];
  @IsOneOf(['complaint', 'dismissal', 'account-manager']) reason:
    'complaint' | 'dismissal' | 'account-manager';
  @IsOptional() @IsString() @TextLength(1, 100) causedByEventId?: string;
  @IsTimestamp() changedAt: string;
}

export const CategoryExclusionsChanged = defineEvent({
  type: 'crm.category-exclusions.changed.v1',
  topic: Topics.scoring,
  description:
    "A customer's excluded categories changed (a complaint about a category, a dismissed offer, an account manager). Targeting must respect them.",
  payload: CategoryExclusionsChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    excludedCategories: ['valves'],
    reason: 'complaint',
    causedByEventId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    changedAt: '2024-05-20T09:30:01.000Z',
  },
});
