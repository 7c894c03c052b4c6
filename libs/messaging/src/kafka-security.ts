import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { SERVICE_CATALOG, serviceKafkaAcls, type ConsumerGroupName } from '@crm/contracts';
import { createKafka, type KafkaSecurity } from './kafka-client';

/** The Kafka principal of a service: `User:crm-<service>`. */
export function servicePrincipal(service: ConsumerGroupName): string {
  return `crm-${service}`;
}

const OPERATION = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
};

/**
 * Grants every service exactly what its contracts need (`serviceKafkaAcls`), as the given admin: the ACLs a
 * StandardAuthorizer then enforces. Safe to run again (Kafka keeps one copy of each binding).
 */
export async function applyServiceAcls(brokers: string, admin: KafkaSecurity): Promise<number> {
  const client = createKafka(brokers, 'crm-acl-admin', admin).admin();
  await client.connect();
  try {
    const acl = SERVICE_CATALOG.flatMap((service) =>
      serviceKafkaAcls(service.name).flatMap((rule) =>
        rule.operations.map((operation) => ({
          resourceType: rule.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
          resourceName: rule.name,
          resourcePatternType:
            rule.patternType === 'prefix' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
          principal: `User:${servicePrincipal(service.name)}`,
          host: '*',
          operation: OPERATION[operation],
          permissionType: AclPermissionTypes.ALLOW,
        })),
      ),
    );
    await client.createAcls({ acl });
    return acl.length;
  } finally {
    await client.disconnect();
  }
}
