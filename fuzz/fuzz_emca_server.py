"""atheris harness: emca open_create_certificates_request / handle_create_certificates.

Run: python fuzz/fuzz_emca_server.py -max_total_time=10 /tmp/corpus-emca_server
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("emca_server")
