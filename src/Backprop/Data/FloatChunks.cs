namespace Backprop.Data;

/// <summary>
/// Collects floats of a length not known exactly in advance (a text file's values): into one array, or a stretch of
/// one shared with other collectors, when a good upper bound is known, else in fixed chunks; <see cref="ToArray"/> and
/// <see cref="CopyTo"/> then give them in order.
/// </summary>
/// <remarks>NOTE: a <see cref="List{T}"/> doubling its array copied the values up to twice more while loading and held
/// up to twice the data, then a third copy for the final array. On this VM every fresh 4 KiB page costs a fault of
/// ~10 µs, so the memory touched mattered more than the copying: a 133 MB CSV of pixels (188 MB as floats) took 4.5 s
/// and 600 MB.</remarks>
internal sealed class FloatChunks
{
    const int ChunkLength = 1 << 20;
    readonly List<float[]> full = [];
    long fullCount;
    readonly float[]? stretch;  // the shared array, for a collector given a stretch of one
    readonly int stretchEnd;
    float[] chunk;
    int start, used, end;  // this collector's values in the current chunk are chunk[start..used], its room ends at end

    /// <param name="atMost">An upper bound on the count when one is known: when it is met exactly, the values stay in
    /// the one array it sizes and <see cref="ToArray"/> copies nothing.</param>
    public FloatChunks(long atMost = 0)
    {
        // NOTE: uninitialised, because fresh pages are zero anyway and any part the count does not reach is never touched.
        chunk = atMost > 0 && atMost <= Array.MaxLength ? LargeArrays.Floats(atMost) : new float[1024];
        end = chunk.Length;
    }

    /// <summary>A collector that fills <paramref name="shared"/>[<paramref name="offset"/> ..
    /// <paramref name="offset"/> + <paramref name="length"/>] first, and goes on in chunks of its own past that.</summary>
    public FloatChunks(float[] shared, int offset, int length)
    {
        chunk = stretch = shared;
        start = used = offset;
        end = stretchEnd = offset + length;
    }

    public long Count => fullCount + used - start;

    /// <summary>Whether every value is in the stretch it was given (or its one array) and fills it exactly.</summary>
    public bool FillsItsStretch => full.Count == 0 && ReferenceEquals(chunk, stretch) && used == stretchEnd;

    public void Add(float value)
    {
        if (used == end) Grow();
        chunk[used++] = value;
    }

    void Grow()
    {
        if (stretch is null && chunk.Length < ChunkLength)
        {
            Array.Resize(ref chunk, Math.Min(chunk.Length * 4, ChunkLength));
            end = chunk.Length;
            return;
        }
        // The full part of a shared array stays where it is, to be copied from at the end.
        full.Add(ReferenceEquals(chunk, stretch) ? chunk[start..used] : chunk);
        fullCount += used - start;
        chunk = new float[ChunkLength];
        start = used = 0;
        end = chunk.Length;
    }

    /// <summary>The values in one array of their exact length: the collector's own array when it holds exactly them.</summary>
    public float[] ToArray()
    {
        if (full.Count == 0 && start == 0 && used == chunk.Length) return chunk;
        var values = new float[Count];
        CopyTo(values, 0);
        return values;
    }

    /// <summary>Copies the values into <paramref name="destination"/> from <paramref name="at"/> on.</summary>
    public void CopyTo(float[] destination, long at)
    {
        foreach (float[] done in full)
        {
            done.CopyTo(destination, at);
            at += done.Length;
        }
        Array.Copy(chunk, start, destination, at, used - start);
    }
}
