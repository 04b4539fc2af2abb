using Backprop.IO;

namespace Backprop.Cli;

/// <summary>
/// The process's standard output, whose write failures are the caller's output problem, not a bug: `explain &gt; /dev/full`
/// ended in "internal error: IOException: No space left on device" (exit 1); it is now exit 2 naming standard output.
/// </summary>
internal sealed class StandardOutput(TextWriter console) : TextWriter
{
    public const string Name = "standard output";

    public override System.Text.Encoding Encoding => console.Encoding;
    public override IFormatProvider FormatProvider => console.FormatProvider;

    public override void Write(char value) => Guard(() => console.Write(value));
    public override void Write(char[] buffer, int index, int count) => Guard(() => console.Write(buffer, index, count));
    public override void Write(ReadOnlySpan<char> buffer)
    {
        // (a span cannot enter a lambda)
        try { console.Write(buffer); }
        catch (Exception exception) when (IsRefusal(exception)) { throw Refused(exception); }
    }
    public override void Write(string? value) => Guard(() => console.Write(value));
    public override void Write(System.Text.StringBuilder? value) => Guard(() => console.Write(value));
    public override void WriteLine(string? value) => Guard(() => console.WriteLine(value));
    public override void Flush() => Guard(console.Flush);

    private static void Guard(Action write)
    {
        try { write(); }
        catch (Exception exception) when (IsRefusal(exception)) { throw Refused(exception); }
    }

    // NOTE: a closed descriptor (`explain >&-`) arrives as UnauthorizedAccessException around the system's EBADF, which
    // read "error: Access to the path is denied."; its inner "Bad file descriptor" is the reason to name.
    private static bool IsRefusal(Exception exception) =>
        exception is (IOException and not OutputFileException) or UnauthorizedAccessException;

    private static OutputFileException Refused(Exception exception) =>
        new(Name, OutputFileException.Reason(exception.InnerException as IOException ?? exception), exception);
}
