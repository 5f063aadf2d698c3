"""atheris harness: chain.der.read_certificate (the fast path for a certificate never seen)
against the general path through cryptography's objects: whatever the reader accepts, the general
path admits without a warning and reads to the same facts.

Run: python fuzz/fuzz_chain_der.py -max_total_time=10 /tmp/corpus-chain-der
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("chain_der")
