"""atheris harness: validate_chain against cryptography's verifier on generated chains (differential).

Run: python fuzz/fuzz_chain_differential.py -max_total_time=10 /tmp/corpus-chain-diff
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("chain_differential")
