"""atheris harness: emca unframe_csrs / parse_pkcs12_content.

Run: python fuzz/fuzz_emca_framing.py -max_total_time=10 /tmp/corpus-emca_framing
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("emca_framing")
