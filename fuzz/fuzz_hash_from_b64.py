"""atheris harness: HashToSign.from_b64 / from_hex.

Run: python fuzz/fuzz_hash_from_b64.py -max_total_time=10 /tmp/corpus-hash_from_b64
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("hash_from_b64")
