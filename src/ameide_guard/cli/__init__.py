"""The command line: the console entry (`entry`, which starts discovery before anything heavy is
imported), the click commands, and `init`'s starter config."""
