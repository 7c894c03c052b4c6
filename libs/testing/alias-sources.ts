import Module from 'node:module';
import { join } from 'node:path';

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };

/** Jest global hooks run outside Jest's module map, so @crm/* imports are pointed at the sources here. */
export function aliasWorkspaceSources(root: string): void {
  const original = loader._resolveFilename;
  loader._resolveFilename = function resolveCrmAlias(this: unknown, request: string, ...rest: unknown[]) {
    if (request === '@crm/contracts')
      return original.call(this, join(root, 'contracts/src/index.ts'), ...rest);
    if (request.startsWith('@crm/'))
      return original.call(this, join(root, 'libs', request.slice(5), 'src/index.ts'), ...rest);
    return original.call(this, request, ...rest);
  };
}
