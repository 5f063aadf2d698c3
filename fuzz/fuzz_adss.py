"""atheris harness: adss parse_* (15 response parsers).

Run: python fuzz/fuzz_adss.py -max_total_time=10 /tmp/corpus-adss
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("adss")
