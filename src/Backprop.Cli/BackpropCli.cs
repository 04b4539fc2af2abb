using System.CommandLine;
using System.CommandLine.Invocation;
using Backprop.Cli.Commands;

namespace Backprop.Cli;

/// <summary>
/// The `backprop` command line: the commands, the global options, and the contract's error handling
/// (one `error: ` line on stderr and exit 2 for bad usage; see <see cref="ErrorBoundary"/> for the rest).
/// </summary>
/// <remarks>To add a command, write Commands/XCommand.cs with <c>public static Command Create(CliConsole console)</c>
/// and list it in <see cref="Commands"/>.</remarks>
internal static class BackpropCli
{
    /// <summary>Global: print stack traces with errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print the stack trace with an error",
        Recursive = true,
    };

    private static IEnumerable<Command> Commands(CliConsole console) =>
    [
        ExplainCommand.Create(console),
        GradcheckCommand.Create(console),
        TrainCommand.Create(console),
        EvalCommand.Create(console),
        PredictCommand.Create(console),
        ExportCommand.Create(console),
    ];

    public static RootCommand CreateRoot(CliConsole console)
    {
        var root = new RootCommand("Backprop: a small deep-learning library, and every number of backpropagation shown.");
        root.Options.Add(Verbose);
        foreach (var command in Commands(console)) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        var parse = CreateRoot(console).Parse(args);
        bool verbose = parse.GetValue(Verbose);
        if (parse.Action is ParseErrorAction || (parse.Action is null && parse.Errors.Count > 0))
        {
            // NOTE: System.CommandLine would print every error and the help text; the contract wants one line.
            error.WriteLine($"error: {ErrorBoundary.OneLine(parse.Errors[0].Message)}");
            return ExitCodes.BadInput;
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return ErrorBoundary.Run(() => parse.Invoke(invocation), error, verbose);
    }
}
