#!/bin/sh
# Make sure the Debian packages entra2port builds and tests with are here.
# As root, install the missing ones with apt-get; otherwise name them in one
# message and fail.  Used by make (build/.deps) and by .ci/run.
PKGS="gcc make libc6-dev pkg-config libcurl4-openssl-dev libjq-dev libonig-dev
libyaml-dev libcjson-dev libssl-dev python3 python3-yaml jq curl mandoc"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "entra2port: installing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	    $missing; } >&2 || {
		echo "entra2port: apt-get failed to install:$missing" >&2
		exit 1
	}
	exit 0
fi
echo "entra2port: missing Debian packages:$missing" >&2
echo "entra2port: install them with: sudo apt-get install$missing" >&2
exit 1
