namespace Backprop.IO;

/// <summary>Writes a file all at once or not at all.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes into a temporary file in the target's directory, flushes it to disk, then renames it over
    /// <paramref name="path"/>. If anything fails (the directory is read-only, the disk is full,
    /// <paramref name="writeContent"/> throws), the temporary file is removed, an existing file at
    /// <paramref name="path"/> is left as it was, and the exception propagates: <paramref name="writeContent"/>'s
    /// own, or an <see cref="OutputFileException"/> naming <paramref name="path"/> when the file system refuses.
    /// A device, pipe or terminal (/dev/null, /dev/stdout, a FIFO) is written in place: no rename can replace it.
    /// </summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeContent);
        string fullPath = Path.GetFullPath(path);
        if (SpecialFiles.IsSpecial(fullPath))
        {
            WriteInPlace(path, fullPath, writeContent);
            return;
        }
        fullPath = Destination(fullPath);
        string temporary = TemporaryBeside(path, fullPath);
        try
        {
            using (var stream = FileSystemStep(path, temporary, () => new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16)))
            {
                writeContent(stream);
                FileSystemStep(path, temporary, () => { stream.Flush(flushToDisk: true); return 0; });
            }
            FileSystemStep(path, temporary, () => { File.Move(temporary, fullPath, overwrite: true); return 0; });
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Whether <see cref="Write"/> could create its temporary file beside <paramref name="path"/>: tried with an
    /// empty file that is removed at once. Throws what <see cref="Write"/> would: an <see cref="OutputFileException"/>
    /// naming <paramref name="path"/>, or <see cref="DirectoryNotFoundException"/>.</summary>
    /// <remarks>NOTE: for commands that write more than one file after long work: `train --plot p.png --out /proc/m.bp`
    /// trained, wrote the plot, and only then found that the model could not be written.</remarks>
    public static void CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (SpecialFiles.IsSpecial(fullPath)) return;
        string probe = TemporaryBeside(path, Destination(fullPath));
        FileSystemStep(path, probe, () =>
        {
            new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose).Dispose();
            return 0;
        });
    }

    /// <summary>A new temporary file's name beside <paramref name="destination"/>, whose folder must exist.</summary>
    private static string TemporaryBeside(string path, string destination)
    {
        string directory = Path.GetDirectoryName(destination) ?? throw new ArgumentException($"{path} names no file", nameof(path));
        // NOTE: checked here rather than left to the temporary file's creation, whose error would name the
        // temporary file instead of the path the caller gave.
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{path}: the folder {directory} does not exist");
        // NOTE: same directory, so the rename stays on one file system and is atomic.
        return Path.Combine(directory, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
    }

    // NOTE: a device, pipe or terminal (/dev/null, /dev/stdout, a FIFO) cannot be swapped by a rename: as root, the
    // rename replaced the device node itself with a regular file. It is written in place, as a shell redirection does.
    private static void WriteInPlace(string path, string fullPath, Action<Stream> writeContent)
    {
        // NOTE: here the content's own writes, and the flush when the stream closes, reach the device (/dev/full: "No
        // space left on device"): the file system's refusal too, not a bug.
        FileSystemStep(path, fullPath, () =>
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            writeContent(stream);
            stream.Flush();
            return 0;
        });
    }

    /// <summary>The file a write to <paramref name="path"/> replaces: its full path, symbolic links followed, so that
    /// the file a link points to is replaced and the link stays a link.</summary>
    public static string Destination(string path)
    {
        string fullPath = Path.GetFullPath(path);
        try { return File.ResolveLinkTarget(fullPath, returnFinalTarget: true)?.FullName ?? fullPath; }
        catch (IOException) { return fullPath; } // nothing there, or a loop of links (the rename replaces the link itself)
    }

    // Failures of the file system's own steps name the caller's path, not the temporary file's; exceptions from
    // writeContent pass through untouched, as they may concern anything the content was made from.
    private static T FileSystemStep<T>(string path, string temporary, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException and not OutputFileException)
        {
            throw new OutputFileException(path, OutputFileException.Reason(exception).Replace(temporary, path), exception);
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically; see <see cref="Write"/>.</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents)));
    }

    /// <summary>Writes bytes atomically; see <see cref="Write"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        var copy = contents.ToArray();
        Write(path, stream => stream.Write(copy));
    }
}
