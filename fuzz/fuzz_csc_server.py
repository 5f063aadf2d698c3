"""atheris harness: csc.server parse_sign_hash_request.

Run: python fuzz/fuzz_csc_server.py -max_total_time=10 /tmp/corpus-csc_server
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("csc_server")
