import { IsString, MinLength } from 'class-validator';
import { ServiceConfig } from '@crm/config';

export class ProfileConfig extends ServiceConfig {
  /** 32 bytes, base64: wraps every customer's data key. */
  @IsString() @MinLength(44) PII_MASTER_KEY: string;
  /** 32 bytes, base64: keys the e-mail and phone hashes used for duplicate checks. */
  @IsString() @MinLength(44) PII_HASH_KEY: string;
}
