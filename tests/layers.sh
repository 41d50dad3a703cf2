#!/usr/bin/env bash
# The one dependency rule of src/, checked on the text of every include:
#
#   vici < util < model < action < ui < app < main   (and sim on vici)
#
# A file in folder L may include "config.h", system headers, and "F/x.h" for
# F = L or a folder to the left of L; never a relative path. The build also
# enforces the rule (each layer compiles against links to the folders it may
# see); this check names every offending line at once.
set -uo pipefail
src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/src
order=(vici util model action ui app main)
rank() {
	local i
	for i in "${!order[@]}"; do
		[ "${order[$i]}" = "$1" ] && { echo "$i"; return; }
	done
	echo -1
}
bad=0
while IFS= read -r f; do
	rel=${f#"$src"/}
	folder=${rel%%/*}
	while IFS=: read -r line text; do
		inc=$(sed -E 's/^#[[:space:]]*include[[:space:]]+"([^"]*)".*/\1/' <<<"$text")
		[ "$inc" = config.h ] && continue
		target=${inc%%/*}
		if [ "$target" = "$inc" ] || [[ $inc == ../* ]] || [[ $inc == */../* ]]; then
			echo "src/$rel:$line: \"$inc\": write includes with their folder (\"model/model.h\")"
			bad=1
			continue
		fi
		if [ "$folder" = sim ]; then
			[ "$target" = sim ] || [ "$target" = vici ] && continue
			echo "src/$rel:$line: \"$inc\": vicisim may include only sim/ and vici/"
			bad=1
			continue
		fi
		rf=$(rank "$folder") rt=$(rank "$target")
		if [ "$rf" -lt 0 ]; then
			echo "src/$rel: folder '$folder' is not a layer (${order[*]})"
			bad=1
			break
		fi
		if [ "$rt" -lt 0 ] || [ "$rt" -gt "$rf" ]; then
			echo "src/$rel:$line: \"$inc\": $folder may not include $target (${order[*]})"
			bad=1
		fi
	done < <(grep -n -E '^#[[:space:]]*include[[:space:]]+"' "$f")
done < <(find "$src" -name '*.[ch]' | sort)
if [ "$bad" -ne 0 ]; then
	echo "FAIL: includes that break the layer rule (see src/README.md)"
	exit 1
fi
echo "ok: every include of src/ follows vici < util < model < action < ui < app < main"
