"""atheris harness: adss.SignStatusPoller fed sequences of status answers.

Run: python fuzz/fuzz_adss_poll.py -max_total_time=10 /tmp/corpus-adss_poll
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("adss_poll")
