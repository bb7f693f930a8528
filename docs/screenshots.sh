#!/usr/bin/env bash
# Screenshots of the site, rendered by headless Chromium (Debian: apt-get install chromium
# libjs-mathjax) and reduced to small palette PNGs in _static/screenshots/. The site is built
# into _build/shots with the local MathJax, as a reader online sees it with MathJax's CDN.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
out=_static/screenshots
mkdir -p "$out"
export MPLBACKEND=Agg
ATTRACTOR_DOCS_MATHJAX="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML" \
  "$PY" -m sphinx -b html -q . _build/shots
shot() {  # page, name, window height
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$3" \
    --virtual-time-budget=3000 --screenshot="/tmp/attractor-$2.png" "file://$PWD/_build/shots/$1" 2>/dev/null
  "$PY" - "/tmp/attractor-$2.png" "$out/$2.png" <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
im = im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.LANCZOS)
im.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PYEOF
  echo "$out/$2.png: $(stat -c %s "$out/$2.png") bytes"
}
shot index.html home 1000
shot auto_examples/hopfield_energy.html gallery-hopfield-energy 1900
shot guide/boltzmann.html guide-boltzmann 2400
