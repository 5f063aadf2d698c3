"""atheris harness: keys.load_pfx with fuzzed KDF parameters (scrypt N, r, p, PBKDF2
and MAC iterations, unreadable KDFs): over the bounds, refused before OpenSSL derives anything.

Run: python fuzz/fuzz_pfx_kdf.py -max_total_time=10 /tmp/corpus-pfx-kdf
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("pfx_kdf")
