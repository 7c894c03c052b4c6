import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@crm/service-kit';
import { ReferralTables1732500000500 } from './migrations/1732500000500-referral-tables';
import { ReferralConfig } from './referral.config';
import { ReferralHandlers } from './referrals/referral.handlers';
import { ReferralsController } from './referrals/referrals.controller';
import { ReferralsRepository } from './referrals/referrals.repository';
import { serviceIdentity } from '@crm/contracts';

@Module({})
export class AppModule {
  static register(config: ReferralConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({
          name: serviceIdentity('referral').name,
          config,
          configClass: ReferralConfig,
          defaultSchema: serviceIdentity('referral').schema,
          entities: [],
          migrations: [ReferralTables1732500000500],
        }),
      ],
      controllers: [ReferralsController, ReferralHandlers],
      providers: [ReferralsRepository],
    };
  }
}
