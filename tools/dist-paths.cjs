// Resolves the workspace's @crm/* imports to the compiled files in dist/ (what tsconfig paths do at build time).
const Module = require('node:module');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveCrmAlias(request, ...rest) {
  if (request === '@crm/contracts')
    return original.call(this, path.join(dist, 'contracts/src/index.js'), ...rest);
  if (request.startsWith('@crm-services/'))
    return original.call(this, path.join(dist, 'services', request.slice(14), 'src/index.js'), ...rest);
  if (request.startsWith('@crm/'))
    return original.call(this, path.join(dist, 'libs', request.slice(5), 'src/index.js'), ...rest);
  return original.call(this, request, ...rest);
};
