"""atheris harness: PreparedCms.from_dict and PreparedCms.finish.

Run: python fuzz/fuzz_cms_prepared.py -max_total_time=10 /tmp/corpus-cms-prepared
(all harnesses: python fuzz/run.py --seconds 10)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz._harness import main

if __name__ == "__main__":
    main("cms_prepared")
