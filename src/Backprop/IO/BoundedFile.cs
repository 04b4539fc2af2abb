namespace Backprop.IO;

/// <summary>Reads a small input file whole, a regular file or a pipe alike, refusing one larger than the caller allows.</summary>
/// <remarks>NOTE: File.ReadAllBytes took whatever came: `head -c 3G /dev/zero | backprop explain --model -` ran a minute
/// to "internal error: OutOfMemoryException" (exit 1) with 4 GB in use.</remarks>
public static class BoundedFile
{
    /// <summary>The bytes of <paramref name="path"/>, or null when it holds more than <paramref name="maxBytes"/>
    /// (having read no more than one byte past that).</summary>
    public static byte[]? ReadAllBytes(string path, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (stream.CanSeek && stream.Length > maxBytes) return null;
        using var content = new MemoryStream();
        var buffer = new byte[1 << 16];
        for (int read; (read = stream.Read(buffer)) > 0;)
        {
            content.Write(buffer, 0, read);
            if (content.Length > maxBytes) return null;
        }
        return content.ToArray();
    }
}
