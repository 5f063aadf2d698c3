"""atheris harness: emca parse_response / parse_create_certificates_response.

Run: python fuzz/fuzz_emca_client.py -max_total_time=10 /tmp/corpus-emca_client
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("emca_client")
