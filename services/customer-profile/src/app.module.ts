import type { DynamicModule } from '@nestjs/common';
import { serviceApplication, SUBJECT_ACCESS_CONTRIBUTOR } from '@crm/service-kit';
import { ConsentEntity } from './customers/consent.entity';
import { CustomerEntity } from './customers/customer.entity';
import { CustomersController, OwnersController } from './customers/customers.controller';
import { CustomersService } from './customers/customers.service';
import { ImportsController } from './imports/imports.controller';
import { ImportsService } from './imports/imports.service';
import { PiiCipherProvider } from './customers/pii-cipher.provider';
import { CustomerProfileTables1732500000100 } from './migrations/1732500000100-customer-profile-tables';
import { PersonalDataAudit1732500000110 } from './migrations/1732500000110-personal-data-audit';
import { CustomerDataKeys1732500000120 } from './migrations/1732500000120-customer-data-keys';
import { DataKeys } from './customers/data-keys';
import { AuditExports1732500000130 } from './migrations/1732500000130-audit-exports';
import { NameIndex1732500000200 } from './migrations/1732500000200-name-index';
import { ImportCheckpoints1732500000210 } from './migrations/1732500000210-import-checkpoints';
import { NameIndexBackfill } from './customers/name-index.backfill';
import { OwnerIndex1732500000190 } from './migrations/1732500000190-owner-index';
import { CustomerOwner1732500000140 } from './migrations/1732500000140-customer-owner';
import { PersonalDataContribution, SubjectAccessExport } from './customers/subject-access-export';
import { AuditController } from './customers/audit.controller';
import { PersonalDataAudit } from './customers/personal-data-audit';
import { PurchaseEntity } from './purchases/purchase.entity';
import { Acquisition1732500000170 } from './migrations/1732500000170-acquisition';
import { Refunds1732500000180 } from './migrations/1732500000180-refunds';
import { Payments1732500000160 } from './migrations/1732500000160-payments';
import { ContactPreferences1732500000150 } from './migrations/1732500000150-contact-preferences';
import { PurchasesController } from './purchases/purchases.controller';
import { PurchasesService } from './purchases/purchases.service';
import { ProfileConfig } from './profile.config';

/** customer-profile's own migrations, in order (the libraries' come first, from the service core). */
export const PROFILE_MIGRATIONS = [
  CustomerProfileTables1732500000100,
  PersonalDataAudit1732500000110,
  CustomerDataKeys1732500000120,
  AuditExports1732500000130,
  CustomerOwner1732500000140,
  ContactPreferences1732500000150,
  Payments1732500000160,
  Acquisition1732500000170,
  Refunds1732500000180,
  OwnerIndex1732500000190,
  NameIndex1732500000200,
  ImportCheckpoints1732500000210,
];

export function appModule(config: ProfileConfig): DynamicModule {
  return serviceApplication('customer-profile', config, ProfileConfig, {
    entities: [CustomerEntity, ConsentEntity, PurchaseEntity],
    migrations: PROFILE_MIGRATIONS,
    controllers: [
      CustomersController,
      OwnersController,
      PurchasesController,
      ImportsController,
      AuditController,
    ],
    providers: [
      CustomersService,
      NameIndexBackfill,
      PurchasesService,
      ImportsService,
      PiiCipherProvider,
      DataKeys,
      PersonalDataAudit,
      SubjectAccessExport,
      { provide: SUBJECT_ACCESS_CONTRIBUTOR, useClass: PersonalDataContribution },
    ],
  });
}
