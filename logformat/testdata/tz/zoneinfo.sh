#!/bin/sh
# zoneinfo.sh copies the tzfiles the golden data uses from the system's
# zone database into testdata/tz/zoneinfo, so that the golden tests do not
# change when the tzdata package does. Run it from the logformat directory
# before regenerating the golden files (go generate does both).
set -eu
src=${1:-/usr/share/zoneinfo}
dst=testdata/tz/zoneinfo
zones="UTC Etc/UTC GMT Universal posixrules EST5EDT EST CET
America/St_Johns America/New_York America/Sao_Paulo America/Anchorage
Asia/Kolkata Asia/Tokyo Asia/Tehran Europe/London Europe/Dublin
Europe/Moscow Europe/Amsterdam Australia/Sydney Australia/Lord_Howe
Pacific/Chatham Pacific/Apia Africa/Casablanca Africa/Monrovia"
rm -rf "$dst"
for z in $zones; do
	mkdir -p "$dst/$(dirname "$z")"
	cp -L "$src/$z" "$dst/$z"
done
sed -n '1s/^# version /tzdata /p' "$src/tzdata.zi" > "$dst/VERSION"
