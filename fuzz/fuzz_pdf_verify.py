"""atheris harness: verify_pdf (cryptokit pdf verify).

Run: python fuzz/fuzz_pdf_verify.py -max_total_time=10 /tmp/corpus-pdf_verify
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("pdf_verify")
