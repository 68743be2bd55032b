from easel.cli.main import main

main()
