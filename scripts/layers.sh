#!/bin/sh
# The layering of src/ (README, "Layout"): a module may include the
# headers of its own layer and of those below it, never of one above.
# Every module must have a layer here.  graph and port, the two service
# clients, know nothing of each other.  Used by make lint; prints each
# violation and exits 1 if there is one.
cd "$(dirname "$0")/.." || exit 2
layers='
0 xmalloc exits
1 buf strset
2 msg csv
3 options mapping http blueprints members
4 jqscan jqpath jvtext targets auth report digest
5 graphschema transform graph port progress
6 state prune client resource
7 check inspect sync
8 main
'
layer_of() {
	printf '%s\n' "$layers" | awk -v m="$1" '
	    { for (i = 2; i <= NF; i++) if ($i == m) { print $1; exit } }'
}
bad=0
for f in src/*.c src/*.h; do
	m=$(basename "$f" | sed 's/\.[ch]$//')
	lm=$(layer_of "$m")
	if [ -z "$lm" ]; then
		echo "$f: module '$m' has no layer in scripts/layers.sh"
		bad=1
		continue
	fi
	for h in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
		lh=$(layer_of "$h")
		if [ -z "$lh" ]; then
			echo "$f: includes '$h.h', which has no layer"
			bad=1
		elif [ "$lh" -gt "$lm" ]; then
			echo "$f: $m (layer $lm) includes $h.h (layer $lh, above it)"
			bad=1
		fi
		case "$m:$h" in
		graph:port | port:graph)
			echo "$f: graph and port know nothing of each other"
			bad=1 ;;
		esac
	done
done
exit $bad
