// The workspace's import aliases, written once: tsconfig.base.json `paths` for the compiler, this table for
// everything that runs (compiled programs from dist/, Jest's module map and its global hooks).
const Module = require('node:module');
const path = require('node:path');

/** Where an @crm/* or @crm-services/* import lives, relative to the workspace (no extension), or undefined. */
function aliasTarget(request) {
  if (request === '@crm/contracts') return 'contracts/src/index';
  if (request.startsWith('@crm-services/'))
    return `services/${request.slice('@crm-services/'.length)}/src/index`;
  if (request.startsWith('@crm-examples/'))
    return `examples/${request.slice('@crm-examples/'.length)}/src/index`;
  if (request.startsWith('@crm/')) return `libs/${request.slice('@crm/'.length)}/src/index`;
  return undefined;
}

/** Resolves the aliases under `root` with `extension`: dist/ and .js for builds, the sources and .ts for tests. */
function installAliases(root, extension) {
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveWorkspaceAlias(request, ...rest) {
    const target = aliasTarget(request);
    return original.call(this, target ? path.join(root, `${target}${extension}`) : request, ...rest);
  };
}

/** The same table for Jest's moduleNameMapper. */
const jestModuleNameMapper = {
  '^@crm/contracts$': '<rootDir>/contracts/src/index.ts',
  '^@crm-services/(.*)$': '<rootDir>/services/$1/src/index.ts',
  '^@crm-examples/(.*)$': '<rootDir>/examples/$1/src/index.ts',
  '^@crm/(.*)$': '<rootDir>/libs/$1/src/index.ts',
};

module.exports = { aliasTarget, installAliases, jestModuleNameMapper };
