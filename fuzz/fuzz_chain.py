"""atheris harness: chain.validate_chain, revocation.load_crls.

Run: python fuzz/fuzz_chain.py -max_total_time=10 /tmp/corpus-chain
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("chain")
