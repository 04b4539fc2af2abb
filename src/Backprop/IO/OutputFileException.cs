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

    /// <summary>Why the file system refused, in the words the messages use: "permission denied", or the system's own
    /// message without its closing period.</summary>
    public static string Reason(Exception refusal) =>
        refusal is UnauthorizedAccessException ? "permission denied" : refusal.Message.TrimEnd('.');
}
