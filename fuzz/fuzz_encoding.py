"""atheris harness: b64decode, hex_decode, pem_decode_all, asn1_kind.

Run: python fuzz/fuzz_encoding.py -max_total_time=10 /tmp/corpus-encoding
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("encoding")
