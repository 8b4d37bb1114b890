#!/usr/bin/env bash
# Remake docs/page.png (the picture in the README): render the example, then put the page of
# 表三 预算支出总表 and the first page of the 情况说明 side by side (pdftoppm + Pillow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000} .venv/bin/disclosure-gen render inputs/gaoping-bigdata-2026.yaml \
  --format pdf -o "$tmp" >/dev/null
pdf=$(ls "$tmp"/*.pdf)
page_of() {   # first page whose text contains $1 (after the table of contents)
  pdftotext -layout "$pdf" - | awk -v want="$1" 'BEGIN{RS="\f"} NR>2 && !found && index($0, want) {print NR; found=1}'
}
a=$(page_of "预算支出总表"); b=$(page_of "第三部分")
pdftoppm -r 75 -gray -png -f "$a" -l "$a" "$pdf" "$tmp/a"
pdftoppm -r 75 -gray -png -f "$b" -l "$b" "$pdf" "$tmp/b"
.venv/bin/python - "$tmp" <<'PY'
import glob, sys
from PIL import Image, ImageOps
tmp = sys.argv[1]
pages = [ImageOps.expand(Image.open(glob.glob(f"{tmp}/{n}*.png")[0]).convert("L"), 1, 150) for n in "ab"]
gap = 24
img = Image.new("L", (sum(p.width for p in pages) + 3 * gap, max(p.height for p in pages) + 2 * gap), 232)
x = gap
for p in pages:
    img.paste(p, (x, gap))
    x += p.width + gap
img.save("docs/page.png", optimize=True)
PY
echo "已生成 docs/page.png（第 $a 页、第 $b 页）"
