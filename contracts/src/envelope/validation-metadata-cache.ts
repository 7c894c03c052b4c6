import { getMetadataStorage } from 'class-validator';

type Lookup = (
  target: object,
  schema: string | undefined,
  always: boolean,
  strictGroups: boolean,
  groups?: string[],
) => unknown[];

interface Storage {
  getTargetValidationMetadatas: Lookup;
  groupByPropertyName: (metadata: unknown[]) => Record<string, unknown[]>;
  addValidationMetadata: (metadata: unknown) => void;
  crmMemoised?: boolean;
}

/**
 * class-validator finds a class's rules anew on every object it validates, scanning every validated class of
 * the process (an `instanceof` each) and grouping the rules by property: in a service with a few hundred DTO
 * and contract classes that was 5-10 % of a consumer's CPU per event (transport benchmark). The rules of a
 * class never change once its decorators have run, so both lookups are remembered per class and options,
 * and forgotten whenever a rule is registered. class-validator only reads what they answer.
 */
export function memoiseValidationMetadata(
  storage: Storage = getMetadataStorage() as unknown as Storage,
): void {
  if (storage.crmMemoised) return;
  storage.crmMemoised = true;
  let byTarget = new WeakMap<object, Map<string, unknown[]>>();
  let grouped = new WeakMap<unknown[], Record<string, unknown[]>>();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    byTarget = new WeakMap();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema ?? ''}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let forTarget = byTarget.get(target);
    if (!forTarget) byTarget.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
