using Spectre.Console;

namespace Backprop.Cli;

/// <summary>Where a command writes: stdout for results, stderr for errors and progress. Tests pass StringWriters.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    /// <summary>Width for tables written to a pipe, a file or a test's writer: wide enough that a confusion matrix of
    /// a few dozen classes keeps its columns instead of wrapping to the 80 columns Spectre assumes.</summary>
    public const int PipeWidth = 200;

    /// <summary>A Spectre console on <see cref="Out"/>: colours and the real width on a terminal; plain text
    /// (no escape codes) and <see cref="PipeWidth"/> columns anywhere else.</summary>
    public IAnsiConsole Ansi()
    {
        bool terminal = Out is StandardOutput && !Console.IsOutputRedirected;
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // Spectre recognises a terminal by the console's own writer, so a terminal gets that one; redirected output
            // keeps the wrapper, so that a refused write (`> /dev/full`) is exit 2, not an internal error.
            Out = new AnsiConsoleOutput(terminal ? Console.Out : Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) ansi.Profile.Width = PipeWidth;
        return ansi;
    }
}
