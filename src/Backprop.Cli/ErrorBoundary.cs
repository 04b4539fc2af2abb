using Backprop.IO;

namespace Backprop.Cli;

/// <summary>
/// Turns exceptions into the contract's exit codes and one `error: ` line on stderr; the stack trace follows
/// only with --verbose. Typed input errors carry their own file/line/field message.
/// </summary>
internal static class ErrorBoundary
{
    public static int Run(Func<int> command, TextWriter error, bool verbose)
    {
        try
        {
            return command();
        }
        catch (Exception exception)
        {
            var (code, message) = Classify(exception);
            // NOTE: stderr may refuse too (`explain >/dev/full 2>&1`), which aborted the process (SIGABRT): the exit
            // code is then all that can be said.
            try
            {
                error.WriteLine($"error: {OneLine(message)}");
                if (verbose) error.WriteLine(exception.ToString());
            }
            catch (IOException) { }
            return code;
        }
    }

    /// <summary>The exit code and message for an exception. Add new typed input errors (e.g. a data-format
    /// exception) to the exit-2 arm, and a divergence exception with exit 3.</summary>
    private static (int Code, string Message) Classify(Exception exception) => exception switch
    {
        ModelFileException or ModelFormatException or UsageException or Backprop.Data.DataFormatException or OutputFileException => (ExitCodes.BadInput, exception.Message),
        Backprop.Training.TrainingDivergedException => (ExitCodes.Diverged, exception.Message),
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => (ExitCodes.BadInput, exception.Message),
        OperationCanceledException => (ExitCodes.InternalError, "cancelled"),
        _ => (ExitCodes.InternalError, $"internal error: {exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>Messages must fit the contract's single line.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
