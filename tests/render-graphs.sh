#!/usr/bin/env bash
# Draws every example's `zplan graph` with Graphviz and checks the picture: dot accepts the
# graph, the SVG is well-formed and names every node and client, and it shows what the
# picture kept beside the example (examples/NAME.svg, in the README) shows: the same nodes,
# edges and labels (positions may differ with the fonts a machine has). Run by .ci/run.
#
#   tests/render-graphs.sh [--update] [ZPLAN_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
update=false
if [ "${1:-}" = --update ]; then
  update=true
  shift
fi
zplan=${1:-target/debug/zplan}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for example in examples/*.zplan; do
  name=$(basename "$example" .zplan)
  "$zplan" graph "$example" > "$work/$name.dot"
  dot -Tsvg "$work/$name.dot" > "$work/$name.svg"
  if $update; then
    cp "$work/$name.svg" "examples/$name.svg"
  fi
  python3 - "$work/$name.svg" "$work/$name.dot" "examples/$name.svg" <<'PY'
import re, sys, xml.etree.ElementTree as tree
SVG = "{http://www.w3.org/2000/svg}"
def content(path):
    root = tree.parse(path).getroot()
    return sorted(t.text for t in root.iter(SVG + "title")), sorted(t.text for t in root.iter(SVG + "text"))
svg, dot, kept = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
titles, texts = content(svg)
nodes = set(re.findall(r'^  "([^"]+)" \[shape', dot, re.M))
missing = nodes - set(titles)
if not nodes or missing:
    sys.exit(f"{svg}: nodes missing from the picture: {sorted(missing) or 'no nodes'}")
if content(kept) != (titles, texts):
    sys.exit(f"{kept} does not show the graph of its policy; run tests/render-graphs.sh --update")
PY
  echo "graph of $name: $(grep -c '<g id="node' "$work/$name.svg") nodes, $(grep -c '<g id="edge' "$work/$name.svg") edges"
done
