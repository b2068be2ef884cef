// Runs the dev tooling's TypeScript directly (ts-node, transpile only). Node tries `.json`
// before `.ts` for an extensionless require, which would load `Enable.node.json` (the codex)
// instead of `Enable.node.ts`: move `.json` after `.ts`.
require('ts-node').register({ transpileOnly: true, project: require('node:path').join(__dirname, '..', 'tsconfig.json') });
const loadJson = require.extensions['.json'];
delete require.extensions['.json'];
require.extensions['.json'] = loadJson;
