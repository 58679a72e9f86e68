#!/usr/bin/env bash
# Screenshots of a report page in a real browser (Debian's chromium, headless), cut into readable pieces.
#   scripts/report-screenshot.sh RUN_DIR OUT_PREFIX [WIDTH] [PIECE_HEIGHT]
# writes OUT_PREFIX-1.png, -2.png, ... (needs chromium: apt-get install chromium; the cutting is done by the JDK)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/.ci/jdk.sh" >/dev/null
run="$1"; prefix="$2"; width="${3:-1400}"; piece="${4:-3200}"
page="$(cd "$run/report" && pwd)/index.html"
[[ -f "$page" ]] || { echo "no report at $page (run: nnfrust report $run)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,40000" \
    --screenshot="$tmp/full.png" "file://$page" >/dev/null 2>&1
cat > "$tmp/Cut.java" <<'JAVA'
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/** Cuts a page screenshot below its last non-white row into pieces of at most PIECE rows. */
public class Cut {
    public static void main(String[] a) throws Exception {
        BufferedImage img = ImageIO.read(new File(a[0]));
        int piece = Integer.parseInt(a[2]), last = 0;
        for (int y = img.getHeight() - 1; y >= 0 && last == 0; y--) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    last = y;
                    break;
                }
            }
        }
        int total = Math.min(img.getHeight(), last + 24), n = 0;
        for (int top = 0; top < total; top += piece) {
            n++;
            ImageIO.write(img.getSubimage(0, top, img.getWidth(), Math.min(piece, total - top)), "png",
                    new File(a[1] + "-" + n + ".png"));
        }
        System.out.println("wrote " + n + " pieces " + a[1] + "-1.png .. -" + n + ".png (page " + img.getWidth() + "x" + total + ")");
    }
}
JAVA
"$JAVA_HOME/bin/java" "$tmp/Cut.java" "$tmp/full.png" "$prefix" "$piece"
