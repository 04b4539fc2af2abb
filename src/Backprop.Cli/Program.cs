return Backprop.Cli.BackpropCli.Run(args, new Backprop.Cli.StandardOutput(Console.Out), Console.Error);
