"""atheris harness: adss.server parse_sign_request, parse_sign_status_request.

Run: python fuzz/fuzz_adss_server.py -max_total_time=10 /tmp/corpus-adss_server
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("adss_server")
