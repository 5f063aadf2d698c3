"""atheris harness: signature_keys.load_public_key.

Run: python fuzz/fuzz_public_key.py -max_total_time=10 /tmp/corpus-public_key
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("public_key")
