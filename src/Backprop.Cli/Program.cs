return Backprop.Cli.BackpropCli.Run(args, Backprop.Cli.StandardOutput.Open(), Console.Error);
