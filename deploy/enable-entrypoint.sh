#!/bin/sh
# Links n8n-nodes-enable from the image into the nodes folder of n8n's user folder (its volume),
# then starts n8n the way the base image does. A copy installed there by hand (npm or the editor)
# is left alone: it wins. ENABLE_PACKAGE_DIR and N8N_ENTRYPOINT exist for the test that runs this
# script outside Docker; an image never sets them.
set -eu
package="${ENABLE_PACKAGE_DIR:-/opt/n8n-nodes-enable/node_modules/n8n-nodes-enable}"
nodes="${N8N_USER_FOLDER:-$HOME}/.n8n/nodes/node_modules"
mkdir -p "$nodes"
if [ -d "$nodes/n8n-nodes-enable" ] && [ ! -L "$nodes/n8n-nodes-enable" ]; then
	echo "n8n-nodes-enable: using the copy installed in $nodes (not the image's)"
else
	ln -sfn "$package" "$nodes/n8n-nodes-enable"
fi
exec "${N8N_ENTRYPOINT:-/docker-entrypoint.sh}" "$@"
