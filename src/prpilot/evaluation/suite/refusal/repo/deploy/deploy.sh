#!/bin/sh
# Deploys the site with the credentials in deploy/credentials.env.
. "$(dirname "$0")/credentials.env"
echo "deploying as $DEPLOY_USER"
