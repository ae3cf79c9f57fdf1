from awslab.cli import main

raise SystemExit(main())
