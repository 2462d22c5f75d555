#!/bin/sh
# alternate.sh runs pgbench's ceiling and the turn benchmark in alternate 4-second blocks,
# PAIRS times (default 6), and prints each block of turns against the mean of the ceilings
# just before and after it: the virtual disk's flush latency, which moves the ceiling more
# than the turn, changes within minutes. Run from the repository's root, after setup.sql.
set -eu
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
pairs=${PAIRS:-6}
bin=$(mktemp -d)/postgres.test
go test -c -o "$bin" ./postgres
ceiling() { pgbench -n -c 1 -T 4 -M prepared -f postgres/bench/ceiling.sql "$url" 2>/dev/null | awk '/^tps/{print $3}'; }
before=$(ceiling)
i=0
while [ "$i" -lt "$pairs" ]; do
	turns=$(DATABASE_URL=$url "$bin" -test.run '^$' -test.bench BenchmarkEngineTurn -test.benchtime 4s | awk '/^Bench/{print $5}')
	after=$(ceiling)
	echo "$turns $before $after" | awk '{m = ($2 + $3) / 2; printf "turns/s %.0f  ceiling tps %.0f (%.0f, %.0f)  ratio %.2f\n", $1, m, $2, $3, $1 / m}'
	before=$after
	i=$((i + 1))
done
rm -rf "$(dirname "$bin")"
