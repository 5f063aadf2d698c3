"""atheris harness: cms.parse.parse_signed_data.

Run: python fuzz/fuzz_cms_parse.py -max_total_time=10 /tmp/corpus-cms_parse
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("cms_parse")
