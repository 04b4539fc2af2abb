namespace Backprop.IO;

/// <summary>
/// An output file that cannot be written where the caller asked (a read-only folder, a full disk, a special file
/// system). The message names the path the caller gave, ready to print after "error: ".
/// </summary>
public sealed class OutputFileException(string path, string reason, Exception inner)
    : IOException($"{path}: cannot write the file ({reason})", inner)
{
    /// <summary>The file as the caller named it.</summary>
    public string Path { get; } = path;
}
