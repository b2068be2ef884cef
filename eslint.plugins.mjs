// Lints the published code (credentials/, nodes/) with both n8n rule sets (eslint-plugin-n8n-nodes-base
// 2.0.0, newer than the one n8n-node lint brings) and package.json with the community-package rules;
// the dev tooling (sandbox, tests, bench, e2e, tools) is left to n8n's default configuration:
// eslint.config.mjs, unchanged, as `npm run lint:n8n` (n8n-node lint in strict mode) requires.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const n8nNodesBasePlugin = { 'n8n-nodes-base': n8nNodesBase };
const published = ['credentials/**/*.ts', 'nodes/**/*.ts'];

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.e2e/**', 'bench/**', 'e2e/**', 'sandbox/**', 'test/**', 'tools/**'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: n8nNodesBasePlugin,
		rules: n8nNodesBase.configs.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: n8nNodesBasePlugin,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Wants an n8n docs slug; a community credential links to its own README (a URL),
			// which the community plugin's credential-documentation-url rule checks instead.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: n8nNodesBasePlugin,
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two want the string 'main'; current n8n (and the community plugin's
			// node-connection-type-literal rule) wants NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: published },
];
