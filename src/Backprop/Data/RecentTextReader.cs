namespace Backprop.Data;

/// <summary>
/// Passes a reader's text through unchanged and keeps the last two blocks of it, with their line numbers, so that a
/// record the CSV parser rejects can be looked at again.
/// </summary>
/// <remarks>NOTE: the parser reads ahead in blocks and, once it has failed, no longer gives the record's text; two blocks
/// hold the start of any record shorter than a block.</remarks>
/// <param name="firstLine">The 1-based line of the file the text starts at (a stretch of a file read on its own).</param>
internal sealed class RecentTextReader(TextReader inner, int firstLine = 1) : TextReader
{
    // NOTE: two buffers reused in turn: a new string per block made a big file's every block a fresh allocation of
    // the block's size, which the garbage collector then had to collect.
    char[] previous = [], current = [];
    int previousLength, currentLength;
    int linesBeforePrevious = firstLine - 1, linesBeforeCurrent = firstLine - 1;

    /// <summary>Whether the inner reader has said the text ended, so that the kept text runs to the end.</summary>
    public bool ReachedEnd { get; private set; }

    public override int Read(char[] buffer, int index, int count) => Keep(buffer.AsSpan(index, inner.Read(buffer, index, count)));

    public override int Read(Span<char> buffer) => Keep(buffer[..inner.Read(buffer)]);

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Peek() => inner.Peek();

    int Keep(ReadOnlySpan<char> block)
    {
        if (block.IsEmpty)
        {
            ReachedEnd = true;
            return 0;
        }
        linesBeforePrevious = linesBeforeCurrent;
        linesBeforeCurrent += current.AsSpan(0, currentLength).Count('\n');
        (previous, previousLength, current) = (current, currentLength, previous);
        if (current.Length < block.Length) current = new char[block.Length];
        block.CopyTo(current);
        currentLength = block.Length;
        return block.Length;
    }

    /// <summary>The kept text from the start of 1-based <paramref name="line"/> on, or null when that is no longer kept.</summary>
    public string? From(int line)
    {
        string kept = string.Concat(previous.AsSpan(0, previousLength), current.AsSpan(0, currentLength));
        int start = 0;
        for (int skip = line - 1 - linesBeforePrevious; skip > 0; skip--)
        {
            int newline = kept.IndexOf('\n', start);
            if (newline < 0) return null;
            start = newline + 1;
        }
        return line - 1 < linesBeforePrevious ? null : kept[start..];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
