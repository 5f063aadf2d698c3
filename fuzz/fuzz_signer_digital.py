"""atheris harness: signer_digital.parse_response.

Run: python fuzz/fuzz_signer_digital.py -max_total_time=10 /tmp/corpus-signer_digital
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("signer_digital")
