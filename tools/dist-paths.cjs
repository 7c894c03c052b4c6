// `node -r tools/dist-paths.cjs dist/…`: the workspace's aliases resolve to the compiled files in dist/.
const path = require('node:path');
const { installAliases } = require('./workspace-aliases.cjs');

installAliases(path.resolve(__dirname, '..', 'dist'), '.js');
