// Copies node and credential icons next to the compiled code: n8n resolves `file:` icons
// relative to the .js file, and tsc copies only TypeScript output.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
