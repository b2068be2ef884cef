// n8n loads this package through the "n8n" block of package.json (dist/ only). This file is not
// published ("files" is ["dist"] and there is no "main"); it exists for tools that expect an entry.
module.exports = {};
