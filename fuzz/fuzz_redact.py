"""atheris harness: cli.redact.redact, the display redaction of ``cryptokit emca open``: the marker
of a secret-named field never comes out, however nested or wrapped (JSON text, base64, CMS).

Run: python fuzz/fuzz_redact.py -max_total_time=10 /tmp/corpus-redact
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("redact")
