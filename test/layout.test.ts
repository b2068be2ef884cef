/**
 * docs/layout.md stays true: every file under the folders it must cover has its line there, and
 * every line there under those folders names a file (or, ending in `/`, a folder) that exists.
 * The doc's folder headings are paths (`## \`e2e/\``); a line `- \`lib/host.ts\`: …` under a
 * heading names that heading's folder joined with the path.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const DOC = 'docs/layout.md';
/** The folders whose every file must have its line. */
const COVERED = ['nodes/', 'credentials/', 'sandbox/', 'test/harness/', 'e2e/', 'bench/', 'tools/'];

interface Entry {
	/** Repository-relative, `/`-separated; a folder ends in `/`. */
	path: string;
	line: number;
	heading: string;
}

/** Folder headings and the file lines under each. */
function readDoc(): { entries: Entry[]; headings: string[] } {
	const entries: Entry[] = [];
	const headings: string[] = [];
	let folder: string | undefined;
	readFileSync(path.join(ROOT, DOC), 'utf8')
		.split('\n')
		.forEach((text, index) => {
			const heading = /^#{2,4} +`?([\w.\-/]+\/)`? *$/.exec(text);
			if (heading) {
				folder = heading[1];
				headings.push(folder);
				return;
			}
			if (/^#/.test(text)) {
				folder = undefined;
				return;
			}
			const item = /^- `([^`]+)`/.exec(text);
			if (item && folder) entries.push({ path: folder + item[1], line: index + 1, heading: folder });
		});
	return { entries, headings };
}

function filesUnder(folder: string): string[] {
	const dir = path.join(ROOT, folder);
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((name) => !name.startsWith('.'))
		.flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? filesUnder(`${folder}${name}/`) : [`${folder}${name}`]));
}

const covered = (file: string) => COVERED.some((folder) => file.startsWith(folder));

test('docs/layout.md has one line for every file of the folders it covers, and none for a file that is gone', () => {
	const { entries, headings } = readDoc();
	const problems: string[] = [];

	const named = new Map<string, Entry>();
	for (const entry of entries) {
		const earlier = named.get(entry.path);
		if (earlier) problems.push(`${DOC} names ${entry.path} twice (lines ${earlier.line} and ${entry.line}): remove line ${entry.line}`);
		named.set(entry.path, entry);
	}

	for (const file of COVERED.flatMap(filesUnder)) {
		if (named.has(file) || entries.some((entry) => entry.path.endsWith('/') && file.startsWith(entry.path))) continue;
		// The deepest folder heading the file is under, else a new heading for its folder.
		const heading = headings.filter((folder) => file.startsWith(folder)).sort((a, b) => b.length - a.length)[0];
		problems.push(
			heading
				? `${file} has no line in ${DOC}: add "- \`${file.slice(heading.length)}\`: <what it is for>" under the heading "${heading}"`
				: `${file} has no line in ${DOC}: add a heading "## \`${path.posix.dirname(file)}/\`" with a paragraph, and under it "- \`${path.posix.basename(file)}\`: <what it is for>"`,
		);
	}

	for (const entry of entries) {
		if (!covered(entry.path)) continue;
		const target = path.join(ROOT, entry.path);
		const exists = entry.path.endsWith('/') ? existsSync(target) && statSync(target).isDirectory() : existsSync(target) && statSync(target).isFile();
		if (!exists) problems.push(`${DOC} line ${entry.line} names ${entry.path}, which does not exist: remove "- \`${entry.path.slice(entry.heading.length)}\`" under the heading "${entry.heading}" (or fix its path)`);
	}

	if (problems.length) throw new Error(`docs/layout.md and the files disagree:\n${problems.join('\n')}`);
});
