from newsbench.cli import main

main()
