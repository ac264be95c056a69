// Exit codes: 0 done, 2 user error (one line), 1 internal failure.
return await NasActors.Cli.Nas.Run(args);
