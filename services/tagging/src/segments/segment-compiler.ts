import { Injectable } from '@nestjs/common';
import { invalidFields } from '@crm/service-kit';
import { RuleBook } from '../scoring/rule-book';
import { compileSegment, SegmentExpressionError, type CompiledSegment } from './segment-expression';

export enum SegmentErrorCode {
  ExpressionInvalid = 'SEGMENT_EXPRESSION_INVALID',
  PreviewTooSlow = 'SEGMENT_PREVIEW_TOO_SLOW',
  LimitReached = 'SEGMENT_LIMIT_REACHED',
}

const CACHE_SIZE = 500;

/** Compiles segment expressions with the active rule set, cached per version; a mistake answers 400 with its position. */
@Injectable()
export class SegmentCompiler {
  private readonly compiled = new Map<string, CompiledSegment>();

  constructor(private readonly book: RuleBook) {}

  compile(expression: string): CompiledSegment {
    // The churn window comes from the rules: a compilation belongs to the rule-set version it was made with.
    const rules = this.book.rules;
    const key = `${rules.version}\n${expression}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    try {
      const compiled = compileSegment(expression, rules);
      if (this.compiled.size > CACHE_SIZE) this.compiled.clear();
      this.compiled.set(key, compiled);
      return compiled;
    } catch (error) {
      if (!(error instanceof SegmentExpressionError)) throw error;
      throw invalidFields(
        [{ field: 'expression', messages: [error.message] }],
        SegmentErrorCode.ExpressionInvalid,
        { position: error.position },
      );
    }
  }
}
