using Backprop.Cli;

namespace Backprop.Tests.Cli;

/// <summary>Runs `backprop` in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = BackpropCli.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }
}
