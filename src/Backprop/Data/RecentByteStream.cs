namespace Backprop.Data;

/// <summary>
/// Passes a stream's bytes through unchanged and keeps the last two blocks of them, with the lines before them, so that
/// the bytes a decoder rejected can be found and their line named in data that cannot be read again (a pipe).
/// </summary>
/// <remarks>NOTE: a decoder fails inside the block it was given last, or at most three bytes before it (a character split
/// between blocks): two blocks always hold the bytes it rejected.</remarks>
internal sealed class RecentByteStream(Stream inner) : ForwardStream
{
    byte[] previous = [], current = [];
    long bytesBeforePrevious, bytesBeforeCurrent;
    int linesBeforePrevious, linesBeforeCurrent;

    public override int Read(Span<byte> buffer) => Keep(buffer[..inner.Read(buffer)]);

    int Keep(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty) return 0;
        bytesBeforePrevious = bytesBeforeCurrent;
        bytesBeforeCurrent += current.Length;
        linesBeforePrevious = linesBeforeCurrent;
        linesBeforeCurrent += current.AsSpan().Count((byte)'\n');
        previous = current;
        current = block.ToArray();
        return block.Length;
    }

    /// <summary>The kept bytes as a stream, and the 1-based line they start on.</summary>
    public (Stream Bytes, int FirstLine) Kept()
    {
        byte[] kept = [.. previous, .. current];
        // NOTE: bytes before the kept ones decoded, so continuation bytes (10xxxxxx) at the start end a character begun there.
        int start = 0;
        if (bytesBeforePrevious > 0)
            while (start < Math.Min(3, kept.Length) && (kept[start] & 0xC0) == 0x80) start++;
        return (new MemoryStream(kept, start, kept.Length - start, writable: false), linesBeforePrevious + 1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
