import { IsOptional, IsString } from 'class-validator';
import { ServiceConfig } from '@crm/config';

export class TaggingConfig extends ServiceConfig {
  /** A JSON rule set replacing the handbook defaults (see services/tagging/src/scoring/default-rules.json). */
  @IsOptional() @IsString() TAGGING_RULES_FILE?: string;
}
