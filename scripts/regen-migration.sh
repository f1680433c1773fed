#!/usr/bin/env bash
# Development aid while the referral migration (0001) is unlanded: drop it and regenerate it from the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f src/db/migrations/0001_*.sql src/db/migrations/meta/0001_snapshot.json
node -e '
const fs=require("fs");const p="src/db/migrations/meta/_journal.json";const j=JSON.parse(fs.readFileSync(p,"utf8"));
j.entries=j.entries.filter(e=>e.idx<1);fs.writeFileSync(p,JSON.stringify(j,null,2)+"\n");'
npx drizzle-kit generate --name referral
