namespace Backprop.Data;

/// <summary>
/// Collects floats of a length not known exactly in advance (a text file's values): into one array when a good upper
/// bound is known, else in fixed chunks; <see cref="ToArray"/> then gives them in an array of the exact length.
/// </summary>
/// <remarks>NOTE: a <see cref="List{T}"/> doubling its array copied the values up to twice more while loading and held
/// up to twice the data, then a third copy for the final array. On this VM every fresh 4 KiB page costs a fault of
/// ~10 µs, so the memory touched mattered more than the copying: a 190 MB CSV of pixels took 4.5 s and 600 MB.</remarks>
internal sealed class FloatChunks
{
    const int ChunkLength = 1 << 20;
    readonly List<float[]> full = [];
    long fullCount;
    float[] chunk;
    int used;

    /// <param name="atMost">An upper bound on the count when one is known: when it is met exactly, the values stay in
    /// the one array it sizes and <see cref="ToArray"/> copies nothing.</param>
    public FloatChunks(long atMost = 0)
    {
        // NOTE: uninitialised, because fresh pages are zero anyway and any part the count does not reach is never touched.
        chunk = atMost > 0 && atMost <= Array.MaxLength ? LargeArrays.Floats(atMost) : new float[1024];
    }

    public long Count => fullCount + used;

    public void Add(float value)
    {
        if (used == chunk.Length) Grow();
        chunk[used++] = value;
    }

    void Grow()
    {
        if (chunk.Length < ChunkLength)
        {
            Array.Resize(ref chunk, Math.Min(chunk.Length * 4, ChunkLength));
            return;
        }
        full.Add(chunk);
        fullCount += chunk.Length;
        chunk = new float[ChunkLength];
        used = 0;
    }

    public float[] ToArray()
    {
        if (full.Count == 0 && used == chunk.Length) return chunk;
        var values = new float[Count];
        long at = 0;
        foreach (float[] done in full)
        {
            done.CopyTo(values, at);
            at += done.Length;
        }
        Array.Copy(chunk, 0, values, at, used);
        return values;
    }
}
