namespace Backprop.IO;

/// <summary>Writes a file all at once or not at all.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes into a temporary file in the target's directory, flushes it to disk, then renames it over
    /// <paramref name="path"/>. If anything fails (the directory is read-only, the disk is full,
    /// <paramref name="writeContent"/> throws), the temporary file is removed, an existing file at
    /// <paramref name="path"/> is left as it was, and the exception propagates.
    /// </summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeContent);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"{path} names no file", nameof(path));
        // NOTE: checked here rather than left to the temporary file's creation, whose error would name the
        // temporary file instead of the path the caller gave.
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{path}: the folder {directory} does not exist");
        // NOTE: same directory, so the rename stays on one file system and is atomic.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllText(string path, string contents) =>
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents)));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        var copy = contents.ToArray();
        Write(path, stream => stream.Write(copy));
    }
}
