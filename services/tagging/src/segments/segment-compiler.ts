import { Inject, Injectable } from '@nestjs/common';
import { invalidFields } from '@crm/service-kit';
import type { ScoringRuleSet } from '../scoring/rule-set';
import { SCORING_RULES } from '../scoring/rules.provider';
import { compileSegment, SegmentExpressionError, type CompiledSegment } from './segment-expression';

export enum SegmentErrorCode {
  ExpressionInvalid = 'SEGMENT_EXPRESSION_INVALID',
  PreviewTooSlow = 'SEGMENT_PREVIEW_TOO_SLOW',
  LimitReached = 'SEGMENT_LIMIT_REACHED',
}

const CACHE_SIZE = 500;

/** Compiles segment expressions with the service's rule set, cached; a mistake answers 400 with its position. */
@Injectable()
export class SegmentCompiler {
  private readonly compiled = new Map<string, CompiledSegment>();

  constructor(@Inject(SCORING_RULES) private readonly rules: ScoringRuleSet) {}

  compile(expression: string): CompiledSegment {
    const cached = this.compiled.get(expression);
    if (cached) return cached;
    try {
      const compiled = compileSegment(expression, this.rules);
      if (this.compiled.size > CACHE_SIZE) this.compiled.clear();
      this.compiled.set(expression, compiled);
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
