return Backprop.Cli.BackpropCli.Run(args, Console.Out, Console.Error);
