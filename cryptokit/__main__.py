from cryptokit.cli.main import main

raise SystemExit(main())
