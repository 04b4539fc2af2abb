using System.Text;
using Backprop.IO;
using Microsoft.Win32.SafeHandles;

namespace Backprop.Cli;

/// <summary>
/// The process's standard output, whose write failures are the caller's output problem, not a bug: `explain &gt; /dev/full`
/// ended in "internal error: IOException: No space left on device" (exit 1); it is now exit 2 naming standard output.
/// A reader that leaves early (`| head`) is not an error: later writes are dropped and <see cref="ReaderGone"/> turns
/// true, so that a command whose only product is its output can stop, while `train --out` still saves its model.
/// </summary>
internal sealed class StandardOutput(TextWriter console) : TextWriter
{
    public const string Name = "standard output";

    // NOTE: EPIPE is 32 on Linux and macOS; .NET's IOException carries the errno as its HResult.
    private const int BrokenPipe = 32;

    /// <summary>True once a write found the pipe's reader gone; every write after it is dropped.</summary>
    public bool ReaderGone { get; private set; }

    /// <summary>The process's standard output. A pipe is written through a stream of its own, because the console's
    /// stream drops EPIPE without a word (ConsolePal.Unix), and a command could not tell that its reader had left.</summary>
    public static StandardOutput Open()
    {
        if (!IsPipe()) return new StandardOutput(Console.Out);
        var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 1);
        return new StandardOutput(new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 16 * 1024) { AutoFlush = true });
    }

    private static bool IsPipe()
    {
        try { return new FileInfo("/proc/self/fd/1").LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) == true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public override System.Text.Encoding Encoding => console.Encoding;
    public override IFormatProvider FormatProvider => console.FormatProvider;

    public override void Write(char value) => Guard(() => console.Write(value));
    public override void Write(char[] buffer, int index, int count) => Guard(() => console.Write(buffer, index, count));
    public override void Write(ReadOnlySpan<char> buffer)
    {
        // (a span cannot enter a lambda)
        if (ReaderGone) return;
        try { console.Write(buffer); }
        catch (IOException exception) when (exception.HResult == BrokenPipe) { ReaderGone = true; }
        catch (Exception exception) when (IsRefusal(exception)) { throw Refused(exception); }
    }
    public override void Write(string? value) => Guard(() => console.Write(value));
    public override void Write(System.Text.StringBuilder? value) => Guard(() => console.Write(value));
    public override void WriteLine(string? value) => Guard(() => console.WriteLine(value));
    public override void Flush() => Guard(console.Flush);

    private void Guard(Action write)
    {
        if (ReaderGone) return;
        try { write(); }
        catch (IOException exception) when (exception.HResult == BrokenPipe) { ReaderGone = true; }
        catch (Exception exception) when (IsRefusal(exception)) { throw Refused(exception); }
    }

    // NOTE: a closed descriptor (`explain >&-`) arrives as UnauthorizedAccessException around the system's EBADF, which
    // read "error: Access to the path is denied."; its inner "Bad file descriptor" is the reason to name.
    private static bool IsRefusal(Exception exception) =>
        exception is (IOException and not OutputFileException) or UnauthorizedAccessException;

    private static OutputFileException Refused(Exception exception) =>
        new(Name, OutputFileException.Reason(exception.InnerException as IOException ?? exception), exception);
}
